import Foundation
import Testing
import TesseraCore
import TesseraTestSupport
@testable import TesseraHeatmap

/// The canvas a run paints and the checkpoint that lets a killed run continue: what a reopened canvas holds, and
/// when a checkpoint is not trusted.
@Suite struct HeatmapCheckpointTests {
    /// Paints a 2-class tile whose class-1 probability is `p` everywhere over the own window (0, 0, 64, 64) of a
    /// 128 x 64 slide at downsample 8: heatmap pixels (0..<8, 0..<8).
    func paint(_ canvas: HeatmapCanvas, p: Float, x: Int) {
        let size = 64
        var values = [Float](repeating: 1 - p, count: size * size)
        values += [Float](repeating: p, count: size * size)
        let window = PixelRect(x: x, y: 0, width: 64, height: 64)
        let geometry = TileOutputGeometry(readWindow: window, ownWindow: window,
                                          slideBounds: PixelRect(x: 0, y: 0, width: 128, height: 64),
                                          outputWidth: size, outputHeight: size)
        values.withUnsafeBufferPointer { canvas.paint(probabilities: $0, geometry: geometry) }
    }

    @Test func aSavedCheckpointReopensWithItsTilesAndPixels() throws {
        let directory = try Fixtures.temporaryDirectory("checkpoint")
        let first = try HeatmapCheckpoint.openOrCreate(directory: directory, key: "slide-run-1", parametersHash: "h1",
                                                       slideWidth: 128, slideHeight: 64, downsample: 8, classCount: 2)
        #expect(first.paintedTiles.isEmpty)
        #expect(first.canvas.width == 16 && first.canvas.height == 8)
        #expect(first.canvas.classMap.allSatisfy { $0 == HeatmapCanvas.noPrediction })
        paint(first.canvas, p: 0.8, x: 0)
        try HeatmapCheckpoint.save(first.canvas, paintedTiles: [0], parametersHash: "h1", directory: directory,
                                   key: "slide-run-1")
        // Painted after the checkpoint: not recorded, painted again by the next run.
        paint(first.canvas, p: 0.2, x: 64)

        let reopened = try HeatmapCheckpoint.openOrCreate(directory: directory, key: "slide-run-1", parametersHash: "h1",
                                                          slideWidth: 128, slideHeight: 64, downsample: 8, classCount: 2)
        #expect(reopened.paintedTiles == [0])
        let classMap = reopened.canvas.classMap, probabilities = reopened.canvas.probabilities
        // Left half: class 1 at round(0.8 x 255) = 204; right half (painted, unrecorded, same file): class 0.
        for y in 0..<8 {
            for x in 0..<8 {
                #expect(classMap[y * 16 + x] == 1)
                #expect(probabilities[1][y * 16 + x] == 204 && probabilities[0][y * 16 + x] == 51)
            }
            for x in 8..<16 { #expect(classMap[y * 16 + x] == 0) }
        }
    }

    @Test func aCheckpointOfOtherParametersOrSizeStartsAfresh() throws {
        let directory = try Fixtures.temporaryDirectory("checkpoint-stale")
        let first = try HeatmapCheckpoint.openOrCreate(directory: directory, key: "k", parametersHash: "h1",
                                                       slideWidth: 128, slideHeight: 64, downsample: 8, classCount: 2)
        paint(first.canvas, p: 0.9, x: 0)
        try HeatmapCheckpoint.save(first.canvas, paintedTiles: [0, 1], parametersHash: "h1", directory: directory, key: "k")
        for (hash, downsample, classes) in [("h2", 8.0, 2), ("h1", 4.0, 2), ("h1", 8.0, 3)] {
            let other = try HeatmapCheckpoint.openOrCreate(directory: directory, key: "k", parametersHash: hash,
                                                           slideWidth: 128, slideHeight: 64, downsample: downsample,
                                                           classCount: classes)
            #expect(other.paintedTiles.isEmpty)
            #expect(other.canvas.classMap.allSatisfy { $0 == HeatmapCanvas.noPrediction })
        }
    }

    @Test func removingTheLastCheckpointRemovesTheFolder() throws {
        let directory = try Fixtures.temporaryDirectory("checkpoint-remove")
        for key in ["a", "b"] {
            let made = try HeatmapCheckpoint.openOrCreate(directory: directory, key: key, parametersHash: "h",
                                                          slideWidth: 64, slideHeight: 64, downsample: 8, classCount: 2)
            try HeatmapCheckpoint.save(made.canvas, paintedTiles: [3], parametersHash: "h", directory: directory, key: key)
        }
        let folder = HeatmapCheckpoint.folder(directory: directory)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
                == ["a.canvas", "a.json", "b.canvas", "b.json"])
        HeatmapCheckpoint.remove(directory: directory, key: "a")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["b.canvas", "b.json"])
        HeatmapCheckpoint.remove(directory: directory, key: "b")
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }
}
