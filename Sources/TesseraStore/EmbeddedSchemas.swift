import Foundation

/// schemas/results.sql and schemas/queries/*.sql as built into this binary: the files live in this target's Schemas
/// folder (schemas/ at the root links to them), and the TesseraEmbeddedFiles build-tool plugin compiles them in at
/// every build (`EmbeddedSchemaFiles`), so an installed `tessera` carries the schema and the named queries with no
/// generated copy to drift from them.
enum EmbeddedSchemas {
    /// schemas/results.sql
    static let resultsSQL: String = text(EmbeddedSchemaFiles.files.first { $0.path == "results.sql" }?.base64 ?? "")

    /// schemas/queries/*.sql, by file name, sorted.
    static let namedQueries: [(fileName: String, sql: String)] = EmbeddedSchemaFiles.files
        .filter { $0.path.hasPrefix("queries/") && $0.path.hasSuffix(".sql") }
        .map { (String($0.path.dropFirst("queries/".count)), text($0.base64)) }

    private static func text(_ base64: String) -> String {
        String(decoding: Data(base64Encoded: base64, options: .ignoreUnknownCharacters) ?? Data(), as: UTF8.self)
    }
}
