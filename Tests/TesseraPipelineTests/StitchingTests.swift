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

/// The mean of `field` over the model pixels (scale 1: centres at integer + 0.5) whose centres lie in heatmap pixel
/// (hx, hy)'s level-0 block [hx*d, (hx+1)*d) x [hy*d, (hy+1)*d); the pixel containing the block's centre when none
/// does. Tiles reaching past the slide's edge have model pixels there too.
private func meanOfField(overBlock hx: Int, _ hy: Int, downsample d: Double) -> Double {
    func centres(_ start: Double, _ end: Double) -> [Int] {
        let found = (Int(start) - 1...Int(end) + 1).filter { Double($0) + 0.5 >= start && Double($0) + 0.5 < end }
        return found.isEmpty ? [Int(((start + end) / 2).rounded(.down))] : found
    }
    let xs = centres(Double(hx) * d, Double(hx + 1) * d), ys = centres(Double(hy) * d, Double(hy + 1) * d)
    var sum = 0.0
    for y in ys { for x in xs { sum += Double(field(Double(x) + 0.5, Double(y) + 0.5)) } }
    return sum / Double(xs.count * ys.count)
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

        // And both are the field itself: heatmap pixel (hx, hy) holds the mean of the model pixels whose centres lie
        // in its level-0 block [hx*d, (hx+1)*d) x [hy*d, (hy+1)*d), as probability x 255, and the larger class.
        let (classMap, probabilities) = (tiled.classMap, tiled.probabilities)
        var checked = 0
        for hy in 0..<tiled.height {
            for hx in 0..<tiled.width {
                let p = meanOfField(overBlock: hx, hy, downsample: downsample)
                let index = hy * tiled.width + hx
                #expect(abs(Int(probabilities[0][index]) - Int((p * 255).rounded())) <= 1, "(\(hx), \(hy))")
                #expect(abs(Int(probabilities[1][index]) - Int(((1 - p) * 255).rounded())) <= 1, "(\(hx), \(hy))")
                if abs(p - 0.5) > 1e-4 { #expect(classMap[index] == (p > 0.5 ? 0 : 1), "(\(hx), \(hy))") }
                checked += 1
            }
        }
        #expect(checked == tiled.width * tiled.height)
    }

    /// Three classes, constant over regions of the slide; every tile answers correctly in its own window and wrongly
    /// (class 2, probability 1) in its margins, and one tile is never painted (as if it held no tissue). The heatmap
    /// holds, at known pixels, the known classes and probabilities: margins never leak into it, and the pixels of
    /// the missing tile's own window, and only those, stay unpredicted.
    @Test func paintedClassesAndProbabilitiesAreTheFieldsAtKnownPixels() {
        // Above y = 152: class 1 left of x = 100, class 0 right of it; below: class 2.
        func truth(_ x: Double, _ y: Double) -> [Float] {
            if y >= 152 { return [0.2, 0.2, 0.6] }
            return x < 100 ? [0.2, 0.6, 0.2] : [0.6, 0.2, 0.2]
        }
        let tile = 64, overlap = 16, stride = tile - overlap, margin = overlap / 2
        let canvas = HeatmapCanvas(slideWidth: slide.width, slideHeight: slide.height, downsample: 4, classCount: 3)
        let columns = (slide.width + stride - 1) / stride, rows = (slide.height + stride - 1) / stride
        for row in 0..<rows {
            for column in 0..<columns where !(column == 2 && row == 1) {
                let own = PixelRect(x: column * stride, y: row * stride, width: stride, height: stride)
                let read = PixelRect(x: own.x - margin, y: own.y - margin, width: tile, height: tile)
                var output = [Float](repeating: 0, count: 3 * tile * tile)
                for v in 0..<tile {
                    for u in 0..<tile {
                        let x = read.x + u, y = read.y + v
                        let inOwn = x >= own.x && x < own.maxX && y >= own.y && y < own.maxY
                        let p = inOwn ? truth(Double(x) + 0.5, Double(y) + 0.5) : [0, 0, 1]
                        for c in 0..<3 { output[c * tile * tile + v * tile + u] = p[c] }
                    }
                }
                let geometry = TileOutputGeometry(readWindow: read, ownWindow: own, slideBounds: slide,
                                                  outputWidth: tile, outputHeight: tile)
                output.withUnsafeBufferPointer { canvas.paint(probabilities: $0, geometry: geometry) }
            }
        }
        #expect(canvas.width == 75 && canvas.height == 55)
        let classMap = canvas.classMap, probabilities = canvas.probabilities
        func at(_ hx: Int, _ hy: Int) -> (UInt8, [UInt8]) {
            let index = hy * canvas.width + hx
            return (classMap[index], probabilities.map { $0[index] })
        }
        // 0.2 x 255 = 51, 0.6 x 255 = 153.
        #expect(at(0, 0) == (1, [51, 153, 51]))
        #expect(at(11, 11) == (1, [51, 153, 51]))       // level-0 (44...48, 44...48): beside a tile corner
        #expect(at(12, 12) == (1, [51, 153, 51]))       // (48...52): the next tiles' first own pixels
        #expect(at(24, 0) == (1, [51, 153, 51]))        // x 96...100: the last block left of x = 100
        #expect(at(25, 0) == (0, [153, 51, 51]))        // x 100...104
        #expect(at(74, 37) == (0, [153, 51, 51]))       // the slide's right edge (x 296...300)
        #expect(at(10, 38) == (2, [51, 51, 153]))       // y 152...156
        #expect(at(74, 54) == (2, [51, 51, 153]))       // the bottom-right corner
        // Tile (2, 1) owns level-0 (96...144, 48...96): heatmap pixels 24...35 x 12...23, whose centres it holds.
        for hy in 12...23 {
            for hx in 24...35 { #expect(at(hx, hy) == (HeatmapCanvas.noPrediction, [0, 0, 0]), "(\(hx), \(hy))") }
        }
        #expect(at(23, 12) == (1, [51, 153, 51]))
        #expect(at(36, 12) == (0, [153, 51, 51]))
        #expect(at(24, 11) == (1, [51, 153, 51]))
        #expect(at(24, 24) == (1, [51, 153, 51]))
        // Nowhere did a margin's class 2 with probability 1 (255) reach the heatmap.
        #expect(!probabilities[2].contains(255))
        #expect(classMap.filter { $0 == HeatmapCanvas.noPrediction }.count == 12 * 12)
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
