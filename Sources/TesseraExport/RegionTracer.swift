import DequeModule

/// A vertex of the heatmap's pixel grid: (x, y) is the top-left corner of heatmap pixel (x, y).
public struct GridPoint: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var x: Int32
    public var y: Int32

    public init(_ x: Int, _ y: Int) {
        self.x = Int32(x)
        self.y = Int32(y)
    }

    public static func < (a: GridPoint, b: GridPoint) -> Bool { (a.y, a.x) < (b.y, b.x) }
    public var description: String { "(\(x), \(y))" }
}

/// A closed ring of grid vertices, without the repeated first point. `nodes` marks the vertices where the
/// boundary's neighbour changes (three or more values meet, or a diagonal contact): simplification keeps them fixed,
/// so two classes that share a boundary simplify it the same way.
public struct GridRing: Sendable, Equatable {
    public var points: [GridPoint]
    public var nodes: [Bool]

    public init(points: [GridPoint], nodes: [Bool]) {
        self.points = points
        self.nodes = nodes
    }

    /// Twice the signed area by the shoelace formula on the raw numbers: positive for shells (counter-clockwise
    /// when x points right and y up, RFC 7946's right-hand rule), negative for holes.
    public var doubleSignedArea: Int64 {
        var sum: Int64 = 0
        var previous = points[points.count - 1]
        for point in points {
            sum += Int64(previous.x) * Int64(point.y) - Int64(point.x) * Int64(previous.y)
            previous = point
        }
        return sum
    }
}

/// One connected region of one class: its shell, its holes, and what it covers.
public struct TracedRegion: Sendable {
    public var classValue: UInt8
    public var shell: GridRing
    public var holes: [GridRing]
    /// Heatmap pixels in the region.
    public var pixelCount: Int64
    /// Sum of the class's probability (uint8, p x 255) over the region's pixels; nil without a probability map.
    public var probabilitySum: Int64?
}

/// Traces the connected regions of chosen classes in a class map fed one row at a time, top to bottom, and hands
/// each region over as soon as its last row has been seen.
///
/// Regions are 4-connected: pixels that touch only at a corner belong to different regions (each region is then a
/// simple polygon, and two such regions share a single point). The background of a region is 8-connected, so a
/// hole that reaches the outside only through a corner is not a hole: the boundary there is written, as OGC
/// requires, as a shell plus a hole that touches it at that one point.
///
/// Memory: two rows of labels per class and the boundaries of the regions still open at the current row; never
/// the whole map.
public final class RegionTracer {
    public let width: Int
    public let height: Int
    private var classTracers: [ClassTracer]
    private var previousRow: [UInt8]
    private var row = 0
    private let emit: (TracedRegion) throws -> Void

    /// - Parameters:
    ///   - classes: the class values to trace (any UInt8; values not listed are background to every traced class).
    ///   - emit: called with each finished region, in the order regions finish (by their lowest row).
    public init(width: Int, height: Int, classes: [UInt8], emit: @escaping (TracedRegion) throws -> Void) {
        precondition(width > 0 && height > 0 && width < Int(Int32.max) && height < Int(Int32.max))
        self.width = width
        self.height = height
        self.emit = emit
        classTracers = classes.map { ClassTracer(value: $0, width: width) }
        previousRow = [UInt8](repeating: 0, count: width)
    }

    /// Adds the next row of class values. `probabilities[i]`, when given, is the row of the i-th traced class's
    /// probability map (uint8, p x 255), used for the regions' mean probability.
    public func addRow(_ values: UnsafeBufferPointer<UInt8>, probabilities: [UnsafeBufferPointer<UInt8>?]? = nil) throws {
        precondition(values.count == width && row < height, "RegionTracer.addRow: wrong row width or too many rows")
        try previousRow.withUnsafeBufferPointer { above in
            for index in classTracers.indices {
                try classTracers[index].step(y: row, height: height, above: row > 0 ? above : nil, below: values,
                                             probabilities: probabilities?[index], emit: emit)
            }
        }
        previousRow.withUnsafeMutableBufferPointer { _ = $0.initialize(from: values) }
        row += 1
    }

    /// Closes the regions on the last row. Every region has been emitted when this returns.
    public func finish() throws {
        precondition(row == height, "RegionTracer.finish: \(row) of \(height) rows added")
        try previousRow.withUnsafeBufferPointer { above in
            for index in classTracers.indices {
                try classTracers[index].step(y: height, height: height, above: above, below: nil, probabilities: nil,
                                             emit: emit)
                try classTracers[index].checkFinished()
            }
        }
    }
}

/// An inconsistency in the tracer's own bookkeeping: a bug, never a property of the input.
public struct RegionTracerError: Error, CustomStringConvertible {
    public var description: String
}

/// The open boundary pieces and the pixel labels of one class.
private struct ClassTracer {
    let value: UInt8
    let width: Int

    // Boundary chains. A chain is a path of grid vertices with an open edge at each end; an end is "parked" in a
    // slot: a vertical edge crossing the current vertex row at column x (slot x), or the horizontal edge reaching
    // the vertex being scanned from the left (slot `carrySlot`).
    struct Chain {
        var points: Deque<GridPoint> = []
        var nodes: Deque<Bool> = []
        var headSlot: Int32 = -2
        var tailSlot: Int32 = -2
        /// Whether the chain went through a diagonal contact (the ring may touch itself there).
        var touchesItself = false
    }
    static let carrySlot: Int32 = -1
    var chains: [Chain] = []
    var freeChains: [Int32] = []
    /// Per column x (0...width): the chain whose end is on the vertical edge at x that crosses the current vertex row.
    var verticalEnds: [Int32]
    var carry: Int32 = -1

    // Pixel labels (4-connected components), union-find with per-component data, compacted every row.
    var labelsAbove: [Int32]
    var labelsBelow: [Int32]
    var parent: [Int32] = []
    var pixelCount: [Int64] = []
    var probabilitySum: [Int64] = []
    var pendingHoles: [Int32: [GridRing]] = [:]
    var hasProbabilities = false
    var remap: [Int32] = []

    init(value: UInt8, width: Int) {
        self.value = value
        self.width = width
        verticalEnds = [Int32](repeating: -1, count: width + 1)
        labelsAbove = [Int32](repeating: -1, count: width)
        labelsBelow = [Int32](repeating: -1, count: width)
    }

    // MARK: Union-find

    mutating func find(_ label: Int32) -> Int32 {
        var root = label
        while parent[Int(root)] != root { root = parent[Int(root)] }
        var node = label
        while parent[Int(node)] != root {
            let next = parent[Int(node)]
            parent[Int(node)] = root
            node = next
        }
        return root
    }

    mutating func union(_ a: Int32, _ b: Int32) {
        var ra = find(a), rb = find(b)
        if ra == rb { return }
        if ra > rb { swap(&ra, &rb) }
        parent[Int(rb)] = ra
        pixelCount[Int(ra)] += pixelCount[Int(rb)]
        probabilitySum[Int(ra)] += probabilitySum[Int(rb)]
        if let holes = pendingHoles.removeValue(forKey: rb) { pendingHoles[ra, default: []].append(contentsOf: holes) }
    }

    /// Labels row `below`'s runs of the class, joined to the row above's (4-connectivity).
    mutating func labelRow(_ below: UnsafeBufferPointer<UInt8>, probabilities: UnsafeBufferPointer<UInt8>?) {
        var x = 0
        while x < width {
            guard below[x] == value else { labelsBelow[x] = -1; x += 1; continue }
            let label = Int32(parent.count)
            parent.append(label)
            var count: Int64 = 0, sum: Int64 = 0
            while x < width && below[x] == value {
                labelsBelow[x] = label
                count += 1
                if let probabilities { sum += Int64(probabilities[x]) }
                x += 1
            }
            pixelCount.append(count)
            probabilitySum.append(sum)
        }
        for x in 0..<width where labelsBelow[x] >= 0 && labelsAbove[x] >= 0 { union(labelsBelow[x], labelsAbove[x]) }
    }

    /// Renumbers the labels of the row just labelled 0..<k, dropping the finished components' bookkeeping.
    mutating func compact() {
        if remap.count < parent.count { remap = [Int32](repeating: -1, count: parent.count) }
        var newParent: [Int32] = [], newCount: [Int64] = [], newSum: [Int64] = []
        var newHoles: [Int32: [GridRing]] = [:]
        var touched: [Int32] = []
        for x in 0..<width where labelsBelow[x] >= 0 {
            let root = find(labelsBelow[x])
            if remap[Int(root)] < 0 {
                let id = Int32(newParent.count)
                remap[Int(root)] = id
                touched.append(root)
                newParent.append(id)
                newCount.append(pixelCount[Int(root)])
                newSum.append(probabilitySum[Int(root)])
                if let holes = pendingHoles[root] { newHoles[id] = holes }
            }
            labelsBelow[x] = remap[Int(root)]
        }
        for root in touched { remap[Int(root)] = -1 }
        parent = newParent
        pixelCount = newCount
        probabilitySum = newSum
        pendingHoles = newHoles
        swap(&labelsAbove, &labelsBelow)
    }

    // MARK: Chains

    mutating func newChain() -> Int32 {
        if let id = freeChains.popLast() { return id }
        chains.append(Chain())
        return Int32(chains.count - 1)
    }

    mutating func park(_ chain: Int32, at slot: Int32) {
        if slot == Self.carrySlot { carry = chain } else { verticalEnds[Int(slot)] = chain }
    }

    /// Joins chain `a` (its tail ends at `point`) to chain `b` (its head starts there); closes the ring when they are
    /// the same chain, returning it.
    mutating func join(_ a: Int32, _ b: Int32, at point: GridPoint, node: Bool, saddle: Bool) -> Chain? {
        if a == b {
            var ring = chains[Int(a)]
            ring.points.append(point)
            ring.nodes.append(node)
            ring.touchesItself = ring.touchesItself || saddle
            chains[Int(a)] = Chain()
            freeChains.append(a)
            return ring
        }
        let touches = chains[Int(a)].touchesItself || chains[Int(b)].touchesItself || saddle
        if chains[Int(a)].points.count >= chains[Int(b)].points.count {
            let other = chains[Int(b)]
            chains[Int(b)] = Chain()
            chains[Int(a)].points.append(point)
            chains[Int(a)].nodes.append(node)
            chains[Int(a)].points.append(contentsOf: other.points)
            chains[Int(a)].nodes.append(contentsOf: other.nodes)
            chains[Int(a)].tailSlot = other.tailSlot
            chains[Int(a)].touchesItself = touches
            park(a, at: other.tailSlot)
            freeChains.append(b)
        } else {
            let other = chains[Int(a)]
            chains[Int(a)] = Chain()
            chains[Int(b)].points.prepend(point)
            chains[Int(b)].nodes.prepend(node)
            chains[Int(b)].points.prepend(contentsOf: other.points)
            chains[Int(b)].nodes.prepend(contentsOf: other.nodes)
            chains[Int(b)].headSlot = other.headSlot
            chains[Int(b)].touchesItself = touches
            park(b, at: other.headSlot)
            freeChains.append(a)
        }
        return nil
    }

    mutating func append(_ chain: Int32, _ point: GridPoint, node: Bool, tail slot: Int32, saddle: Bool = false) {
        chains[Int(chain)].points.append(point)
        chains[Int(chain)].nodes.append(node)
        chains[Int(chain)].tailSlot = slot
        chains[Int(chain)].touchesItself = chains[Int(chain)].touchesItself || saddle
        park(chain, at: slot)
    }

    mutating func prepend(_ chain: Int32, _ point: GridPoint, node: Bool, head slot: Int32, saddle: Bool = false) {
        chains[Int(chain)].points.prepend(point)
        chains[Int(chain)].nodes.prepend(node)
        chains[Int(chain)].headSlot = slot
        chains[Int(chain)].touchesItself = chains[Int(chain)].touchesItself || saddle
        park(chain, at: slot)
    }

    mutating func start(_ point: GridPoint, node: Bool, head: Int32, tail: Int32, saddle: Bool = false) {
        let id = newChain()
        chains[Int(id)] = Chain(points: [point], nodes: [node], headSlot: head, tailSlot: tail, touchesItself: saddle)
        park(id, at: head)
        park(id, at: tail)
    }

    // MARK: One step: pixel row y arrives (nil past the last row), then vertex row y is traced

    mutating func step(y: Int, height: Int, above: UnsafeBufferPointer<UInt8>?, below: UnsafeBufferPointer<UInt8>?,
                       probabilities: UnsafeBufferPointer<UInt8>?, emit: (TracedRegion) throws -> Void) throws {
        if probabilities != nil { hasProbabilities = true }
        if let below { labelRow(below, probabilities: probabilities) }
        else { for x in 0..<width { labelsBelow[x] = -1 } }

        let value = self.value
        @inline(__always) func at(_ row: UnsafeBufferPointer<UInt8>?, _ x: Int) -> Int {
            guard let row, x >= 0, x < width else { return 256 } // outside the map: a value of its own
            return Int(row[x])
        }
        carry = -1
        var closed: [(Chain, Int32)] = []
        for x in 0...width {
            let nw = at(above, x - 1), ne = at(above, x), sw = at(below, x - 1), se = at(below, x)
            let code = (nw == Int(value) ? 8 : 0) | (ne == Int(value) ? 4 : 0) | (sw == Int(value) ? 2 : 0)
                | (se == Int(value) ? 1 : 0)
            if code == 0 || code == 15 { continue }
            let point = GridPoint(x, y)
            // A node: three or more values meet here, or two meet diagonally.
            let distinct = 1 + (ne != nw ? 1 : 0) + (sw != nw && sw != ne ? 1 : 0)
                + (se != nw && se != ne && se != sw ? 1 : 0)
            let node = distinct >= 3 || (distinct == 2 && nw == se && ne == sw)
            let slot = Int32(x)
            switch code {
            case 1: // SE only: a top-left corner; in from below, out to the right
                start(point, node: node, head: slot, tail: Self.carrySlot)
            case 2: // SW only: in from the left, out downwards
                append(carry, point, node: node, tail: slot)
                carry = -1
            case 3: // SW, SE: straight on to the right
                if node { chains[Int(carry)].points.append(point); chains[Int(carry)].nodes.append(true) }
            case 4: // NE only: in from the right, out upwards
                let b = verticalEnds[Int(x)]
                verticalEnds[Int(x)] = -1
                prepend(b, point, node: node, head: Self.carrySlot)
            case 5: // NE, SE: straight on upwards
                let b = verticalEnds[Int(x)]
                if node { chains[Int(b)].points.prepend(point); chains[Int(b)].nodes.prepend(true) }
            case 6: // NE, SW diagonal: right-in -> up-out, left-in -> down-out
                let a = carry, b = verticalEnds[Int(x)]
                prepend(b, point, node: node, head: Self.carrySlot, saddle: true)
                append(a, point, node: node, tail: slot, saddle: true)
            case 7: // NE, SW, SE: left-in joins up-out
                let a = carry, b = verticalEnds[Int(x)]
                carry = -1
                verticalEnds[Int(x)] = -1
                if let ring = join(a, b, at: point, node: node, saddle: false) { closed.append((ring, labelsAbove[x])) }
            case 8: // NW only: up-in joins left-out
                let a = verticalEnds[Int(x)], b = carry
                carry = -1
                verticalEnds[Int(x)] = -1
                if let ring = join(a, b, at: point, node: node, saddle: false) { closed.append((ring, labelsAbove[x - 1])) }
            case 9: // NW, SE diagonal: up-in -> left-out; in from below -> out to the right (a new chain)
                let a = verticalEnds[Int(x)], b = carry
                carry = -1
                verticalEnds[Int(x)] = -1
                if let ring = join(a, b, at: point, node: node, saddle: true) { closed.append((ring, labelsAbove[x - 1])) }
                start(point, node: node, head: slot, tail: Self.carrySlot, saddle: true)
            case 10: // NW, SW: straight on downwards
                let a = verticalEnds[Int(x)]
                if node { chains[Int(a)].points.append(point); chains[Int(a)].nodes.append(true) }
            case 11: // NW, SW, SE: in from above, out to the right
                let a = verticalEnds[Int(x)]
                verticalEnds[Int(x)] = -1
                append(a, point, node: node, tail: Self.carrySlot)
            case 12: // NW, NE: straight on to the left
                if node { chains[Int(carry)].points.prepend(point); chains[Int(carry)].nodes.prepend(true) }
            case 13: // NW, NE, SE: in from below, out to the left
                let b = carry
                carry = -1
                prepend(b, point, node: node, head: slot)
            case 14: // NW, NE, SW: a hole's top-left corner; in from the right, out downwards
                start(point, node: node, head: Self.carrySlot, tail: slot)
            default: break
            }
        }
        for (ring, label) in closed { try close(ring, label: label, emit: emit) }
        if below != nil { compact() }
    }

    /// A ring has closed: split it where it touches itself, then it is either the shell of a finished region (emitted
    /// with the holes found before) or holes of a region still open.
    mutating func close(_ chain: Chain, label: Int32, emit: (TracedRegion) throws -> Void) throws {
        guard label >= 0 else { throw RegionTracerError(description: "a ring closed beside an unlabelled pixel") }
        let root = find(label)
        let loops = chain.touchesItself
            ? Self.splitAtRepeatedPoints(Array(chain.points), Array(chain.nodes))
            : [GridRing(points: Array(chain.points), nodes: Array(chain.nodes))]
        var shell: GridRing?
        var holes: [GridRing] = []
        for loop in loops {
            if loop.doubleSignedArea > 0 {
                guard shell == nil else {
                    throw RegionTracerError(description: "a traced ring gave two shells at \(loop.points[0])")
                }
                shell = loop
            } else {
                holes.append(loop)
            }
        }
        guard let shell else {
            pendingHoles[root, default: []].append(contentsOf: holes)
            return
        }
        let earlier = pendingHoles.removeValue(forKey: root) ?? []
        try emit(TracedRegion(classValue: value, shell: shell, holes: earlier + holes,
                              pixelCount: pixelCount[Int(root)],
                              probabilitySum: hasProbabilities ? probabilitySum[Int(root)] : nil))
    }

    /// Splits a closed walk into simple loops at the vertices it visits twice (diagonal contacts).
    static func splitAtRepeatedPoints(_ points: [GridPoint], _ nodes: [Bool]) -> [GridRing] {
        var loops: [GridRing] = []
        var stackPoints: [GridPoint] = [], stackNodes: [Bool] = []
        var position: [GridPoint: Int] = [:]
        for (point, node) in zip(points, nodes) {
            if let start = position[point] {
                // The walk came back to `point`: what it did since is a loop of its own.
                let loopPoints = Array(stackPoints[start...]), loopNodes = Array(stackNodes[start...])
                for dropped in stackPoints[(start + 1)...] { position[dropped] = nil }
                stackPoints.removeSubrange((start + 1)...)
                stackNodes.removeSubrange((start + 1)...)
                loops.append(GridRing(points: loopPoints, nodes: loopNodes))
            } else {
                position[point] = stackPoints.count
                stackPoints.append(point)
                stackNodes.append(node)
            }
        }
        if stackPoints.count >= 3 { loops.append(GridRing(points: stackPoints, nodes: stackNodes)) }
        return loops
    }

    func checkFinished() throws {
        let open = chains.indices.filter { !chains[$0].points.isEmpty }
        if !open.isEmpty || !pendingHoles.isEmpty {
            throw RegionTracerError(description: "\(open.count) boundaries and \(pendingHoles.count) holes left open for class \(value)")
        }
    }
}
