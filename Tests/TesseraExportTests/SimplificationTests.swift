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
        // Kept valid: the shell, at fault, stays as traced (the hole is a rectangle, as simple as it gets).
        let kept = PolygonSimplifier.simplified(polygon, tolerance: 10)
        #expect(kept.polygon == polygon && kept.ringsKeptAsTraced == 1)
    }

    /// Only the rings at fault stay as traced: in a compartment with two holes, the hole whose simplified spike would
    /// cut through a third, small hole keeps its traced form, and the other hole is simplified.
    @Test func aRingAtFaultStaysAsTracedAndTheOthersAreSimplified() throws {
        func ring(_ points: [(Double, Double)]) -> SlideRing {
            SlideRing(points: points.map { SlidePoint($0.0, $0.1) }, fixed: points.map { _ in false })
        }
        let shell = SlideRing(points: [SlidePoint(-10, -10), SlidePoint(210, -10), SlidePoint(210, 40), SlidePoint(-10, 40)],
                              fixed: [true, true, true, true])
        // A hole 100 x 2 with a spike down to (50, 10) (clockwise on the raw numbers, as holes are).
        let spike = ring([(0, 0), (0, 2), (40, 2), (50, 10), (60, 2), (100, 2), (100, 0)])
        // A small hole right of the spike, across the line from (100, 2) to (50, 10) that simplifying draws.
        let small = ring([(70, 5), (70, 8), (74, 8), (74, 5)])
        // A hole whose staircase simplifies cleanly.
        let stairs = ring([(150, 0), (150, 4), (154, 4), (154, 8), (158, 8), (158, 12), (162, 12), (162, 16), (166, 16),
                           (166, 0)])
        let polygon = SlidePolygon(shell: shell, holes: [spike, small, stairs])
        #expect(polygon.shell.signedArea > 0 && polygon.holes.allSatisfy { $0.signedArea < 0 })
        #expect(PolygonSimplifier.isValid(polygon, original: polygon))
        #expect(PolygonSimplifier.simplify(polygon, tolerance: 10) == nil)
        let kept = PolygonSimplifier.simplified(polygon, tolerance: 10)
        #expect(kept.ringsKeptAsTraced == 1)
        #expect(kept.polygon.shell == shell && kept.polygon.holes[0] == spike && kept.polygon.holes[1] == small)
        #expect(kept.polygon.holes[2].points.count < stairs.points.count)
        #expect(PolygonSimplifier.isValid(kept.polygon, original: polygon))
    }

    /// A nucleus's outline as the nucleus stage traces it (one vertex per turn of its pixel staircase; here a disc of
    /// radius 6 pixels, 28 vertices) simplified to one pixel: the staircase steps go, every traced vertex stays within
    /// a pixel of the simplified ring, so its area moves by less than a pixel times its perimeter. Half a pixel keeps
    /// every step (a step's inner corner lies 0.71 px from the chord through its outer ones).
    @Test func aNucleusOutlineLosesItsStaircaseWithinOnePixel() throws {
        let rows = (0..<14).map { y in
            String((0..<14).map { x -> Character in
                let dx = Double(x) + 0.5 - 7, dy = Double(y) + 0.5 - 7
                return dx * dx + dy * dy <= 36 ? "1" : "0"
            })
        }
        let disc = try #require(try trace(rows, classes: [1]).first)
        let traced = HeatmapGrid(downsample: 1, slideWidth: 14, slideHeight: 14).polygon(disc).shell
        let vertices = traced.points.map { (x: $0.x, y: $0.y) }
        let simplified = try #require(GeoJSONExporter.simplifiedOutline(vertices, tolerance: 1))
        #expect(vertices.count == 28 && GeoJSONExporter.simplifiedOutline(vertices, tolerance: 0.5)?.count == 28)
        #expect(simplified.count >= 4 && simplified.count <= 14, "\(simplified.count) vertices")
        let ring = SlideRing(points: simplified.map { SlidePoint($0.x, $0.y) }, fixed: simplified.map { _ in false })
        func distance(_ point: SlidePoint) -> Double {
            ring.points.indices.map { i in
                PolygonSimplifier.segmentDistanceSquared(point, ring.points[i], ring.points[(i + 1) % ring.points.count])
            }.min()!.squareRoot()
        }
        #expect(traced.points.allSatisfy { distance($0) <= 1 })
        let perimeter = traced.points.indices.map { i in
            PolygonSimplifier.squaredDistance(traced.points[i], traced.points[(i + 1) % traced.points.count]).squareRoot()
        }.reduce(0, +)
        #expect(abs(ring.signedArea - traced.signedArea) < perimeter)
        #expect(!PolygonSimplifier.segmentsCross([ring]) && (ring.signedArea > 0) == (traced.signedArea > 0))
        // No tolerance: the outline as traced.
        #expect(GeoJSONExporter.simplifiedOutline(vertices, tolerance: 0)?.count == 28)
    }
}
