import CTIFF
import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraHeatmap

/// The nuclei density map (issue 27): float32 values and NaN back exactly, a pyramid whose reduced levels average
/// only the cells with a density, and the tags and description a reader needs to place it.
@Suite struct NucleusDensityMapTests {
    func description() -> HeatmapDescription {
        HeatmapDescription(slideName: "cells.svs", kind: .nucleusDensity(cellMicrons: 100), downsample: 200,
                           micronsPerPixelX: 0.5, micronsPerPixelY: 0.5, micronsPerPixelSource: "file",
                           classNames: ["background", "nuclei"])
    }

    @Test func valuesNaNAndPyramidReadBack() throws {
        let directory = try Fixtures.temporaryDirectory("density-map")
        defer { try? FileManager.default.removeItem(at: directory) }
        // 40 x 20 cells in 16-pixel tiles: three levels (40x20, 20x10, 10x5), edge tiles partly outside.
        var map = NucleusDensityMap(width: 40, height: 20)
        for y in 0..<20 { for x in 0..<40 where (x + y) % 3 != 0 { map[x, y] = Float(x * 100 + y) + 0.25 } }
        let url = directory.appendingPathComponent("cells.svs.sr1.nuclei-density.tif")
        try map.write(to: url, description: description(), tileSize: 16)

        let (level0, text) = try NucleusDensityMap.read(url)
        #expect(level0.width == 40 && level0.height == 20)
        for index in map.values.indices {
            let written = map.values[index], read = level0.values[index]
            #expect(written.isNaN ? read.isNaN : read == written, "cell \(index)")
        }
        // Each level-1 cell: the mean of the level-0 cells under it that have a density (NaN when none has).
        let (level1, _) = try NucleusDensityMap.read(url, level: 1)
        #expect(level1.width == 20 && level1.height == 10)
        for y in 0..<10 {
            for x in 0..<20 {
                let values = [(0, 0), (1, 0), (0, 1), (1, 1)].map { map[2 * x + $0.0, 2 * y + $0.1] }.filter { !$0.isNaN }
                let expected = values.isEmpty ? Float.nan : values.reduce(0, +) / Float(values.count)
                #expect(expected.isNaN ? level1[x, y].isNaN : level1[x, y] == expected, "level 1 cell \(x),\(y)")
            }
        }
        let (level2, _) = try NucleusDensityMap.read(url, level: 2)
        #expect(level2.width == 10 && level2.height == 5)

        let json = try #require(try JSONSerialization.jsonObject(with: Data((text ?? "").utf8)) as? [String: Any])
        #expect(json["kind"] as? String == "nuclei-density")
        #expect(json["cell_um"] as? Double == 100 && json["downsample"] as? Double == 200)
        #expect(json["unit"] as? String == "nuclei per mm2 of tissue")
        // 0.5 µm x 200 = 100 µm per pixel = 100 px/cm at level 0; float samples.
        let file = try TIFFFile(path: url.path, mode: .read)
        let info = file.directoryInfo()
        #expect(info.bitsPerSample == 32 && info.xResolution == 100 && info.yResolution == 100)
        #expect(file.uint16(TIFFTAG_SAMPLEFORMAT).map(Int.init) == Int(SAMPLEFORMAT_IEEEFP))
    }

    @Test func aMapWithoutADensityDescriptionIsRefused() throws {
        let directory = try Fixtures.temporaryDirectory("density-map-refused")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("x.tif")
        var wrong = description()
        wrong.kind = .classes
        #expect(throws: HeatmapError.self) { try NucleusDensityMap(width: 2, height: 2).write(to: url, description: wrong) }
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }
}
