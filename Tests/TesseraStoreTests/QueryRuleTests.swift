import Foundation
import GRDB
import Testing
import TesseraTestSupport
@testable import TesseraStore

/// The rule for what `tessera query` runs (README, "tessera query"), and malformed SQL.
@Suite struct QueryRuleTests {
    typealias S = StoreTestSupport

    static func refusal(_ path: String, _ sql: String) -> StoreError? {
        do {
            _ = try ResultsQuery.run(databasePath: path, sql: sql)
            return nil
        } catch let error as StoreError {
            return error
        } catch {
            Issue.record("not a StoreError: \(error)")
            return nil
        }
    }

    /// PRAGMA assignments are refused even where SQLite calls them read-only (they change the connection).
    @Test(arguments: ["PRAGMA writable_schema=1", "PRAGMA query_only=0", "PRAGMA foreign_keys=OFF",
                      "pragma main.journal_mode = DELETE", "PRAGMA journal_mode(delete)", "PRAGMA user_version = 7",
                      "  /* c */ PRAGMA\n\"cache_size\" = 10", "PRAGMA wal_checkpoint", "PRAGMA main.optimize",
                      "PRAGMA [writable_schema] = ON"])
    func pragmaAssignmentsAreRefused(sql: String) throws {
        let (_, path) = try S.freshStore("pragma")
        let error = try #require(Self.refusal(path, sql), "\(sql) was run")
        #expect(error.kind == .notReadOnly)
        #expect(error.message.contains("nothing was run"))
    }

    /// Reading a setting or a table's description is allowed, even where SQLite calls the statement a writer.
    @Test(arguments: [("PRAGMA main.journal_mode", "wal"), ("PRAGMA journal_mode", "wal"), ("PRAGMA foreign_keys", nil),
                      ("PRAGMA table_info(runs)", nil), ("pragma integrity_check", "ok"), ("PRAGMA user_version", "0")])
    func pragmaReadsAreAllowed(sql: String, first: String?) throws {
        let (_, path) = try S.freshStore("pragma")
        let result = try ResultsQuery.run(databasePath: path, sql: sql)
        #expect(!result.rows.isEmpty)
        if let first {
            let value = result.rows[0][0]
            #expect(value == .text(first) || value == .integer(Int64(first) ?? -1), "\(sql) gave \(value)")
        }
    }

    /// A second statement that cannot compile on its own (it names a database only the first would ATTACH) is still
    /// "several statements", not SQLite's "unknown database".
    @Test func attachThenCreateIsTheOneStatementMessage() throws {
        let (_, path) = try S.freshStore("attach")
        for sql in ["ATTACH 'x.db' AS x; CREATE TABLE x.t (a)", "SELECT 1; SELECT * FROM nowhere.t", "SELECT 1; garbage ((("] {
            let error = try #require(Self.refusal(path, sql))
            #expect(error.message.contains("give one statement at a time"), "\(sql): \(error)")
        }
        #expect(try ResultsQuery.run(databasePath: path, sql: "SELECT 1; -- a comment\n").rows == [[.integer(1)]])
    }

    /// Malformed query strings: each is refused or answered, never a trap, and the file is never changed.
    @Test func fuzzedQueriesNeverTrapOrWrite() throws {
        let (store, path) = try S.freshStore("fuzz-query")
        _ = try store.startRun(S.provenance(uid: "run-fuzz"))
        let fingerprint = { try S.reader(path).read { db in
            try String.fetchAll(db, sql: "SELECT name || ':' || coalesce(sql, '') FROM sqlite_master ORDER BY name").joined()
                + "\(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs") ?? -1)"
                + "\(try Int.fetchOne(db, sql: "PRAGMA user_version") ?? -1)"
        } }
        let before = try fingerprint()
        let seeds = ["SELECT run_uid, threads FROM runs WHERE threads = :t", "PRAGMA main.journal_mode",
                     "INSERT INTO runs (run_uid) VALUES ('x')", "ATTACH 'a.db' AS a; CREATE TABLE a.t (x)",
                     "WITH x AS (SELECT 1) SELECT * FROM x", "PRAGMA table_info(runs)", "DELETE FROM runs",
                     "SELECT * FROM slide_areas", "PRAGMA user_version = 9", "VACUUM", "CREATE TEMP TABLE t (a)",
                     "SELECT load_extension('x')", "SELECT writefile('/tmp/x', 'y')", "REINDEX", "ANALYZE"]
        let tokens = [";", "'", "\"", "(", ")", "--", "/*", "*/", " = ", "PRAGMA ", "ATTACH ", "main.", ":t", "?", "@x",
                      "$y", "\u{0}", "x'00", " UNION SELECT ", " DROP TABLE runs", "writable_schema", " = 1", "\n"]
        let campaign = FuzzCampaign("query strings", count: 3_000, seconds: 3)
        var answered = 0, refused = 0
        let ran = campaign.run { index, random in
            var bytes = Array(seeds.randomElement(using: &random)!.utf8)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                if Bool.random(using: &random) {
                    bytes = bytes.mutated(&random)
                } else {
                    bytes.insert(contentsOf: Array(tokens.randomElement(using: &random)!.utf8),
                                 at: Int.random(in: 0...bytes.count, using: &random))
                }
            }
            let sql = String(decoding: bytes, as: UTF8.self)
            do {
                _ = try ResultsQuery.run(databasePath: path, sql: sql, parameters: sql.contains(":t") ? ["t": "2"] : [:])
                answered += 1
            } catch is StoreError {
                refused += 1
            } catch {
                Issue.record("\(campaign.failure(index, "not a StoreError for \(sql.debugDescription): \(error)"))")
            }
        }
        #expect(ran >= 200, "only \(ran) cases ran")
        #expect(answered > 0 && refused > 0, "answered \(answered), refused \(refused)")
        #expect(try fingerprint() == before, "a fuzzed query changed the file")
    }
}
