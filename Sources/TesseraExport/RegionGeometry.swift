/// A point in level-0 slide pixels, origin at the top-left.
public struct SlidePoint: Hashable, Sendable, Comparable {
    public var x: Double
    public var y: Double

    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    public static func < (a: SlidePoint, b: SlidePoint) -> Bool { (a.y, a.x) < (b.y, b.x) }
}

/// A closed ring in level-0 pixels (first point not repeated) with the vertices simplification must keep.
public struct SlideRing: Sendable, Equatable {
    public var points: [SlidePoint]
    public var fixed: [Bool]

    /// Signed area by the shoelace formula on the raw numbers: positive for shells, negative for holes.
    public var signedArea: Double {
        var sum = 0.0
        var previous = points[points.count - 1]
        for point in points {
            sum += previous.x * point.y - point.x * previous.y
            previous = point
        }
        return sum / 2
    }
}

/// A region in level-0 pixels: shell first, holes after.
public struct SlidePolygon: Sendable, Equatable {
    public var shell: SlideRing
    public var holes: [SlideRing]

    /// Shell area minus hole areas, in level-0 pixels².
    public var area: Double { shell.signedArea + holes.reduce(0) { $0 + $1.signedArea } }
}

/// Places the heatmap's grid on the slide: grid vertex (x, y) is level-0 (x·d, y·d), cut at the slide's right and
/// bottom edges (the heatmap's last column and row reach past the slide when its size is not a multiple of d).
public struct HeatmapGrid: Sendable, Equatable {
    public var downsample: Double
    public var slideWidth: Int
    public var slideHeight: Int

    public init(downsample: Double, slideWidth: Int, slideHeight: Int) {
        self.downsample = downsample
        self.slideWidth = slideWidth
        self.slideHeight = slideHeight
    }

    public func point(_ p: GridPoint) -> SlidePoint {
        SlidePoint(Swift.min(Double(p.x) * downsample, Double(slideWidth)),
                   Swift.min(Double(p.y) * downsample, Double(slideHeight)))
    }

    public func ring(_ ring: GridRing) -> SlideRing {
        SlideRing(points: ring.points.map(point), fixed: ring.nodes)
    }

    public func polygon(_ region: TracedRegion) -> SlidePolygon {
        SlidePolygon(shell: ring(region.shell), holes: region.holes.map(ring))
    }

    /// The level-0 area of heatmap pixel (x, y) that lies on the slide.
    public func pixelArea(x: Int, y: Int) -> Double {
        let width = Swift.min(Double(x + 1) * downsample, Double(slideWidth)) - Double(x) * downsample
        let height = Swift.min(Double(y + 1) * downsample, Double(slideHeight)) - Double(y) * downsample
        return Swift.max(0, width) * Swift.max(0, height)
    }
}

/// Douglas-Peucker simplification that keeps a polygon valid and neighbours in step.
///
/// Rings are cut at their fixed vertices (where three values meet or two meet diagonally) into arcs, and each arc
/// is simplified on its own, always walked from its smaller end: a boundary two classes share is the same arc for
/// both and comes out the same, so neighbouring regions neither overlap nor leave gaps. Where the simplified polygon
/// would be invalid (a ring crossing itself or another, a ring collapsing or turning over, a hole leaving its shell)
/// the rings at fault are kept as traced and the rest checked again; `simplified` says how many were kept.
public enum PolygonSimplifier {
    /// Returns the simplified polygon, or nil when simplifying any of its rings would break it (keep the original
    /// then, or take `simplified`'s partly simplified one).
    public static func simplify(_ polygon: SlidePolygon, tolerance: Double) -> SlidePolygon? {
        let result = simplified(polygon, tolerance: tolerance)
        return result.ringsKeptAsTraced == 0 ? result.polygon : nil
    }

    /// Rounds of putting broken rings back before the whole polygon is kept as traced.
    static let repairRounds = 8

    /// The polygon simplified, always valid: each ring whose simplified form breaks the polygon is kept as traced
    /// (so one tight corner of a compartment spanning the slide does not keep its thousands of other vertices); with
    /// how many rings were kept so.
    public static func simplified(_ polygon: SlidePolygon, tolerance: Double) -> (polygon: SlidePolygon, ringsKeptAsTraced: Int) {
        guard tolerance > 0 else { return (polygon, 0) }
        let originals = [polygon.shell] + polygon.holes
        var rings = originals.map { simplify($0, tolerance: tolerance) }
        var kept = 0
        for _ in 0..<repairRounds {
            let atFault = brokenRings(rings, originals: originals)
            if atFault.isEmpty { return (SlidePolygon(shell: rings[0], holes: Array(rings.dropFirst())), kept) }
            // Only rings already as traced at fault (never, for a traced region): nothing left to put back.
            let broken = atFault.filter { rings[$0] != originals[$0] }
            if broken.isEmpty { break }
            for index in broken { rings[index] = originals[index] }
            kept += broken.count
        }
        return (polygon, originals.count)
    }

    static func simplify(_ ring: SlideRing, tolerance: Double) -> SlideRing {
        let n = ring.points.count
        let fixedIndices = ring.fixed.indices.filter { ring.fixed[$0] }
        var keep = [Bool](repeating: false, count: n)
        func arc(from start: Int, to end: Int) -> [Int] {
            var indices = [start]
            var i = (start + 1) % n
            while i != end { indices.append(i); i = (i + 1) % n }
            return indices + [end]
        }
        if fixedIndices.count <= 1 {
            // One loop: from the fixed point, or, with none, from the ring's smallest point.
            let start = fixedIndices.first ?? ring.points.indices.min { ring.points[$0] < ring.points[$1] }!
            simplifyLoop(ring.points, indices: arc(from: start, to: start), tolerance: tolerance, keep: &keep)
        } else {
            for (k, start) in fixedIndices.enumerated() {
                simplifyArc(ring.points, indices: arc(from: start, to: fixedIndices[(k + 1) % fixedIndices.count]),
                            tolerance: tolerance, keep: &keep)
            }
        }
        let kept = ring.points.indices.filter { keep[$0] }
        return SlideRing(points: kept.map { ring.points[$0] }, fixed: kept.map { ring.fixed[$0] })
    }

    /// A closed arc (first and last index the same point): walked towards the start's smaller neighbour and cut at
    /// the point farthest from the start into two ordinary arcs, so it keeps at least a triangle.
    static func simplifyLoop(_ points: [SlidePoint], indices: [Int], tolerance: Double, keep: inout [Bool]) {
        var loop = indices
        if points[loop[loop.count - 2]] < points[loop[1]] { loop.reverse() }
        var far = 1, farDistance = -1.0
        for k in 1..<(loop.count - 1) {
            let d = squaredDistance(points[loop[k]], points[loop[0]])
            if d > farDistance { farDistance = d; far = k }
        }
        simplifyArc(points, indices: Array(loop[0...far]), tolerance: tolerance, keep: &keep)
        simplifyArc(points, indices: Array(loop[far...]), tolerance: tolerance, keep: &keep)
    }

    /// Marks the points of the arc `indices` that Douglas-Peucker keeps: both ends, and at least one point between
    /// them when it has any (so no ring collapses). Walked from its smaller end, so the two rings sharing the arc
    /// choose the same points.
    static func simplifyArc(_ points: [SlidePoint], indices: [Int], tolerance: Double, keep: inout [Bool]) {
        keep[indices[0]] = true
        keep[indices[indices.count - 1]] = true
        guard indices.count > 2 else { return }
        var arc = indices
        if points[arc[arc.count - 1]] < points[arc[0]] { arc.reverse() }
        let toleranceSquared = tolerance * tolerance
        var stack = [(0, arc.count - 1)]
        var first = true
        while let (a, b) = stack.popLast() {
            guard b - a > 1 else { continue }
            var worst = -1, worstDistance = first ? -1 : toleranceSquared
            for k in (a + 1)..<b {
                let d = segmentDistanceSquared(points[arc[k]], points[arc[a]], points[arc[b]])
                if d > worstDistance { worstDistance = d; worst = k }
            }
            first = false
            if worst >= 0 {
                keep[arc[worst]] = true
                stack.append((a, worst))
                stack.append((worst, b))
            }
        }
    }

    static func squaredDistance(_ a: SlidePoint, _ b: SlidePoint) -> Double {
        (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)
    }

    static func segmentDistanceSquared(_ p: SlidePoint, _ a: SlidePoint, _ b: SlidePoint) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let length = dx * dx + dy * dy
        guard length > 0 else { return squaredDistance(p, a) }
        let t = Swift.max(0, Swift.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length))
        return squaredDistance(p, SlidePoint(a.x + t * dx, a.y + t * dy))
    }

    // MARK: Validity

    /// Rings keep at least three points and their orientation; no two segments meet except at shared end points
    /// (neighbours in a ring, or a point where two rings already touched); every hole stays inside the shell.
    static func isValid(_ polygon: SlidePolygon, original: SlidePolygon) -> Bool {
        brokenRings([polygon.shell] + polygon.holes, originals: [original.shell] + original.holes).isEmpty
    }

    /// The rings (shell 0, then the holes) at fault where the polygon is not valid: a ring of fewer than three
    /// points, turned over or of no area; both rings of two segments that meet where they may not; a hole outside
    /// the shell, and the shell.
    static func brokenRings(_ rings: [SlideRing], originals: [SlideRing]) -> Set<Int> {
        var broken = Set<Int>()
        for (index, (ring, source)) in zip(rings, originals).enumerated() {
            if ring.points.count < 3 || (ring.signedArea > 0) != (source.signedArea > 0) || ring.signedArea == 0 {
                broken.insert(index)
            }
        }
        guard broken.isEmpty else { return broken }
        broken = crossingRings(rings)
        let shellPoints = Set(rings[0].points)
        for (index, hole) in rings.enumerated().dropFirst() where !broken.contains(index) {
            // A hole that crosses nothing is wholly inside or wholly outside: test a point of it that the shell lacks.
            guard let probe = hole.points.first(where: { !shellPoints.contains($0) }) else { continue }
            if !contains(rings[0], probe) { broken.formUnion([0, index]) }
        }
        return broken
    }

    struct Segment {
        var a: SlidePoint
        var b: SlidePoint
        var ring: Int
        var index: Int
        var ringCount: Int
    }

    /// Whether any two segments of the rings meet anywhere but at a shared end point allowed to be shared.
    static func segmentsCross(_ rings: [SlideRing]) -> Bool { !crossingRings(rings, first: true).isEmpty }

    /// The rings with a segment that meets another anywhere but at a shared end point allowed to be shared (with
    /// `first`, those of the first such pair found).
    static func crossingRings(_ rings: [SlideRing], first: Bool = false) -> Set<Int> {
        var crossing = Set<Int>()
        var segments: [Segment] = []
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for (r, ring) in rings.enumerated() {
            for i in ring.points.indices {
                let a = ring.points[i], b = ring.points[(i + 1) % ring.points.count]
                segments.append(Segment(a: a, b: b, ring: r, index: i, ringCount: ring.points.count))
                minX = Swift.min(minX, a.x); maxX = Swift.max(maxX, a.x)
                minY = Swift.min(minY, a.y); maxY = Swift.max(maxY, a.y)
            }
        }
        // A uniform grid of cells; each segment is listed in the cells its bounding box covers.
        let cellsPerSide = Swift.max(1, Int(Double(segments.count).squareRoot()))
        let cellWidth = Swift.max((maxX - minX) / Double(cellsPerSide), 1)
        let cellHeight = Swift.max((maxY - minY) / Double(cellsPerSide), 1)
        func cell(_ x: Double, _ y: Double) -> (Int, Int) {
            (Swift.min(cellsPerSide - 1, Int((x - minX) / cellWidth)), Swift.min(cellsPerSide - 1, Int((y - minY) / cellHeight)))
        }
        var grid: [Int: [Int]] = [:]
        for (s, segment) in segments.enumerated() {
            let (x0, y0) = cell(Swift.min(segment.a.x, segment.b.x), Swift.min(segment.a.y, segment.b.y))
            let (x1, y1) = cell(Swift.max(segment.a.x, segment.b.x), Swift.max(segment.a.y, segment.b.y))
            for cy in y0...y1 {
                for cx in x0...x1 {
                    let key = cy * cellsPerSide + cx
                    for other in grid[key, default: []] where conflict(segments[other], segment) {
                        crossing.formUnion([segments[other].ring, segment.ring])
                        if first { return crossing }
                    }
                    grid[key, default: []].append(s)
                }
            }
        }
        return crossing
    }

    static func conflict(_ s: Segment, _ t: Segment) -> Bool {
        if s.ring == t.ring {
            let adjacent = (s.index + 1) % s.ringCount == t.index || (t.index + 1) % t.ringCount == s.index
            if adjacent { return !onlyShareEndPoint(s, t) }
        }
        guard intersect(s.a, s.b, t.a, t.b) else { return false }
        // Segments of different rings may share an end point (rings touching at a point, as traced); segments of
        // one ring that are not neighbours may not.
        if s.ring != t.ring, onlyShareEndPoint(s, t) { return false }
        return true
    }

    /// Two segments sharing exactly one end point and nothing else.
    static func onlyShareEndPoint(_ s: Segment, _ t: Segment) -> Bool {
        let shared: SlidePoint
        if s.a == t.a || s.a == t.b { shared = s.a } else if s.b == t.a || s.b == t.b { shared = s.b } else { return false }
        let sOther = s.a == shared ? s.b : s.a, tOther = t.a == shared ? t.b : t.a
        // Collinear and pointing the same way means they overlap beyond the shared point.
        let cross = (sOther.x - shared.x) * (tOther.y - shared.y) - (sOther.y - shared.y) * (tOther.x - shared.x)
        let dot = (sOther.x - shared.x) * (tOther.x - shared.x) + (sOther.y - shared.y) * (tOther.y - shared.y)
        return !(cross == 0 && dot > 0)
    }

    static func orientation(_ a: SlidePoint, _ b: SlidePoint, _ c: SlidePoint) -> Int {
        let value = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
        return value > 0 ? 1 : (value < 0 ? -1 : 0)
    }

    static func onSegment(_ a: SlidePoint, _ b: SlidePoint, _ p: SlidePoint) -> Bool {
        Swift.min(a.x, b.x) <= p.x && p.x <= Swift.max(a.x, b.x) && Swift.min(a.y, b.y) <= p.y && p.y <= Swift.max(a.y, b.y)
    }

    /// Closed segments ab and cd have a point in common.
    static func intersect(_ a: SlidePoint, _ b: SlidePoint, _ c: SlidePoint, _ d: SlidePoint) -> Bool {
        let o1 = orientation(a, b, c), o2 = orientation(a, b, d), o3 = orientation(c, d, a), o4 = orientation(c, d, b)
        if o1 != o2 && o3 != o4 { return true }
        if o1 == 0 && onSegment(a, b, c) { return true }
        if o2 == 0 && onSegment(a, b, d) { return true }
        if o3 == 0 && onSegment(c, d, a) { return true }
        if o4 == 0 && onSegment(c, d, b) { return true }
        return false
    }

    /// Even-odd ray casting; `point` is not on the ring.
    static func contains(_ ring: SlideRing, _ point: SlidePoint) -> Bool {
        var inside = false
        var j = ring.points.count - 1
        for i in ring.points.indices {
            let a = ring.points[i], b = ring.points[j]
            if (a.y > point.y) != (b.y > point.y) {
                let x = a.x + (point.y - a.y) * (b.x - a.x) / (b.y - a.y)
                if point.x < x { inside.toggle() }
            }
            j = i
        }
        return inside
    }
}
