import Testing
import TesseraCore
@testable import TesseraHeatmap

@Suite struct CanvasTests {
    @Test func sizeIsLevelZeroOverDownsampleRoundedUp() {
        let canvas = HeatmapCanvas(levelZeroWidth: 1000, levelZeroHeight: 701, downsample: 100, classCount: 2)
        #expect(canvas.width == 10 && canvas.height == 8)
    }

    @Test func tilesPaintPixelsWhoseCentresTheyContain() {
        let canvas = HeatmapCanvas(levelZeroWidth: 1000, levelZeroHeight: 1000, downsample: 100, classCount: 2)
        // Pixel centres are at 50, 150, 250, ...: the rectangle x 120..<360 holds centres 150, 250, 350.
        let pixels = canvas.heatmapPixels(covering: PixelRect(x: 120, y: 0, width: 240, height: 50))
        #expect(pixels.x == 1..<4)
        #expect(pixels.y == 0..<0)   // 0..<50 stops at the first centre (50), which it does not contain
        #expect(canvas.heatmapPixels(covering: PixelRect(x: 900, y: 950, width: 500, height: 500)).x == 9..<10)
    }

    @Test func overlappingTilesAverageAndUnpaintedPixelsAreNoPrediction() {
        var canvas = HeatmapCanvas(levelZeroWidth: 400, levelZeroHeight: 100, downsample: 100, classCount: 3)
        canvas.paint(region: PixelRect(x: 0, y: 0, width: 200, height: 100), probabilities: [0.1, 0.7, 0.2])
        canvas.paint(region: PixelRect(x: 100, y: 0, width: 200, height: 100), probabilities: [0.1, 0.1, 0.8])
        // Pixel 0: first tile only -> class 1. Pixel 1: mean (0.1, 0.4, 0.5) -> class 2. Pixel 2: second tile -> 2.
        #expect(canvas.classMap().pixels == [1, 2, 2, 255])
        let maps = canvas.probabilityMaps()
        // round(0.7 * 255) = 179 (178.5 up); mean 0.4 -> 102; 0.1 -> 26 (25.5 up, in Float 25.500002).
        #expect(maps[1].pixels == [179, 102, 26, 0])
        #expect(maps[2].pixels == [51, 128, 204, 0])
        #expect(maps[0].pixels == [26, 26, 26, 0])
    }
}
