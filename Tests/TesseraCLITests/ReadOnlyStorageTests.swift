import Foundation
import Testing
import TesseraTestSupport

/// Results on read-only storage (an archive share, a snapshot): `tessera query` and `tessera merge` read them through a
/// real read-only bind mount (ReadOnlyMount), and `merge` creates nothing until every input is open.
@Suite struct ReadOnlyStorageTests {
    static func requireMount(_ output: CommandOutput) {
        if output.status == ReadOnlyMount.setupFailed {
            Issue.record("""
                this test needs a read-only bind mount in a private mount namespace (root, or unprivileged user \
                namespaces: `unshare --mount --map-root-user`), and this machine refused: \(output.stderr)
                """)
        }
    }

    @Test func queryReadsAResultsFileOnReadOnlyStorage() throws {
        let directory = try Fixtures.temporaryDirectory("ro-query")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("results.sqlite").path
        #expect(try TesseraDevCLI.run(["write-store", database, "--slides", "2", "--tiles", "5", "--classes", "2"]).status == 0)
        let sql = "SELECT COUNT(*) AS tiles, (SELECT COUNT(*) FROM tile_predictions) AS predictions FROM tiles"
        // A cleanly closed results file stands alone: SQLite can make no -shm beside it on read-only storage.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["results.sqlite"])
        let output = try ReadOnlyMount.run(directory.path, ["query", database, sql, "--format", "csv"])
        Self.requireMount(output)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout == "tiles,predictions\r\n10,20\r\n")
        let named = try ReadOnlyMount.run(directory.path, ["query", database, "--named", "runs", "--format", "csv"])
        #expect(named.status == 0, "\(named.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["results.sqlite"])

        // A file read once on writable storage has an empty -wal and a -shm beside it (SQLite's own); it reads too.
        #expect(try TesseraCLI.csv(database, sql) == "tiles,predictions\r\n10,20\r\n")
        let again = try ReadOnlyMount.run(directory.path, ["query", database, sql, "--format", "csv"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == "tiles,predictions\r\n10,20\r\n")
    }

    @Test func mergeReadsInputsOnReadOnlyStorage() throws {
        let shards = try Fixtures.temporaryDirectory("ro-shards")
        let output = try Fixtures.temporaryDirectory("ro-out")
        defer {
            try? FileManager.default.removeItem(at: shards)
            try? FileManager.default.removeItem(at: output)
        }
        let a = shards.appendingPathComponent("a.sqlite").path, b = shards.appendingPathComponent("b.sqlite").path
        #expect(try TesseraDevCLI.run(["write-store", a, "--slides", "2", "--tiles", "6", "--classes", "2"]).status == 0)
        #expect(try TesseraDevCLI.run(["write-store", b, "--slides", "3", "--tiles", "4", "--classes", "2"]).status == 0)
        let merged = output.appendingPathComponent("all.sqlite").path
        let result = try ReadOnlyMount.run(shards.path, ["merge", merged, a, b])
        Self.requireMount(result)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try TesseraCLI.csv(merged, "SELECT tiles, slides_done FROM run_totals ORDER BY tiles")
                == "tiles,slides_done\r\n12,2\r\n12,3\r\n")
    }

    /// An input that is missing or not a results file stops the merge before OUT exists.
    @Test func mergeCreatesNothingUntilItsInputsAreOpen() throws {
        let directory = try Fixtures.temporaryDirectory("merge-inputs")
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = directory.appendingPathComponent("a.sqlite").path
        #expect(try TesseraDevCLI.run(["write-store", a, "--slides", "1", "--tiles", "3"]).status == 0)
        let notResults = directory.appendingPathComponent("notes.sqlite").path
        try Data("not a database at all, just text that is long enough to be read as a header".utf8)
            .write(to: URL(fileURLWithPath: notResults))
        let out = directory.appendingPathComponent("out.sqlite").path
        for bad in [a + ".missing", notResults] {
            let result = try TesseraCLI.run(["merge", out, a, bad])
            #expect(result.status != 0)
            #expect(result.stderr.contains(bad), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out), "merge created \(out) before opening \(bad)")
        }
    }
}
