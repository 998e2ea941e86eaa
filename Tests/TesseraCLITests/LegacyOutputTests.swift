import Foundation
import Testing
import TesseraTestSupport

/// A results folder written by the release before artefact records (fixtures/legacy-v4-output, schema v4) opens with
/// this Tessera: it is migrated and its files are found and recorded for the slide run that wrote them.
@Suite(.serialized) struct LegacyOutputTests {
    static func copyOfFixture() throws -> URL {
        let out = try Fixtures.temporaryDirectory("legacy").appendingPathComponent("out")
        try FileManager.default.copyItem(at: Fixtures.directory.appendingPathComponent("legacy-v4-output"), to: out)
        return out
    }

    @Test func itsFilesAreRecordedForTheLatestSlideRunAndExportFromTheRecords() throws {
        let out = try Self.copyOfFixture()
        let results = out.appendingPathComponent("results.sqlite").path
        // A read-only look first: nothing is changed by `query`.
        #expect(try TesseraCLI.csv(results, "SELECT COUNT(*) FROM grdb_migrations") == "COUNT(*)\r\n4\r\n")

        let prune = try TesseraCLI.run(["prune", out.path, "--dry-run"])
        #expect(prune.status == 0 && prune.stdout.contains("would remove 0 files"), "\(prune.stdout)\(prune.stderr)")
        let records = try TesseraCLI.csv(results, """
            SELECT slide_run_id, kind, class_index, path, adopted, sha256 FROM artefacts ORDER BY kind, class_index
            """).split(separator: "\r\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(records.map { $0[3] } == [
            "heatmaps/CMU-1-Small-Region.svs.classes.tif", "geojson/CMU-1-Small-Region.svs.geojson",
            "heatmaps/CMU-1-Small-Region.svs.overlay.tif", "heatmaps/CMU-1-Small-Region.svs.prob-background.tif",
            "heatmaps/CMU-1-Small-Region.svs.prob-nuclei.tif", "heatmaps/CMU-1-Small-Region.svs.prob-eosin-stroma.tif",
        ])
        // Given to the second (latest) slide run, whose files those are; recorded as adopted, with their hashes.
        #expect(records.allSatisfy { $0[0] == "2" && $0[4] == "1" })
        for record in records {
            #expect(try SlideEdits.sha256(out.appendingPathComponent(record[3])) == record[5])
        }

        let uids = try TesseraCLI.csv(results, "SELECT run_uid FROM runs ORDER BY id").split(separator: "\r\n").dropFirst().map(String.init)
        let latest = try TesseraCLI.run(["export", "geojson", results, "--out", out.appendingPathComponent("x").path, "--run", uids[1]])
        #expect(latest.status == 0, "\(latest.stderr)")
        let exported = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("x/CMU-1-Small-Region.svs.sr2.geojson"))) as? [String: Any]
        let legacy = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("geojson/CMU-1-Small-Region.svs.geojson"))) as? [String: Any]
        let geometries = { (object: [String: Any]?) in
            (object?["features"] as? [[String: Any]] ?? []).map {
                ((($0["geometry"] as? [String: Any])?["coordinates"] as? [[[NSNumber]]]) ?? []).map { $0.map { $0.map(\.doubleValue) } }
            }
        }
        // Traced from the recorded class map: the same regions with the same outlines. Compartments are now drawn
        // with the nuclei they enclose filled in (issue 25), so only their holes differ from that release's file.
        let outlines = { (object: [String: Any]?) in geometries(object).map { $0.first ?? [] } }
        #expect(!outlines(exported).isEmpty && outlines(exported) == outlines(legacy))
        #expect(zip(geometries(exported), geometries(legacy)).allSatisfy { $0.0.count <= $0.1.count })
        // The first run's files were overwritten by that release: its export says there is no class map on record.
        let first = try TesseraCLI.run(["export", "geojson", results, "--out", out.appendingPathComponent("y").path, "--run", uids[0]])
        #expect(first.status == 2 && first.stderr.contains("no class map"), "\(first.stderr)")
    }

    @Test func aNewRunBesideThemWritesItsOwnFilesAndLeavesTheOldOnes() throws {
        let out = try Self.copyOfFixture()
        let legacy = out.appendingPathComponent("heatmaps/CMU-1-Small-Region.svs.classes.tif")
        let before = try SlideEdits.sha256(legacy)
        let run = try TesseraCLI.run(["run", Fixtures.slide("CMU-1-Small-Region.svs").path, "--out", out.path,
                                      "--mpp", "4", "--tile", "64", "--overlap", "32", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        // The earlier release's plain-named file is a file still, untouched; the new slide run has its own.
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: legacy.path)) == nil)
        #expect(try SlideEdits.sha256(legacy) == before)
        let results = out.appendingPathComponent("results.sqlite").path
        let classMap = try TesseraCLI.csv(results, "SELECT path FROM artefacts WHERE slide_run_id = 3 AND kind = 'class_map'")
            .split(separator: "\r\n")[1]
        #expect(classMap.hasPrefix("heatmaps/CMU-1-Small-Region.svs.") && classMap.hasSuffix(".sr3.classes.tif"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(String(classMap)).path))
        #expect(try TesseraCLI.csv(results, "SELECT COUNT(*) FROM artefacts WHERE slide_run_id = 3") == "COUNT(*)\r\n7\r\n")
        #expect(try TesseraCLI.csv(results, "SELECT COUNT(*) FROM artefacts WHERE adopted = 1") == "COUNT(*)\r\n6\r\n")
    }
}
