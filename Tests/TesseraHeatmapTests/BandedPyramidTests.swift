import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraHeatmap

/// The writer reads its source and builds the pyramid one band of tile rows at a time (scratch files hold the
/// reduced levels). These tests check that the result equals halving the whole image in memory, level by level.
@Suite struct BandedPyramidTests {
    /// Noise with structure: values repeat in runs, so majority votes and averages both have work to do.
    static func image(width: Int, height: Int, channels: Int, seed: UInt64) -> HeatmapImage {
        var state = seed
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        for i in pixels.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            pixels[i] = UInt8(truncatingIfNeeded: (state >> 33) % (channels == 1 ? 5 : 256))
        }
        return HeatmapImage(width: width, height: height, channels: channels, pixels: pixels)
    }

    @Test(arguments: [(1, PyramidDownsampling.majority), (1, .average), (4, .average), (3, .nearest)])
    func everyLevelEqualsHalvingTheWholeImage(channels: Int, downsampling: PyramidDownsampling) throws {
        let directory = try Fixtures.temporaryDirectory("banded-pyramid")
        defer { try? FileManager.default.removeItem(at: directory) }
        // Odd sizes and a small tile: 11 bands at level 0, odd rows and columns at several levels.
        let source = Self.image(width: 333, height: 701, channels: channels, seed: UInt64(channels))
        let url = directory.appendingPathComponent("banded.tif")
        try HeatmapWriter.write(source, to: url,
                                description: HeatmapDescription(slideName: "banded.svs", kind: .overlay, downsample: 8,
                                                                classNames: ["a", "b"]),
                                downsampling: downsampling, tileSize: 64)

        let file = try TIFFFile(path: url.path, mode: .read)
        let sizes = HeatmapWriter.pyramidLevelSizes(width: 333, height: 701, tileSize: 64)
        #expect(sizes.map(\.height) == [701, 351, 176, 88, 44])
        #expect(file.directoryCount == sizes.count)
        var expected = source
        for index in sizes.indices {
            if index > 0 { expected = expected.halved(using: downsampling) }
            try file.selectDirectory(index)
            #expect(try file.readImage() == expected, "level \(index)")
        }
        // The scratch files of the reduced levels and the temporary TIFF are gone.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["banded.tif"])
    }
}
