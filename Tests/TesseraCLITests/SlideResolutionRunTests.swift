import Foundation
import Testing
import TesseraTestSupport

/// `--slide-mpp` is a fallback for slides whose files state no resolution; `--override-slide-mpp` replaces a stated
/// one; every slide run records which it used. (Before: `--slide-mpp 0.25` overrode CMU's own 0.499 µm/px, so a
/// mixed batch was mis-scaled, every area about 4x off.)
@Suite struct SlideResolutionRunTests {
    static let tiling = ["--mpp", "2", "--tile", "128", "--overlap", "16", "--no-heatmaps"]

    static func resolutions(_ database: String) throws -> String {
        try TesseraCLI.csv(database, """
            SELECT replace(slide_path, rtrim(slide_path, replace(slide_path, '/', '')), '') AS slide,
                   mpp_x, mpp_source FROM slide_runs ORDER BY slide
            """)
    }

    @Test func fallbackKeepsStatedResolutionsAndOverrideIsRecorded() throws {
        let out = try Fixtures.temporaryDirectory("slide-mpp")
        defer { try? FileManager.default.removeItem(at: out) }
        let slides = [Fixtures.slide("small.svs").path, Fixtures.slide("boxes.tiff").path]
        let fallback = try TesseraCLI.run(["run"] + slides + ["--out", out.appendingPathComponent("a").path,
                                                              "--slide-mpp", "0.25"] + Self.tiling)
        #expect(fallback.status == 0, "\(fallback.stderr)")
        #expect(try Self.resolutions(out.appendingPathComponent("a/results.sqlite").path)
                == "slide,mpp_x,mpp_source\r\nboxes.tiff,0.25,userStated\r\nsmall.svs,0.499,file\r\n")

        let overridden = try TesseraCLI.run(["run"] + slides + ["--out", out.appendingPathComponent("b").path,
                                                                "--override-slide-mpp", "0.3"] + Self.tiling)
        #expect(overridden.status == 0, "\(overridden.stderr)")
        #expect(try Self.resolutions(out.appendingPathComponent("b/results.sqlite").path)
                == "slide,mpp_x,mpp_source\r\nboxes.tiff,0.3,userOverride\r\nsmall.svs,0.3,userOverride\r\n")

        let plan = try TesseraCLI.run(["plan", Fixtures.slide("CMU-1-Small-Region.svs").path, "--slide-mpp", "0.25"])
        #expect(plan.stdout.contains("0.499 µm/px (from the file)"), "\(plan.stdout)")
        let refused = try TesseraCLI.run(["run", slides[0], "--out", out.appendingPathComponent("c").path,
                                          "--override-slide-mpp=-1"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--override-slide-mpp must be a positive number"), "\(refused.stderr)")
    }
}
