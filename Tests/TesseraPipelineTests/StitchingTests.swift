import Foundation
import Testing
import TesseraHeatmap
import TesseraCore
@testable import TesseraPipeline

/// A smooth two-class probability field over level-0 coordinates, the "whole-slide" answer that tiles sample.
private func field(_ x: Double, _ y: Double) -> Float {
    Float(0.5 + 0.45 * sin(x / 23.0) * cos(y / 17.0))
}

/// The model output of one tile whose read window starts at (rx, ry), sampled at model pixel centres (scale 1).
private func tileOutput(rx: Int, ry: Int, size n: Int) -> [Float] {
    var planes = [Float](repeating: 0, count: 2 * n * n)
    for v in 0..<n {
        for u in 0..<n {
            let p = field(Double(rx + u) + 0.5, Double(ry + v) + 0.5)
            planes[v * n + u] = p
            planes[n * n + v * n + u] = 1 - p
        }
    }
    return planes
}

@Suite struct StitchingTests {
    let slide = PixelRect(x: 0, y: 0, width: 300, height: 220)

    /// Tiles of 64 with overlap 16 (stride 48, margins 8), painted one by one, give exactly the heatmap painted from
    /// one read of the whole slide: each heatmap pixel comes from the one tile whose own window holds its centre.
    @Test(arguments: [1.0, 4.0, 5.5])
    func overlappingTilesStitchToTheWholeImage(downsample: Double) {
        let tile = 64, overlap = 16, stride = tile - overlap, margin = overlap / 2
        let tiled = HeatmapCanvas(slideWidth: slide.width, slideHeight: slide.height, downsample: downsample, classCount: 2)
        let columns = (slide.width + stride - 1) / stride, rows = (slide.height + stride - 1) / stride
        for row in 0..<rows {
            for column in 0..<columns {
                let own = PixelRect(x: column * stride, y: row * stride, width: stride, height: stride)
                let read = PixelRect(x: own.x - margin, y: own.y - margin, width: tile, height: tile)
                let output = tileOutput(rx: read.x, ry: read.y, size: tile)
                let geometry = TileOutputGeometry(readWindow: read, ownWindow: own, slideBounds: slide,
                                                  outputWidth: tile, outputHeight: tile)
                output.withUnsafeBufferPointer { tiled.paint(probabilities: $0, geometry: geometry) }
            }
        }
        // The whole slide as one "tile" of 320 x 320 covering it.
        let whole = HeatmapCanvas(slideWidth: slide.width, slideHeight: slide.height, downsample: downsample, classCount: 2)
        let output = tileOutput(rx: 0, ry: 0, size: 320)
        let geometry = TileOutputGeometry(readWindow: PixelRect(x: 0, y: 0, width: 320, height: 320), ownWindow: slide,
                                          slideBounds: slide, outputWidth: 320, outputHeight: 320)
        output.withUnsafeBufferPointer { whole.paint(probabilities: $0, geometry: geometry) }

        #expect(tiled.width == Int((300 / downsample).rounded(.up)))
        #expect(!tiled.classMap.contains(HeatmapCanvas.noPrediction))
        #expect(tiled.classMap == whole.classMap)
        #expect(tiled.probabilities == whole.probabilities)
    }

    @Test func summaryCountsOnlyTheOwnWindowClippedToTheSlide() {
        // A 4 x 4 output (scale 2: read window 8 x 8 at (-2, -2)); own window (0, 0, 4, 4); the slide ends at x = 3.
        // Class 1 wins in the left column of model pixels, class 0 elsewhere.
        let n = 4
        var probabilities = [Float](repeating: 0, count: 2 * n * n)
        for v in 0..<n {
            for u in 0..<n {
                let p: Float = u == 1 ? 0.2 : 0.9      // class 0 probability
                probabilities[v * n + u] = p
                probabilities[n * n + v * n + u] = 1 - p
            }
        }
        let geometry = TileOutputGeometry(readWindow: PixelRect(x: -2, y: -2, width: 8, height: 8),
                                          ownWindow: PixelRect(x: 0, y: 0, width: 4, height: 4),
                                          slideBounds: PixelRect(x: 0, y: 0, width: 3, height: 100),
                                          outputWidth: n, outputHeight: n)
        // Model pixel centres are at level-0 -1, 1, 3, 5: the own window clipped to [0, 3) holds only u = 1
        // horizontally, and v = 1, 2 (centres 1 and 3) vertically within [0, 4).
        let summary = probabilities.withUnsafeBufferPointer {
            TileAggregation.summarise(probabilities: $0, classCount: 2, geometry: geometry)
        }
        #expect(summary.pixelCount == 2)
        #expect(summary.areaFractions == [0, 1])
        #expect(abs(summary.meanProbabilities[0] - 0.2) < 1e-6)
        #expect(abs(summary.meanProbabilities[1] - 0.8) < 1e-6)
    }
}
