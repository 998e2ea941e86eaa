import Foundation
import Testing
import TesseraTestSupport

/// One definition of each share (issue 24): within a slide run, the classes' shares of the analysed area add up to 1,
/// and so do their shares of the tissue, which count only the class inside the tissue.
@Suite(.serialized) struct SharesTests {
    @Test func eachDenominatorsSharesAddUpToOneOnCMUAndTheFluorescenceSlide() throws {
        let out = try Fixtures.temporaryDirectory("shares")
        let results = out.appendingPathComponent("results.sqlite").path
        let run = try TesseraCLI.run(["run", Fixtures.slide("CMU-1-Small-Region.svs").path,
                                      Fixtures.slide("test3-DAPI-2-387.ndpi").path, "--out", out.path,
                                      "--mpp", "2", "--tile", "128", "--overlap", "16", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try TesseraCLI.csv(results, """
            SELECT slide_path, SUM(fraction_of_tissue), SUM(fraction_of_analysed), MAX(fraction_of_tissue),
                   SUM(class_tissue_mm2), MAX(tissue_mm2), COUNT(*)
            FROM slide_class_areas GROUP BY slide_run_id ORDER BY slide_path
            """).split(separator: "\r\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        #expect(rows.count == 2)
        for row in rows {
            let tissueShares = try #require(Double(row[1])), analysedShares = try #require(Double(row[2]))
            #expect(abs(tissueShares - 1) < 1e-9, "\(row[0]): shares of tissue add up to \(tissueShares)")
            #expect(abs(analysedShares - 1) < 1e-9, "\(row[0]): shares of the analysed area add up to \(analysedShares)")
            #expect(try #require(Double(row[3])) <= 1)
            // The classes' areas inside the tissue add up to the tissue area.
            let classTissue = try #require(Double(row[4])), tissue = try #require(Double(row[5]))
            #expect(abs(classTissue - tissue) <= 1e-9 * max(1, tissue), "\(row[0]): \(classTissue) vs \(tissue) mm²")
            #expect(row[6] == "3")
        }
        // A class's area inside the tissue is never more than its area over the analysed tiles.
        let over = try TesseraCLI.csv(results, "SELECT COUNT(*) FROM slide_class_areas WHERE class_tissue_mm2 > class_mm2 + 1e-12")
        #expect(over == "COUNT(*)\r\n0\r\n")
        // The run's totals agree with the slides'.
        let run_shares = try TesseraCLI.csv(results, "SELECT SUM(fraction_of_tissue) FROM run_class_totals")
            .split(separator: "\r\n")[1]
        #expect(abs(try #require(Double(run_shares)) - 1) < 1e-9)
    }
}
