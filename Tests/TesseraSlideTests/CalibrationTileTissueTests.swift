import Foundation
import Testing
import TesseraCore
import TesseraSlide
import TesseraTestSupport

/// A tile given as an image passes the slide's tissue test or is unusable for calibration, with the reason.
@Suite struct CalibrationTileTissueTests {
    @Test func blankAndFlatTilesAreUnusableTissueTilesAreNot() throws {
        for value: UInt8 in [0, 128, 255] {
            let reason = CalibrationTiles.unusableReason(RGBImage(width: 128, height: 128, filledWith: value), micronsPerPixel: 2)
            #expect(reason?.contains("every pixel is the same colour") == true, "\(value): \(reason ?? "usable")")
        }
        // Flat pink (saturated, so "tissue" by saturation alone) is still no image.
        let pink = RGBImage(width: 64, height: 64, pixels: [UInt8]((0..<(64 * 64)).flatMap { _ in [230, 150, 200] as [UInt8] }))
        #expect(CalibrationTiles.unusableReason(pink, micronsPerPixel: 2)?.contains("same colour") == true)
        // Glass: near-white grey noise, unsaturated.
        var state: UInt64 = 7
        let glass = RGBImage(width: 128, height: 128, pixels: (0..<(128 * 128 * 3)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return 240 + UInt8(truncatingIfNeeded: state >> 61)
        })
        #expect(CalibrationTiles.unusableReason(glass, micronsPerPixel: 2)?.hasPrefix("no tissue (0%") == true)

        // Tissue tiles of CMU-1, as the planner keeps them, pass.
        let slide = try Slide(contentsOf: Fixtures.slide("CMU-1-Small-Region.svs"))
        let drawn = try CalibrationTiles.draw(from: slide, resolution: try slide.resolution(), targetMPP: 2, tileSize: 128, count: 4)
        #expect(drawn.tiles.count == 4)
        for tile in drawn.tiles {
            #expect(CalibrationTiles.unusableReason(tile.image, micronsPerPixel: 2) == nil, "tile \(tile.planIndex)")
        }
    }
}
