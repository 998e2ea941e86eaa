import Foundation
import Testing
import TesseraTestSupport

/// The slide QC from the command line (issue 26): `tessera qc` alone, and `tessera run --exclude-artefacts`, on
/// CMU-1-Small-Region (real tissue with CMU-1's own teal margin dye: a little pen, a pass).
@Suite(.serialized) struct SlideQCCommandTests {
    static let tiling = ["--mpp", "1", "--tile", "128", "--overlap", "16"]

    private func numbers(_ database: String, _ sql: String) throws -> [Double] {
        try TesseraCLI.csv(database, sql).split(separator: "\r\n").dropFirst().flatMap {
            $0.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) ?? .nan }
        }
    }

    @Test func qcAloneWritesTheVerdictAndAreasAndReadsNoTile() throws {
        let out = try Fixtures.temporaryDirectory("qc-alone")
        defer { try? FileManager.default.removeItem(at: out) }
        let qc = try TesseraCLI.run(["qc", Fixtures.slide("CMU-1-Small-Region.svs").path, "--out", out.path, "--quiet"])
        #expect(qc.status == 0, "\(qc.stderr)")
        #expect(qc.stdout.contains("QC PASS") && qc.stdout.contains("1 pass, 0 review, 0 fail"), "\(qc.stdout)")
        let results = out.appendingPathComponent("results.sqlite").path
        let rows = try numbers(results, """
            SELECT (SELECT COUNT(*) FROM tiles), (SELECT COUNT(*) FROM slide_qc), area_mm2, qc_mpp
            FROM slide_qc q JOIN slide_runs sr ON sr.id = q.slide_run_id WHERE kind = 'pen'
            """)
        // No tile inferred; four kinds; CMU-1's teal dye at the region's edge: 0.0049 mm² (as `tessera run` finds).
        #expect(rows[0] == 0 && rows[1] == 4)
        #expect(abs(rows[2] - 0.0049) < 0.0005, "\(rows)")
        #expect(rows[3] == 2)
        // Its QC map: recorded for the slide run, named after it, the plain name linked to it.
        let mapQuery = "SELECT slide_run_id, path FROM artefacts WHERE kind = 'qc_mask' ORDER BY slide_run_id"
        let heatmaps = out.appendingPathComponent("heatmaps")
        let first = try TesseraCLI.csv(results, mapQuery)
        #expect(first == "slide_run_id,path\r\n1,heatmaps/CMU-1-Small-Region.svs.sr1.qc.tif\r\n", "\(first)")
        #expect(FileManager.default.fileExists(atPath: heatmaps.appendingPathComponent("CMU-1-Small-Region.svs.sr1.qc.tif").path))
        // A full run into the same folder analyses the slide: the QC-only slide run is not taken as done.
        let run = try TesseraCLI.run(["run", Fixtures.slide("CMU-1-Small-Region.svs").path, "--out", out.path,
                                      "--quiet", "--no-heatmaps"] + Self.tiling)
        #expect(run.status == 0 && run.stdout.contains("done ") && !run.stdout.contains("already done\n"), "\(run.stdout)")
        #expect(try numbers(results, "SELECT COUNT(*) FROM tiles")[0] > 0)
        // The full run's slide run has a map of its own (even with --no-heatmaps); the QC-only one keeps its file,
        // and the plain name follows the latest.
        let both = try TesseraCLI.csv(results, mapQuery)
        #expect(both == "slide_run_id,path\r\n1,heatmaps/CMU-1-Small-Region.svs.sr1.qc.tif\r\n"
                + "2,heatmaps/CMU-1-Small-Region.svs.sr2.qc.tif\r\n", "\(both)")
        #expect(try FileManager.default.destinationOfSymbolicLink(
            atPath: heatmaps.appendingPathComponent("CMU-1-Small-Region.svs.qc.tif").path) == "CMU-1-Small-Region.svs.sr2.qc.tif")
        #expect(FileManager.default.fileExists(atPath: heatmaps.appendingPathComponent("CMU-1-Small-Region.svs.sr1.qc.tif").path))
    }

    /// Screening an archive for QuPath: `tessera qc` records no class map, so the GeoJSON of its slide run is the QC
    /// regions alone (`--objects qc`), each kind's annotations adding up to the area `slide_qc` records.
    @Test func qcOnlyExportWritesTheQCRegionsOfAQCRun() throws {
        let out = try Fixtures.temporaryDirectory("qc-export")
        defer { try? FileManager.default.removeItem(at: out) }
        let qc = try TesseraCLI.run(["qc", Fixtures.slide("CMU-1-Small-Region.svs").path, "--out", out.path, "--quiet"])
        #expect(qc.status == 0, "\(qc.stderr)")
        let results = out.appendingPathComponent("results.sqlite").path
        let folder = out.appendingPathComponent("qupath")
        // Without --objects qc the export asks for a class map the QC run did not make.
        let regions = try TesseraCLI.run(["export", "geojson", results, "--out", folder.path])
        #expect(regions.status == 2 && regions.stderr.contains("no class map"), "\(regions.stderr)")
        let conflicting = try TesseraCLI.run(["export", "geojson", results, "--out", folder.path, "--objects", "qc",
                                              "--no-qc-regions"])
        #expect(conflicting.status != 0 && conflicting.stderr.contains("--no-qc-regions"), "\(conflicting.stderr)")
        let export = try TesseraCLI.run(["export", "geojson", results, "--out", folder.path, "--objects", "qc"])
        #expect(export.status == 0, "\(export.stderr)")
        let file = folder.appendingPathComponent("CMU-1-Small-Region.svs.sr1.geojson")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let features = try #require(json["features"] as? [[String: Any]])
        var areas: [String: Double] = [:]
        for feature in features {
            let properties = try #require(feature["properties"] as? [String: Any])
            let classification = try #require(properties["classification"] as? [String: Any])
            let name = try #require(classification["name"] as? String)
            #expect(name.hasPrefix("Ignore*: "), "only QC regions: \(name)")
            let measurements = try #require(properties["measurements"] as? [String: Any])
            areas[name, default: 0] += try #require(measurements["Tessera: area µm^2"] as? Double)
        }
        let recorded = try TesseraCLI.csv(results, "SELECT kind, area_mm2 FROM slide_qc ORDER BY kind")
            .split(separator: "\r\n").dropFirst().map { $0.split(separator: ",") }
        #expect(recorded.count == 4)
        let names = ["pen": "Ignore*: Pen", "blur": "Ignore*: Blur", "fold": "Ignore*: Fold", "bubble_edge": "Ignore*: Bubble edge"]
        for row in recorded {
            let kind = String(row[0]), mm2 = try #require(Double(row[1]))
            let exported = areas[try #require(names[kind]), default: 0]
            #expect(abs(exported - mm2 * 1e6) <= 1e-6 * max(1, mm2 * 1e6), "\(kind): exported \(exported) µm², recorded \(mm2) mm²")
        }
        // CMU-1-Small-Region: its teal dye (pen) and blur are found; the export holds nothing else.
        #expect((areas["Ignore*: Pen"] ?? 0) > 4_000 && (areas["Ignore*: Blur"] ?? 0) > 4_000, "\(areas)")
        #expect(features.count == features.filter { (($0["properties"] as? [String: Any])?["objectType"] as? String) == "annotation" }.count)
    }

    @Test func excludeArtefactsTakesTheFlaggedTissueOutOfTheReportedAreas() throws {
        let out = try Fixtures.temporaryDirectory("qc-exclude")
        defer { try? FileManager.default.removeItem(at: out) }
        var reported: [Bool: (tissue: Double, classes: Double)] = [:]
        var flagged = 0.0
        for exclude in [false, true] {
            let folder = out.appendingPathComponent(exclude ? "excluded" : "plain")
            let run = try TesseraCLI.run(["run", Fixtures.slide("CMU-1-Small-Region.svs").path, "--out", folder.path,
                                          "--json", "--quiet", "--no-heatmaps"] + Self.tiling
                                         + (exclude ? ["--exclude-artefacts"] : []))
            #expect(run.status == 0, "\(run.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            let slide = try #require((json["slides"] as? [[String: Any]])?.first)
            let areas = try #require(slide["areas"] as? [String: Any])
            #expect(areas["artefactsExcluded"] as? Bool == exclude)
            let classes = try #require(areas["classes"] as? [[String: Any]])
            reported[exclude] = (try #require(areas["tissueMM2"] as? Double),
                                 classes.compactMap { $0["tissueMM2"] as? Double }.reduce(0, +))
            let qc = try #require(areas["qc"] as? [String: Any])
            #expect(qc["verdict"] as? String == "pass")
            flagged = classes.compactMap { $0["artefactMM2"] as? Double }.reduce(0, +)
        }
        let plain = try #require(reported[false]), excluded = try #require(reported[true])
        print(String(format: "CMU: tissue %.6f mm², %.6f without artefacts, flagged %.6f", plain.tissue, excluded.tissue, flagged))
        #expect(flagged > 0.005)
        #expect(abs((plain.tissue - excluded.tissue) - flagged) < 1e-9)
        #expect(abs((plain.classes - excluded.classes) - flagged) < 1e-9)

        // `tessera merge` carries the QC: verdict, areas per kind, tiles' fractions and the flagged tissue per class.
        let source = out.appendingPathComponent("plain/results.sqlite").path
        let merged = out.appendingPathComponent("merged.sqlite").path
        let merge = try TesseraCLI.run(["merge", merged, source])
        #expect(merge.status == 0, "\(merge.stderr)")
        let qcRows = """
            SELECT sr.qc_verdict, (SELECT COUNT(*) FROM slide_qc), (SELECT COUNT(*) FROM tile_qc),
                   (SELECT printf('%.9f', SUM(class_artefact_mm2)) FROM slide_class_areas_clean)
            FROM slide_runs sr
            """
        let before = try TesseraCLI.csv(source, qcRows), after = try TesseraCLI.csv(merged, qcRows)
        #expect(after == before && before.contains("pass,4,"), "\(before) vs \(after)")
    }
}
