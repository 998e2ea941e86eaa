import Foundation
import Testing
import TesseraCore
import TesseraHeatmap
@testable import TesseraServe
import TesseraTestSupport

/// `tessera serve` shows OME-TIFF heatmaps (`--heatmap-format ome-tiff`) as it shows the plain ones: the same Deep
/// Zoom layout, the same probability tiles, and the overlay (RGB on white in the file) drawn with its white clear.
@Suite struct OMEHeatmapLayerTests {
    @Test func omeLayersServeTheTilesOfThePlainLayers() throws {
        let directory = try Fixtures.temporaryDirectory("serve-ome")
        defer { try? FileManager.default.removeItem(at: directory) }
        let width = 600, height = 300, names = ["background", "tumour"]
        var classMap = HeatmapImage(width: width, height: height, channels: 1, filledWith: 0)
        var probability = HeatmapImage(width: width, height: height, channels: 1, filledWith: 0)
        for y in 0..<height {
            for x in 0..<width {
                classMap[x, y, 0] = x >= 550 ? HeatmapWriter.noPrediction : UInt8((x / 40 + y / 30) % 2)
                probability[x, y, 0] = UInt8((x + 2 * y) % 256)
            }
        }
        func write(_ format: HeatmapFormat) throws -> SlideHeatmapFiles {
            let stem = directory.appendingPathComponent("s.svs").path, tif = format.fileExtension
            return try HeatmapWriter.writeSlideHeatmaps(
                classMap: classMap, probabilities: [probability, probability], colours: [(0, 0, 0), (200, 30, 40)],
                classNames: names,
                files: SlideHeatmapFiles(classMap: URL(fileURLWithPath: stem + ".classes" + tif),
                                         overlay: URL(fileURLWithPath: stem + ".overlay" + tif),
                                         probabilities: names.map { URL(fileURLWithPath: stem + ".prob-\($0)" + tif) }),
                slideName: "s.svs", downsample: 8, format: format)
        }
        let plain = try write(.tiff), ome = try write(.omeTIFF)
        func sources(_ files: SlideHeatmapFiles) throws -> (overlay: HeatmapTileSource, probability: HeatmapTileSource) {
            (try HeatmapTileSource(layer: HeatmapLayer(id: "overlay", title: "classes", kind: .overlay,
                                                       file: files.overlay, classMap: files.classMap)),
             try HeatmapTileSource(layer: HeatmapLayer(id: "prob-1", title: "tumour", kind: .probability(classIndex: 1),
                                                       file: files.probabilities[1], classMap: files.classMap)))
        }
        let (plainOverlay, plainProbability) = try sources(plain)
        let (omeOverlay, omeProbability) = try sources(ome)
        #expect(omeOverlay.layout == plainOverlay.layout && omeOverlay.downsample == 8)
        let maxLevel = plainOverlay.layout.maxLevel
        for (level, column, row) in [(maxLevel, 0, 0), (maxLevel, 2, 1), (maxLevel - 1, 1, 0), (0, 0, 0)] {
            let a = try omeOverlay.rgbaTile(level: level, column: column, row: row)
            let b = try plainOverlay.rgbaTile(level: level, column: column, row: row)
            #expect(a.width == b.width && a.height == b.height && a.channels == 4)
            // Level 0 of the file round-trips within 1; reduced levels were averaged with white, so only where the
            // plain tile is clear must the OME one be clear too.
            if level == maxLevel {
                let worst = zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
                #expect(worst <= 1, "tile \(level)/\(column)_\(row) off by \(worst)")
            }
            for index in stride(from: 3, to: b.pixels.count, by: 4) where b.pixels[index] == 0 {
                #expect(a.pixels[index] == 0, "tile \(level)/\(column)_\(row): a clear pixel drawn")
            }
            #expect(try omeProbability.rgbaTile(level: level, column: column, row: row)
                    == plainProbability.rgbaTile(level: level, column: column, row: row))
        }
        // A class-1 pixel at (40, 0): (200, 30, 40) at alpha 160 is stored as (220, 114, 120) on white, and comes
        // back as (199, 30, 40): 220 * 255 - 255 * 95 = 31875 = 199.2 x 160 (the forward rounding's loss), alpha 160.
        // Background at (0, 0) is clear.
        let tile = try omeOverlay.rgbaTile(level: maxLevel, column: 0, row: 0)
        #expect(Array(tile.pixel(x: 40, y: 0)) == [199, 30, 40, 160])
        #expect(Array(tile.pixel(x: 0, y: 0)) == [0, 0, 0, 0])
    }
}
