import Foundation
import Testing
import TesseraCore
import TesseraSlide
import TesseraTestSupport

/// The large synthetic slide from tools/make-large-slide.sh, when it has been built (it is never committed).
/// TESSERA_LARGE_SLIDE names another copy; without either, these tests are skipped.
enum LargeSlide {
    static let url: URL? = {
        let candidates = [ProcessInfo.processInfo.environment["TESSERA_LARGE_SLIDE"].map(URL.init(fileURLWithPath:)),
                          Fixtures.repositoryRoot.appendingPathComponent("out/synthetic-50000x40000.large.tiff")]
        return candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0.path) }
    }()

    // Layout written by tools/make_large_slide.py: 16 x 10 copies of the 2220 x 2967 tissue, 800 px apart,
    // centred: the mosaic starts at (1240, 1565). Copy (0, 0) is not mirrored.
    static let mosaicOrigin = (x: 1240, y: 1565)
}

@Suite(.enabled(if: LargeSlide.url != nil, "build it with tools/make-large-slide.sh"))
struct LargeSlideTests {
    @Test func opensWithItsResolution() throws {
        let slide = try Slide(contentsOf: try #require(LargeSlide.url))
        #expect(slide.width == 50_000 && slide.height == 40_000)
        #expect(slide.vendor == "aperio")
        #expect(try slide.resolution() == SlideResolution(mpp: 0.5, source: .file))
        #expect(slide.levelCount >= 8)
    }

    @Test func tissueCopyMatchesTheSourceSlide() throws {
        let slide = try Slide(contentsOf: try #require(LargeSlide.url))
        let source = try Slide(contentsOf: Fixtures.slide("CMU-1-Small-Region.svs"))
        let expected = try source.readRegion(level0Origin: (1000, 1200), level: 0, width: 64, height: 64)
        let copy = try slide.readRegion(level0Origin: (LargeSlide.mosaicOrigin.x + 1000, LargeSlide.mosaicOrigin.y + 1200),
                                        level: 0, width: 64, height: 64)
        // Re-encoded as JPEG (quality 85): close, not identical (8.2 grey levels on average, measured with
        // openslide-python); one pixel off, the difference is about 20.
        func meanDifference(_ image: RGBImage) -> Double {
            Double(zip(expected.pixels, image.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) })
                / Double(expected.pixels.count)
        }
        let shifted = try slide.readRegion(level0Origin: (LargeSlide.mosaicOrigin.x + 1001,
                                                          LargeSlide.mosaicOrigin.y + 1200),
                                           level: 0, width: 64, height: 64)
        #expect(meanDifference(copy) < 12)
        #expect(meanDifference(shifted) > meanDifference(copy) * 1.5)
    }

    @Test func planKeepsCopiesAndSkipsGaps() throws {
        let slide = try Slide(contentsOf: try #require(LargeSlide.url))
        let (plan, _) = try TilePlan.plan(slide: slide, resolution: try slide.resolution(), targetMPP: 0.5,
                                          tileSize: 512, overlap: 64, tissue: TissueSettings(minimumTissueFraction: 0.05))
        #expect(plan.columns == 112 && plan.rows == 90)
        let kept = Set(plan.tiles.map(\.index))
        // Tile (5, 7) owns (2240...2688, 3136...3584): source pixels (1000...1448, 1571...2019) of copy (0, 0),
        // the middle of the tissue.
        let middle = try #require(plan.tiles.first { $0.index == 7 * 112 + 5 })
        #expect(middle.tissueFraction > 0.8)
        // Tile (8, 5) owns (3584...4032, 2240...2688): inside the white gap between copies (0, 0) and (1, 0).
        #expect(!kept.contains(5 * 112 + 8))
        // The margin around the mosaic is bare.
        #expect(!kept.contains(0) && !kept.contains(plan.columns * plan.rows - 1))
    }
}
