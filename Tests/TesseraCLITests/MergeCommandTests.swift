import Foundation
import Testing
import TesseraTestSupport

@Suite struct MergeCommandTests {
    @Test func mergesShardsAndIsIdempotent() throws {
        let directory = try Fixtures.temporaryDirectory("merge")
        let a = directory.appendingPathComponent("a.sqlite").path
        let b = directory.appendingPathComponent("b.sqlite").path
        let out = directory.appendingPathComponent("out.sqlite").path
        // Two machines, two runs (different parameters): 2 x 6 and 3 x 4 tiles, 2 classes each.
        #expect(try TesseraDevCLI.run(["write-store", a, "--slides", "2", "--tiles", "6", "--classes", "2"]).status == 0)
        #expect(try TesseraDevCLI.run(["write-store", b, "--slides", "3", "--tiles", "4", "--classes", "2"]).status == 0)
        let merged = try TesseraCLI.run(["merge", out, a, b])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout.contains("\(a): 1 runs added, 0 runs updated, 2 slide runs added, 0 updated, 12 tiles and 24 predictions added"))
        let totals = "SELECT tiles, slides_done FROM run_totals ORDER BY tiles"
        #expect(try TesseraCLI.csv(out, totals) == "tiles,slides_done\r\n12,2\r\n12,3\r\n")
        let uids = "SELECT run_uid FROM runs ORDER BY run_uid"
        #expect(try TesseraCLI.csv(out, uids) == TesseraCLI.csv(a, uids).replacingOccurrences(of: "run_uid\r\n", with: "")
            .appending(try TesseraCLI.csv(b, uids).replacingOccurrences(of: "run_uid\r\n", with: ""))
            .split(separator: "\r\n").sorted().reduce("run_uid\r\n") { $0 + $1 + "\r\n" })
        let again = try TesseraCLI.run(["merge", out, a, b])
        #expect(again.status == 0)
        #expect(again.stdout.contains("\(b): 0 runs added, 0 runs updated, 0 slide runs added, 0 updated, 0 tiles and 0 predictions added"))
        #expect(try TesseraCLI.csv(out, totals) == "tiles,slides_done\r\n12,2\r\n12,3\r\n")
        let missing = try TesseraCLI.run(["merge", out, a + ".missing"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no such results file"))
    }
}
