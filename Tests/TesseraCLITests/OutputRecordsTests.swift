import Foundation
import Testing
import TesseraTestSupport

/// Every output belongs to one slide run (issue 23), end to end with the built binary: a slide rescanned at the same
/// path, two settings into one output, fail-then-succeed, pruning.
@Suite(.serialized) struct OutputRecordsTests {
    /// Coarse settings (4 µm/px, 64-px tiles) so each run of CMU-1-Small-Region takes about a second; the slide-mpp
    /// is used only by the flipped copy, which states no resolution (the original states 0.499).
    static let coarse = ["--mpp", "4", "--tile", "64", "--overlap", "16", "--slide-mpp", "0.499", "--quiet"]

    struct Record: Equatable, Hashable {
        var slideRun: Int
        var kind: String
        var path: String
        var sha256: String
        var size: Int
    }

    static func records(_ results: String) throws -> [Record] {
        try TesseraCLI.csv(results, "SELECT slide_run_id, kind, path, sha256, size_bytes FROM artefacts ORDER BY id")
            .split(separator: "\r\n").dropFirst().map { line in
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                return Record(slideRun: Int(fields[0])!, kind: fields[1], path: fields[2], sha256: fields[3], size: Int(fields[4])!)
            }
    }

    static func runUIDs(_ results: String) throws -> [String] {
        try TesseraCLI.csv(results, "SELECT run_uid FROM runs ORDER BY id").split(separator: "\r\n").dropFirst().map(String.init)
    }

    static func geojsonHeader(_ url: URL) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        return object?["tessera"] as? [String: Any] ?? [:]
    }

    static func regionCentres(_ url: URL) throws -> [Double] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let features = object?["features"] as? [[String: Any]] ?? []
        return features.compactMap { feature in
            let geometry = feature["geometry"] as? [String: Any]
            let ring = (geometry?["coordinates"] as? [[[NSNumber]]])?.first
            return ring.map { $0.reduce(0.0) { $0 + $1[0].doubleValue } / Double($0.count) }
        }
    }

    @Test func aRescanAtTheSamePathKeepsEachAnalysisWithItsOwnFiles() throws {
        let directory = try Fixtures.temporaryDirectory("rescan")
        let slide = directory.appendingPathComponent("slides/case-17.svs")
        try FileManager.default.createDirectory(at: slide.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.slide("CMU-1-Small-Region.svs"), to: slide)
        let out = directory.appendingPathComponent("out")
        let results = out.appendingPathComponent("results.sqlite").path

        let first = try TesseraCLI.run(["run", slide.path, "--out", out.path, "--geojson"] + Self.coarse)
        #expect(first.status == 0, "\(first.stderr)")
        let firstRecords = try Self.records(results)
        // The class map, the model-resolution class map, the overlay, one probability map per class (3) and the
        // GeoJSON, each as written.
        #expect(firstRecords.map(\.kind).sorted() == ["class_map", "geojson", "model_class_map", "overlay", "probability",
                                                      "probability", "probability", "qc_mask"])
        for record in firstRecords {
            let file = out.appendingPathComponent(record.path)
            #expect(try SlideEdits.sha256(file) == record.sha256, "\(record.path)")
            #expect(record.path.contains("case-17.svs.sr1."))
        }

        // The scanner writes a new scan to the same path.
        let flipped = directory.appendingPathComponent("flipped.tif")
        try SlideEdits.writeFlippedCopy(of: slide, to: flipped)
        try FileManager.default.removeItem(at: slide)
        try FileManager.default.moveItem(at: flipped, to: slide)
        let second = try TesseraCLI.run(["run", slide.path, "--out", out.path, "--geojson"] + Self.coarse.dropLast())
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("content changed since the last analysis"), "\(second.stdout)")

        // Both analyses keep their own files, the first byte for byte as first written.
        let all = try Self.records(results)
        #expect(Array(all.prefix(firstRecords.count)) == firstRecords)
        let secondRecords = all.filter { $0.slideRun == 2 }
        #expect(secondRecords.count == firstRecords.count)
        #expect(Set(secondRecords.map(\.path)).isDisjoint(with: firstRecords.map(\.path)))
        for record in all {
            #expect(try SlideEdits.sha256(out.appendingPathComponent(record.path)) == record.sha256, "\(record.path)")
        }

        // Each file says which run made it: the TIFF descriptions and the GeoJSON header.
        let uids = try Self.runUIDs(results)
        #expect(uids.count == 2)
        let fingerprints = try TesseraCLI.csv(results, "SELECT s.fingerprint FROM slide_runs sr JOIN slides s ON s.id = sr.slide_id ORDER BY sr.id")
            .split(separator: "\r\n").dropFirst().map(String.init)
        #expect(fingerprints.count == 2 && fingerprints[0] != fingerprints[1])
        for (index, records) in [firstRecords, secondRecords].enumerated() {
            let classMap = try #require(records.first { $0.kind == "class_map" })
            let bytes = try Data(contentsOf: out.appendingPathComponent(classMap.path))
            for text in [#""run_uid":"\#(uids[index])""#, #""slide_run_id":\#(index + 1)"#,
                         #""slide_fingerprint":"\#(fingerprints[index])""#] {
                #expect(bytes.range(of: Data(text.utf8)) != nil, "\(classMap.path) lacks \(text)")
            }
            let geojson = try #require(records.first { $0.kind == "geojson" })
            let header = try Self.geojsonHeader(out.appendingPathComponent(geojson.path))
            #expect(header["run_uid"] as? String == uids[index])
            #expect(header["slide_run_id"] as? Int == index + 1)
            #expect(header["fingerprint"] as? String == fingerprints[index])
            #expect((header["model_sha256"] as? String)?.count == 64)
        }

        // `export --run` of each run traces that run's own maps: the flipped slide's regions are mirrored.
        var centres: [[Double]] = []
        for (index, uid) in uids.enumerated() {
            let folder = directory.appendingPathComponent("export-\(index)")
            let export = try TesseraCLI.run(["export", "geojson", results, "--out", folder.path, "--run", uid])
            #expect(export.status == 0, "\(export.stderr)")
            let file = folder.appendingPathComponent("case-17.svs.sr\(index + 1).geojson")
            #expect(try Self.geojsonHeader(file)["fingerprint"] as? String == fingerprints[index])
            let recorded = try #require((index == 0 ? firstRecords : secondRecords).first { $0.kind == "geojson" })
            #expect(try Data(contentsOf: file) == Data(contentsOf: out.appendingPathComponent(recorded.path)))
            centres.append(try Self.regionCentres(file))
        }
        // The two analyses' regions differ (other content), and each export is the file its own run wrote.
        #expect(centres[0] != centres[1] && !centres[0].isEmpty && !centres[1].isEmpty)

        // The summary says which analysis is current; nothing is listed as failed.
        let summary = try TesseraCLI.csv(results, "SELECT DISTINCT slide_run_id, is_current FROM slide_areas ORDER BY slide_run_id")
        #expect(summary == "slide_run_id,is_current\r\n1,0\r\n2,1\r\n")
        let named = try TesseraCLI.run(["query", results, "--named", "slide-summary", "--format", "csv"])
        #expect(named.stdout.contains(",superseded,") && named.stdout.contains(",current,"))
        #expect(try TesseraCLI.csv(results, "SELECT COUNT(*) FROM (SELECT 1 FROM latest_slide_runs WHERE status <> 'done')")
                == "COUNT(*)\r\n0\r\n")

        // Pruning removes the superseded analysis's files and keeps its rows.
        let dry = try TesseraCLI.run(["prune", out.path, "--superseded", "--dry-run"])
        #expect(dry.status == 0 && dry.stdout.contains("would remove 8 files"), "\(dry.stdout)\(dry.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(firstRecords[0].path).path))
        let prune = try TesseraCLI.run(["prune", out.path, "--superseded"])
        #expect(prune.status == 0 && prune.stdout.contains("removed 8 files"), "\(prune.stdout)\(prune.stderr)")
        for record in firstRecords {
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(record.path).path))
        }
        for record in secondRecords {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(record.path).path))
        }
        #expect(try TesseraCLI.csv(results, "SELECT COUNT(*) FROM artefacts WHERE removed_at IS NOT NULL") == "COUNT(*)\r\n8\r\n")
        #expect(try TesseraCLI.csv(results, "SELECT COUNT(*) FROM tiles WHERE slide_run_id = 1") != "COUNT(*)\r\n0\r\n")
        let gone = try TesseraCLI.run(["export", "geojson", results, "--out", directory.appendingPathComponent("x").path,
                                       "--run", uids[0]])
        #expect(gone.status == 2 && gone.stderr.contains("removed by `tessera prune`"), "\(gone.stderr)")
    }

    @Test func twoSettingsIntoOneOutputKeepBothSetsOfFiles() throws {
        let out = try Fixtures.temporaryDirectory("two-settings")
        let results = out.appendingPathComponent("results.sqlite").path
        let slide = Fixtures.slide("CMU-1-Small-Region.svs").path
        for stain in ["reinhard", "none"] {
            let run = try TesseraCLI.run(["run", slide, "--out", out.path, "--stain", stain] + Self.coarse)
            #expect(run.status == 0, "\(run.stderr)")
        }
        let records = try Self.records(results)
        #expect(Set(records.map(\.slideRun)) == [1, 2])
        #expect(records.filter { $0.slideRun == 1 }.count == 7 && records.filter { $0.slideRun == 2 }.count == 7)
        #expect(Set(records.map(\.path)).count == 14)
        for record in records {
            #expect(try SlideEdits.sha256(out.appendingPathComponent(record.path)) == record.sha256, "\(record.path)")
        }
        // Both are current: the same content, analysed twice.
        #expect(try TesseraCLI.csv(results, "SELECT COUNT(*) FROM slide_areas WHERE is_current") == "COUNT(*)\r\n2\r\n")
        // The plain name follows the latest slide run.
        let link = try FileManager.default.destinationOfSymbolicLink(
            atPath: out.appendingPathComponent("heatmaps/CMU-1-Small-Region.svs.overlay.tif").path)
        #expect(link == "CMU-1-Small-Region.svs.sr2.overlay.tif")
    }

    @Test func aSlideThatFailedThenSucceededIsNotListedAsFailed() throws {
        let directory = try Fixtures.temporaryDirectory("fail-then-succeed")
        let slide = directory.appendingPathComponent("late.svs")
        try FileManager.default.copyItem(at: Fixtures.invalidSlide("unreadable.svs"), to: slide)
        let out = directory.appendingPathComponent("out")
        let results = out.appendingPathComponent("results.sqlite").path
        let failed = try TesseraCLI.run(["run", slide.path, "--out", out.path] + Self.coarse)
        #expect(failed.status == 1, "\(failed.stderr)")
        let listed = try TesseraCLI.run(["query", results, "--named", "failed-slides", "--format", "csv"])
        #expect(listed.stdout.contains(slide.path))
        try FileManager.default.removeItem(at: slide)
        try FileManager.default.copyItem(at: Fixtures.slide("CMU-1-Small-Region.svs"), to: slide)
        let done = try TesseraCLI.run(["run", slide.path, "--out", out.path] + Self.coarse)
        #expect(done.status == 0, "\(done.stderr)")
        let after = try TesseraCLI.run(["query", results, "--named", "failed-slides", "--format", "csv"])
        #expect(after.status == 0 && !after.stdout.contains(slide.path), "\(after.stdout)")
    }
}
