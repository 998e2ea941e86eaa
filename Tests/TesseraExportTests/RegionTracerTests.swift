import Foundation
import Testing
@testable import TesseraExport

/// Traces every region of `classes` in a map given as rows of digits ("." = 255, no prediction).
func trace(_ rows: [String], classes: [UInt8]) throws -> [TracedRegion] {
    let map = rows.map { row in row.map { $0 == "." ? UInt8(255) : UInt8(String($0))! } }
    var regions: [TracedRegion] = []
    let tracer = RegionTracer(width: map[0].count, height: map.count, classes: classes) { regions.append($0) }
    for row in map { try row.withUnsafeBufferPointer { try tracer.addRow($0) } }
    try tracer.finish()
    return regions
}

/// A ring rotated to start at its smallest point (by y, then x), for comparing with expected coordinates.
func normalised(_ ring: GridRing) -> [GridPoint] {
    let start = ring.points.indices.min { ring.points[$0] < ring.points[$1] }!
    return Array(ring.points[start...] + ring.points[..<start])
}

func points(_ pairs: [(Int, Int)]) -> [GridPoint] { pairs.map { GridPoint($0.0, $0.1) } }

/// No vertex twice, and no two edges crossing or touching except neighbours at their shared vertex. Edges of a
/// traced ring are axis-parallel, so checking unit steps along them for repeated grid vertices is exhaustive.
func isSimple(_ ring: GridRing) -> Bool {
    var seen = Set<GridPoint>()
    for (i, a) in ring.points.enumerated() {
        let b = ring.points[(i + 1) % ring.points.count]
        guard a.x == b.x || a.y == b.y, a != b else { return false }
        let steps = Int(max(abs(b.x - a.x), abs(b.y - a.y)))
        for k in 0..<steps {
            let p = GridPoint(Int(a.x) + k * Int((b.x - a.x).signum()), Int(a.y) + k * Int((b.y - a.y).signum()))
            if !seen.insert(p).inserted { return false }
        }
    }
    return true
}

@Suite struct RegionTracerTests {
    @Test func ringHasItsHoleAfterTheShellWithOppositeOrientation() throws {
        let regions = try trace([
            "00000",
            "01110",
            "01010",
            "01110",
            "00000",
        ], classes: [1, 0])
        let ring = try #require(regions.first { $0.classValue == 1 })
        #expect(normalised(ring.shell) == points([(1, 1), (4, 1), (4, 4), (1, 4)]))
        #expect(ring.holes.map(normalised) == [points([(2, 2), (2, 3), (3, 3), (3, 2)])])
        #expect(ring.shell.doubleSignedArea == 2 * 9 && ring.holes[0].doubleSignedArea == -2 * 1)
        #expect(ring.pixelCount == 8)
        // Class 0: the frame (with the ring as its hole) and the pixel in the middle.
        let zero = regions.filter { $0.classValue == 0 }.sorted { $0.pixelCount > $1.pixelCount }
        #expect(zero.map(\.pixelCount) == [16, 1])
        #expect(normalised(zero[0].shell) == points([(0, 0), (5, 0), (5, 5), (0, 5)]))
        #expect(zero[0].holes.map(normalised) == [points([(1, 1), (1, 4), (4, 4), (4, 1)])])
        #expect(normalised(zero[1].shell) == points([(2, 2), (3, 2), (3, 3), (2, 3)]))
    }

    @Test func touchingRegionsOfTwoClassesShareTheirBoundaryExactly() throws {
        let regions = try trace([
            "1122",
            "1122",
            "1222",
        ], classes: [1, 2])
        let one = try #require(regions.first { $0.classValue == 1 })
        let two = try #require(regions.first { $0.classValue == 2 })
        #expect(normalised(one.shell) == points([(0, 0), (2, 0), (2, 2), (1, 2), (1, 3), (0, 3)]))
        #expect(normalised(two.shell) == points([(2, 0), (4, 0), (4, 3), (1, 3), (1, 2), (2, 2)]))
        #expect(one.pixelCount == 5 && two.pixelCount == 7)
        #expect(one.shell.doubleSignedArea == 10 && two.shell.doubleSignedArea == 14)
        // Where three values meet (the two classes and the outside) and at the inner corner: fixed for simplification.
        let fixedOne = Set(zip(one.shell.points, one.shell.nodes).filter(\.1).map(\.0))
        let fixedTwo = Set(zip(two.shell.points, two.shell.nodes).filter(\.1).map(\.0))
        #expect(fixedOne == Set(points([(2, 0), (1, 3)])) && fixedTwo == fixedOne)
    }

    /// 4-connectivity: pixels of a class that touch only at a corner are separate regions, meeting at one point.
    @Test func diagonalContactMakesTwoRegionsThatShareOnePoint() throws {
        let regions = try trace([
            "10",
            "01",
        ], classes: [1])
        #expect(regions.count == 2)
        #expect(Set(regions.map { normalised($0.shell) })
                    == [points([(0, 0), (1, 0), (1, 1), (0, 1)]), points([(1, 1), (2, 1), (2, 2), (1, 2)])])
        #expect(regions.allSatisfy { $0.holes.isEmpty && $0.pixelCount == 1 })
    }

    /// A hole that reaches the outside only through a corner is written as OGC wants it: a shell, and a hole that
    /// touches the shell at that one point (never a ring that touches itself).
    @Test func holeOpenAtACornerBecomesAHoleTouchingTheShell() throws {
        let regions = try trace([
            "1110",
            "1010",
            "1100",
            "0000",
        ], classes: [1])
        #expect(regions.count == 1)
        let region = regions[0]
        #expect(normalised(region.shell) == points([(0, 0), (3, 0), (3, 2), (2, 2), (2, 3), (0, 3)]))
        #expect(region.holes.map(normalised) == [points([(1, 1), (1, 2), (2, 2), (2, 1)])])
        #expect(isSimple(region.shell) && region.holes.allSatisfy(isSimple))
        #expect((region.shell.doubleSignedArea + region.holes[0].doubleSignedArea) / 2 == region.pixelCount)
        #expect(region.pixelCount == 7)
    }

    @Test func regionOnTheSlideEdgeIsCutWhereTheSlideEnds() throws {
        // 3 x 3 heatmap pixels of d = 10 over a 25 x 25 slide: the last column and row are half outside it.
        let regions = try trace([
            "001",
            "001",
            "111",
        ], classes: [1])
        let region = try #require(regions.first)
        let grid = HeatmapGrid(downsample: 10, slideWidth: 25, slideHeight: 25)
        let polygon = grid.polygon(region)
        let start = polygon.shell.points.indices.min { polygon.shell.points[$0] < polygon.shell.points[$1] }!
        let shell = Array(polygon.shell.points[start...] + polygon.shell.points[..<start])
        #expect(shell == [SlidePoint(20, 0), SlidePoint(25, 0), SlidePoint(25, 25), SlidePoint(0, 25),
                          SlidePoint(0, 20), SlidePoint(20, 20)])
        // Area: the pixels' parts on the slide (two 10 x 5, two 5 x 10, one 5 x 5).
        let expected = [(2, 0), (2, 1), (0, 2), (1, 2), (2, 2)].reduce(0.0) { $0 + grid.pixelArea(x: $1.0, y: $1.1) }
        #expect(expected == 225 && polygon.area == expected)
    }

    @Test func regionsCrossingManyRowsAndNestedIslandsGetTheirOwnHoles() throws {
        // An island (class 1) inside a lake (class 0) inside class 1: three regions of class 1 would be wrong; the
        // outer one has one hole, the island none.
        let regions = try trace([
            "1111111",
            "1000001",
            "1011101",
            "1010101",
            "1011101",
            "1000001",
            "1111111",
        ], classes: [1])
        #expect(regions.count == 2)
        let outer = try #require(regions.first { $0.pixelCount == 24 })
        let island = try #require(regions.first { $0.pixelCount == 8 })
        #expect(outer.holes.map(normalised) == [points([(1, 1), (1, 6), (6, 6), (6, 1)])])
        #expect(island.holes.map(normalised) == [points([(3, 3), (3, 4), (4, 4), (4, 3)])])
        // The island closes first (its bottom is higher): regions come out as soon as they are complete.
        #expect(regions[0].pixelCount == 8)
    }
}

/// Random class maps against a reference: every pixel centre lies in exactly one region, the one of its class;
/// areas equal pixel counts; rings are simple and oriented; regions equal the flood-filled 4-connected components.
@Suite struct RegionTracerPropertyTests {
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    static func contains(_ ring: GridRing, x: Double, y: Double) -> Bool {
        var inside = false
        var j = ring.points.count - 1
        for i in ring.points.indices {
            let a = ring.points[i], b = ring.points[j]
            if (Double(a.y) > y) != (Double(b.y) > y) {
                let crossing = Double(a.x) + (y - Double(a.y)) * Double(b.x - a.x) / Double(b.y - a.y)
                if x < crossing { inside.toggle() }
            }
            j = i
        }
        return inside
    }

    static func components(_ map: [[UInt8]], value: UInt8) -> Int {
        var seen = map.map { $0.map { _ in false } }
        var count = 0
        for y in map.indices {
            for x in map[0].indices where map[y][x] == value && !seen[y][x] {
                count += 1
                var stack = [(x, y)]
                seen[y][x] = true
                while let (px, py) = stack.popLast() {
                    for (nx, ny) in [(px - 1, py), (px + 1, py), (px, py - 1), (px, py + 1)]
                    where ny >= 0 && ny < map.count && nx >= 0 && nx < map[0].count && map[ny][nx] == value && !seen[ny][nx] {
                        seen[ny][nx] = true
                        stack.append((nx, ny))
                    }
                }
            }
        }
        return count
    }

    @Test(arguments: 0..<200) func randomMapsTraceExactly(seed: Int) throws {
        var random = Generator(state: UInt64(seed) &* 0x9E3779B97F4A7C15 &+ 1)
        let width = 3 + random.next(14), height = 3 + random.next(14), classCount = 2 + random.next(3)
        // Blocky noise: runs of one value, so regions have holes, corners and diagonal contacts.
        var map = [[UInt8]]()
        for _ in 0..<height {
            var row = [UInt8]()
            for _ in 0..<width {
                row.append(random.next(3) == 0 || row.isEmpty ? UInt8(random.next(classCount)) : row.last!)
            }
            map.append(random.next(2) == 0 || map.isEmpty ? row : zip(row, map.last!).map { random.next(3) == 0 ? $0 : $1 })
        }
        var regions: [TracedRegion] = []
        let tracer = RegionTracer(width: width, height: height, classes: (0..<UInt8(classCount)).map { $0 }) { regions.append($0) }
        for row in map { try row.withUnsafeBufferPointer { try tracer.addRow($0) } }
        try tracer.finish()

        for value in 0..<UInt8(classCount) {
            let mine = regions.filter { $0.classValue == value }
            #expect(mine.count == Self.components(map, value: value), "seed \(seed) class \(value)")
        }
        for region in regions {
            #expect(region.shell.doubleSignedArea > 0 && region.holes.allSatisfy { $0.doubleSignedArea < 0 })
            #expect(isSimple(region.shell) && region.holes.allSatisfy(isSimple), "seed \(seed)")
            let area = region.shell.doubleSignedArea + region.holes.reduce(0) { $0 + $1.doubleSignedArea }
            #expect(area == 2 * region.pixelCount, "seed \(seed)")
        }
        for y in 0..<height {
            for x in 0..<width {
                let cx = Double(x) + 0.5, cy = Double(y) + 0.5
                let containing = regions.filter { region in
                    Self.contains(region.shell, x: cx, y: cy) && !region.holes.contains { Self.contains($0, x: cx, y: cy) }
                }
                #expect(containing.count == 1 && containing.first?.classValue == map[y][x], "seed \(seed) pixel (\(x), \(y))")
            }
        }
    }
}
