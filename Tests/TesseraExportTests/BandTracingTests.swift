import Foundation
import Testing
import TesseraHeatmap
import TesseraTestSupport
@testable import TesseraExport

/// Regions traced from a class-map TIFF read band by band (16-row bands here) equal the same map traced whole.
@Suite struct BandTracingTests {
    @Test func regionCrossingBandBoundariesIsTracedWhole() throws {
        let width = 40, height = 50
        var map = HeatmapImage(width: width, height: height, channels: 1, filledWith: HeatmapWriter.noPrediction)
        // Class 1: a rectangle over rows 10..<45 (bands 0, 1 and 2 of 16 rows) with a hole over rows 14..<35;
        // class 2 fills the hole, and a U of class 2 whose arms only join in the last band.
        for y in 10..<45 { for x in 3..<20 { map[x, y, 0] = 1 } }
        for y in 14..<35 { for x in 8..<12 { map[x, y, 0] = 2 } }
        for y in 2..<48 { map[25, y, 0] = 2; map[35, y, 0] = 2 }
        for x in 25...35 { map[x, 48, 0] = 2 }
        let directory = try Fixtures.temporaryDirectory("band-tracing")
        let url = directory.appendingPathComponent("map.classes.tif")
        try HeatmapWriter.write(map, to: url, description: HeatmapDescription(
            slideName: "map.svs", kind: .classes, downsample: 4, classNames: ["background", "a", "b"]),
            downsampling: .majority, tileSize: 16)
        let reader = try HeatmapFileReader(url: url)
        #expect(reader.bandHeight == 16 && reader.bandCount == 4)
        #expect(reader.metadata.classNames == ["background", "a", "b"] && reader.metadata.downsample == 4)

        var banded: [TracedRegion] = []
        try GeoJSONExporter.feed(RegionTracer(width: width, height: height, classes: [1, 2]) { banded.append($0) },
                                 classMap: reader, downsample: 4, probabilities: [nil, nil]) {}
        var whole: [TracedRegion] = []
        let tracer = RegionTracer(width: width, height: height, classes: [1, 2]) { whole.append($0) }
        for y in 0..<height {
            let row = (0..<width).map { map[$0, y, 0] }
            try row.withUnsafeBufferPointer { try tracer.addRow($0) }
        }
        try tracer.finish()
        #expect(banded.map(\.shell) == whole.map(\.shell) && banded.map(\.holes) == whole.map(\.holes))

        let rectangle = try #require(banded.first { $0.classValue == 1 })
        #expect(normalised(rectangle.shell) == points([(3, 10), (20, 10), (20, 45), (3, 45)]))
        #expect(rectangle.holes.map(normalised) == [points([(8, 14), (8, 35), (12, 35), (12, 14)])])
        #expect(rectangle.pixelCount == 17 * 35 - 4 * 21)
        let u = try #require(banded.first { $0.classValue == 2 && $0.pixelCount > 84 })
        #expect(u.pixelCount == 46 * 2 + 11 && u.holes.isEmpty)
        #expect(normalised(u.shell) == points([(25, 2), (26, 2), (26, 48), (35, 48), (35, 2), (36, 2), (36, 49), (25, 49)]))
        // In level-0 pixels (d = 4): the area is the pixel count times 16.
        let grid = HeatmapGrid(downsample: 4, slideWidth: 160, slideHeight: 200)
        #expect(grid.polygon(rectangle).area == Double(rectangle.pixelCount) * 16)
    }
}
