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
