import Foundation

/// A query kept in schemas/queries/NAME.sql, built into the binary.
///
/// The file starts with "-- description: ..." and may declare parameters with "-- param: NAME: what it does" lines;
/// a declared parameter left out binds NULL, so `WHERE :run IS NULL OR run_uid = :run` filters only when given.
public struct NamedQuery: Sendable, Equatable {
    public struct Parameter: Sendable, Equatable {
        public var name: String
        public var description: String
    }

    public var name: String
    public var description: String
    public var parameters: [Parameter]
    public var sql: String

    /// Every named query, sorted by name.
    public static let all: [NamedQuery] = EmbeddedSchemas.namedQueries.map { parse(fileName: $0.fileName, text: $0.sql) }

    public static func named(_ name: String) -> NamedQuery? { all.first { $0.name == name } }

    static func parse(fileName: String, text: String) -> NamedQuery {
        let name = fileName.hasSuffix(".sql") ? String(fileName.dropLast(4)) : fileName
        var description = ""
        var parameters: [Parameter] = []
        for line in text.split(separator: "\n") {
            guard line.hasPrefix("--") else { break }
            let body = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
            if body.hasPrefix("description:") {
                description = body.dropFirst("description:".count).trimmingCharacters(in: .whitespaces)
            } else if body.hasPrefix("param:") {
                let declaration = body.dropFirst("param:".count)
                let parts = declaration.split(separator: ":", maxSplits: 1)
                parameters.append(Parameter(name: parts[0].trimmingCharacters(in: .whitespaces),
                                            description: parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""))
            }
        }
        return NamedQuery(name: name, description: description, parameters: parameters, sql: text)
    }
}
