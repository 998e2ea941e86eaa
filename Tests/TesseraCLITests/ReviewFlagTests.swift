import Foundation
import Testing
import TesseraTestSupport

/// Slides whose numbers need a person's eye are flagged as data (issue 24): review_flags, the slide_review view,
/// slide-summary, the run summary and --json.
@Suite(.serialized) struct ReviewFlagTests {
    static let tiling = ["--mpp", "1", "--tile", "128", "--overlap", "16"]

    @Test func cmuPassesAndFluorescenceAndAnotherLabsStainAreFlagged() throws {
        let directory = try Fixtures.temporaryDirectory("review")
        // CMU with its a* channel 20 units redder: another lab's eosin, from real tissue.
        let restained = directory.appendingPathComponent("restained.tif")
        try SlideEdits.writeRestainedCopy(of: Fixtures.slide("CMU-1-Small-Region.svs"), to: restained,
                                          multiply: [1, 1, 1], add: [0, 20, 0])
        let out = directory.appendingPathComponent("out")
        let results = out.appendingPathComponent("results.sqlite").path
        let run = try TesseraCLI.run(["run", Fixtures.slide("CMU-1-Small-Region.svs").path,
                                      Fixtures.slide("test3-DAPI-2-387.ndpi").path, restained.path, "--out", out.path,
                                      "--slide-mpp", "0.499", "--json", "--quiet"] + Self.tiling)
        #expect(run.status == 0, "\(run.stderr)")
        let review = try TesseraCLI.csv(results, """
            SELECT sr.slide_path, v.needs_review, REPLACE(COALESCE(v.review_reasons, ''), ',', ';'), sr.stain_distance
            FROM slide_runs sr JOIN slide_review v ON v.slide_run_id = sr.id ORDER BY sr.slide_path
            """).split(separator: "\r\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let byName = Dictionary(uniqueKeysWithValues: review.map { (URL(fileURLWithPath: $0[0]).lastPathComponent, $0) })
        let cmu = try #require(byName["CMU-1-Small-Region.svs"])
        #expect(cmu[1] == "0" && cmu[2] == "", "\(cmu)")
        #expect(try #require(Double(cmu[3])) < 1.0)
        let dapi = try #require(byName["test3-DAPI-2-387.ndpi"])
        #expect(dapi[1] == "1" && dapi[2].contains("fluorescence"), "\(dapi)")
        let other = try #require(byName["restained.tif"])
        #expect(other[1] == "1" && other[2].contains("stain_far_from_reference") && other[2].contains("mpp_stated_by_user"),
                "\(other)")
        #expect(try #require(Double(other[3])) > 1.0)

        // The same flags in slide-summary and in the run's JSON.
        let summary = try TesseraCLI.run(["query", results, "--named", "slide-summary", "--format", "csv"])
        #expect(summary.stdout.contains("needs_review") && summary.stdout.contains("stain_far_from_reference"))
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let slides = json?["slides"] as? [[String: Any]] ?? []
        let flagged = slides.filter { !(($0["review"] as? [Any]) ?? []).isEmpty }.compactMap { $0["path"] as? String }
        #expect(Set(flagged.map { URL(fileURLWithPath: $0).lastPathComponent }) == ["test3-DAPI-2-387.ndpi", "restained.tif"])
        let cmuAreas = slides.first { ($0["path"] as? String)?.hasSuffix("CMU-1-Small-Region.svs") == true }?["areas"] as? [String: Any]
        #expect((cmuAreas?["classes"] as? [[String: Any]])?.count == 3)

        // The heatmaps of the slide whose mpp a person stated carry it, with its source.
        let classMap = try TesseraCLI.csv(results, """
            SELECT a.path FROM artefacts a JOIN slide_runs sr ON sr.id = a.slide_run_id
            WHERE a.kind = 'class_map' AND sr.slide_path LIKE '%restained.tif'
            """).split(separator: "\r\n")[1]
        let bytes = try Data(contentsOf: out.appendingPathComponent(String(classMap)))
        #expect(bytes.range(of: Data(#""mpp_level0":[0.499,0.499]"#.utf8)) != nil)
        #expect(bytes.range(of: Data(#""mpp_source":"user""#.utf8)) != nil)
    }
}
