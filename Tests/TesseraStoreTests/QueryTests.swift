import Foundation
import GRDB
import Testing
import TesseraCore
@testable import TesseraStore

@Suite struct QueryTests {
    typealias S = StoreTestSupport

    @Test func parameterValuesBindAsNumbersOnlyWhenTheyReadAsNumbers() {
        #expect(ResultsQuery.bindValue("12") as? Int64 == 12)
        #expect(ResultsQuery.bindValue("-3") as? Int64 == -3)
        #expect(ResultsQuery.bindValue("0.5") as? Double == 0.5)
        #expect(ResultsQuery.bindValue("1e3") as? Double == 1000)
        #expect(ResultsQuery.bindValue("007") as? Double == 7)
        #expect(ResultsQuery.bindValue("0x10") as? String == "0x10")
        #expect(ResultsQuery.bindValue("inf") as? String == "inf")
        #expect(ResultsQuery.bindValue("4f1c-uid") as? String == "4f1c-uid")
    }

    @Test func valuesComeBackWithTheirSQLiteTypes() throws {
        let (store, path) = try S.freshStore("query")
        _ = try store.startRun(S.provenance(uid: "run-q"))
        let result = try ResultsQuery.run(databasePath: path, sql: """
            SELECT run_uid, threads, 0.25 AS quarter, NULL AS absent, x'00ff' AS bytes FROM runs WHERE threads = :threads
            """, parameters: ["threads": "2"])
        #expect(result.columns == ["run_uid", "threads", "quarter", "absent", "bytes"])
        #expect(result.rows == [[.text("run-q"), .integer(2), .real(0.25), .null, .blob(Data([0, 255]))]])
        #expect(result.rendered(as: .ndjson) == #"{"run_uid":"run-q","threads":2,"quarter":0.25,"absent":null,"bytes":"x'00ff'"}"# + "\n")
        #expect(result.rendered(as: .csv) == "run_uid,threads,quarter,absent,bytes\r\nrun-q,2,0.25,,x'00ff'\r\n")
    }

    @Test func textIsEscapedForCSVAndJSON() {
        let result = QueryResult(columns: ["a"], rows: [[.text("line\n\"quoted\", tab\t")]])
        #expect(result.rendered(as: .csv) == "a\r\n\"line\n\"\"quoted\"\", tab\t\"\r\n")
        #expect(result.rendered(as: .json) == #"[{"a":"line\n\"quoted\", tab\t"}]"# + "\n")
        #expect(result.rendered(as: .table) == "a\n--------------------\nline\\n\"quoted\", tab\t\n(1 row)\n")
    }

    @Test func unknownAndPositionalParametersAreRefused() throws {
        let (_, path) = try S.freshStore("query")
        #expect { try ResultsQuery.run(databasePath: path, sql: "SELECT 1", parameters: ["x": "1"]) }
            throws: { ($0 as? StoreError)?.kind == .parameters }
        #expect { try ResultsQuery.run(databasePath: path, sql: "SELECT ?") }
            throws: { ($0 as? StoreError)?.kind == .parameters }
        #expect { try ResultsQuery.run(databasePath: path, sql: "SELECT 1; SELECT 2") }
            throws: { ($0 as? StoreError)?.kind == .sqlite }
        let optional = try ResultsQuery.run(databasePath: path, sql: "SELECT :run IS NULL AS unset",
                                            optionalParameters: ["run"])
        #expect(optional.rows == [[.integer(1)]])
    }

    @Test func namedQueriesHaveDescriptionsAndRunOnAnEmptyFile() throws {
        let (_, path) = try S.freshStore("query")
        #expect(NamedQuery.all.map(\.name) == ["failed-slides", "run-summary", "runs", "slide-summary", "stage-metrics"])
        for query in NamedQuery.all {
            #expect(!query.description.isEmpty, "\(query.name) has no -- description: line")
            let result = try ResultsQuery.run(databasePath: path, sql: query.sql,
                                              optionalParameters: Set(query.parameters.map(\.name)))
            #expect(result.rows.isEmpty)
        }
        #expect(NamedQuery.named("slide-summary")?.parameters.map(\.name) == ["run"])
    }
}
