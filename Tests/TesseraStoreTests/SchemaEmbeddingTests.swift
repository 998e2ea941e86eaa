import Foundation
import Testing
@testable import TesseraStore
import TesseraTestSupport

@Suite struct SchemaEmbeddingTests {
    @Test func embeddedSchemaIsSchemasResultsSQL() throws {
        let file = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("schemas/results.sql"), encoding: .utf8)
        #expect(EmbeddedSchemas.resultsSQL == file, "the binary does not carry schemas/results.sql byte for byte (the TesseraEmbeddedFiles plugin)")
    }

    @Test func embeddedNamedQueriesAreSchemasQueries() throws {
        let directory = Fixtures.repositoryRoot.appendingPathComponent("schemas/queries")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(EmbeddedSchemas.namedQueries.map(\.fileName) == names, "the binary does not carry every schemas/queries file (the TesseraEmbeddedFiles plugin)")
        for (name, sql) in EmbeddedSchemas.namedQueries {
            let file = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            #expect(sql == file, "schemas/queries/\(name) is not carried byte for byte (the TesseraEmbeddedFiles plugin)")
        }
    }

    @Test func migrationsAreSplitOnTheirMarkers() {
        let text = "-- header\n-- migration: one\nCREATE TABLE a (x);\n-- migration: two\nCREATE TABLE b (y);\n"
        let migrations = ResultsSchema.parseMigrations(text)
        #expect(migrations.map(\.name) == ["one", "two"])
        #expect(migrations[0].sql == "CREATE TABLE a (x);")
        #expect(migrations[1].sql == "CREATE TABLE b (y);\n")
        #expect(ResultsSchema.migrations.first?.name == "v1-initial-schema")
    }
}
