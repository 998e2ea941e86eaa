import CTIFF
import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraHeatmap

/// Writes the synthetic maps and reads them back with libtiff.
@Suite struct ReadBackTests {
    @Test func classMapPyramidReadsBackWithExactValues() throws {
        let directory = try Fixtures.temporaryDirectory("heatmap-readback")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("pattern.svs.classes.tif")
        try HeatmapWriter.write(Patterns.classMap, to: url, description: Patterns.description(.classes),
                                downsampling: .majority)

        let file = try TIFFFile(path: url.path, mode: .read)
        #expect(file.directoryCount == 3)
        #expect(!file.isBigTIFF)
        let expectedSizes = [(1000, 700), (500, 350), (250, 175)]
        for (index, size) in expectedSizes.enumerated() {
            try file.selectDirectory(index)
            let info = file.directoryInfo()
            #expect(info.width == size.0 && info.height == size.1, "level \(index)")
            #expect(info.tileWidth == 256 && info.tileHeight == 256)
            #expect(info.samplesPerPixel == 1 && info.bitsPerSample == 8)
            #expect(info.photometric == Int(PHOTOMETRIC_MINISBLACK))
            #expect(info.compression == Int(COMPRESSION_ADOBE_DEFLATE))
            #expect(info.predictor == Int(PREDICTOR_NONE))  // only probability maps use the predictor
            #expect(info.subfileType == (index == 0 ? 0 : Int(FILETYPE_REDUCEDIMAGE)))
            // 0.5 µm x 16 = 8 µm per heatmap pixel = 1250 px/cm; y: 0.25 x 16 = 4 µm = 2500 px/cm; halved per level.
            #expect(info.resolutionUnit == Int(RESUNIT_CENTIMETER))
            #expect(info.xResolution == Float(1250) / Float(1 << index))
            #expect(info.yResolution == Float(2500) / Float(1 << index))
        }

        try file.selectDirectory(0)
        let description = try #require(file.directoryInfo().imageDescription)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(description.utf8)) as? [String: Any])
        #expect(json["kind"] as? String == "classes")
        #expect(json["slide"] as? String == "pattern.svs")
        #expect(json["downsample"] as? Double == 16)
        #expect(json["classes"] as? [String] == Patterns.classNames)
        #expect(json["no_prediction"] as? Int == 255)
        #expect(json["tessera"] as? String != nil)

        // Level 0 is the input, byte for byte.
        let level0 = try file.readImage()
        #expect(level0 == Patterns.classMap)
        #expect(level0[0, 0, 0] == 0 && level0[50, 0, 0] == 1 && level0[50, 70, 0] == 2 && level0[950, 10, 0] == 255)

        // Level 1: stripe edges (multiples of 50 and 70) are even, so each 2x2 block is uniform and
        // level1(x, y) = level0(2x, 2y).
        try file.selectDirectory(1)
        let level1 = try file.readImage()
        #expect(level1[25, 0, 0] == 1)          // level 0 (50, 0)
        #expect(level1[25, 35, 0] == 2)         // level 0 (50, 70)
        #expect(level1[449, 349, 0] == 2)       // level 0 (898, 698): (17 + 9) % 3 = 2
        #expect(level1[450, 0, 0] == 255)       // level 0 (900, 0): no prediction

        // Level 2 (250x175) from level 1: stripes are 25 wide there, so a block at x = 12 straddles
        // level-1 columns 24 (class of level-0 x 48, stripe 0) and 25 (stripe 1); rows 0-1 are in row stripe 0.
        // Block values: 0 1 / 0 1 -> tie -> 0 (top-left first).
        try file.selectDirectory(2)
        let level2 = try file.readImage()
        #expect(level2[12, 0, 0] == 0)
        #expect(level2[13, 0, 0] == 1)          // level-1 columns 26, 27 -> stripe 1
        #expect(level2[225, 100, 0] == 255)     // level-1 x 450 -> level-0 x 900
    }
}
