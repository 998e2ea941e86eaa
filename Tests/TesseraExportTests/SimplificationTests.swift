import Foundation
import Testing
@testable import TesseraExport

@Suite struct SimplificationTests {
    /// Two classes split by a staircase: simplified, they still share their boundary point for point, so together
    /// they cover the map exactly (no gap, no overlap), and each stays valid.
    @Test func neighboursSimplifyTheirSharedBoundaryTheSameWay() throws {
        let regions = try trace([
            "11111112",
            "11111122",
            "11111222",
            "11112222",
            "11122222",
            "11222222",
        ], classes: [1, 2])
        let grid = HeatmapGrid(downsample: 10, slideWidth: 80, slideHeight: 60)
        let simplified = try regions.map { try #require(PolygonSimplifier.simplify(grid.polygon($0), tolerance: 8)) }
        #expect(simplified.map { $0.shell.points.count } != regions.map { $0.shell.points.count })
        #expect(simplified.map(\.area).reduce(0, +) == 80 * 60)
        let shared = Set(simplified[0].shell.points).intersection(simplified[1].shell.points)
        let boundary = { (polygon: SlidePolygon) in polygon.shell.points.filter { $0.x > 0 && $0.x < 80 && $0.y > 0 && $0.y < 60 } }
        #expect(Set(boundary(simplified[0])) == Set(boundary(simplified[1])) && !shared.isEmpty)
        for polygon in simplified { #expect(!PolygonSimplifier.segmentsCross([polygon.shell] + polygon.holes)) }
    }

    /// A one-pixel island and its hole in the class around it never collapse, whatever the tolerance: each of a
    /// loop's two halves keeps a point, and both rings keep the same ones.
    @Test func smallRingsKeepAtLeastATriangle() throws {
        let regions = try trace(["000", "010", "000"], classes: [0, 1])
        let grid = HeatmapGrid(downsample: 16, slideWidth: 48, slideHeight: 48)
        let frame = try #require(PolygonSimplifier.simplify(grid.polygon(regions.first { $0.classValue == 0 }!), tolerance: 100))
        let island = try #require(PolygonSimplifier.simplify(grid.polygon(regions.first { $0.classValue == 1 }!), tolerance: 100))
        #expect(island.shell.points.count == 4 && island.area == 16 * 16)
        #expect(Set(frame.holes[0].points) == Set(island.shell.points))
        #expect(frame.area + island.area == 48 * 48)
    }

    /// A simplification that would let a hole's ring cross the shell is refused (the caller keeps the traced form).
    @Test func simplifyingIntoAnInvalidPolygonIsRefused() {
        // A notch up to (50, 2) in the bottom edge; the hole sits right of it, near the bottom.
        let shell = SlideRing(points: [SlidePoint(0, 0), SlidePoint(100, 0), SlidePoint(100, 10), SlidePoint(60, 10),
                                       SlidePoint(50, 2), SlidePoint(40, 10), SlidePoint(0, 10)],
                              fixed: [true, true, true, false, false, false, true])
        let hole = SlideRing(points: [SlidePoint(73, 7), SlidePoint(73, 9), SlidePoint(77, 9), SlidePoint(77, 7)],
                             fixed: [true, true, true, true])
        let polygon = SlidePolygon(shell: shell, holes: [hole])
        #expect(PolygonSimplifier.isValid(polygon, original: polygon))
        // With 10 px the notch's sides become straight lines from the corners to (50, 2), which leave the hole outside.
        #expect(PolygonSimplifier.simplify(polygon, tolerance: 10) == nil)
        #expect(PolygonSimplifier.simplify(polygon, tolerance: 1) == polygon)
    }
}
