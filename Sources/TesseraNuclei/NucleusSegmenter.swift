import Foundation

/// How nuclei are separated from a nuclei probability map (issue 27).
public struct NucleusSegmentationSettings: Sendable, Equatable, Codable {
    /// A pixel is nucleus where its nuclei probability is at least this.
    public var probabilityThreshold: Float = 0.5
    /// Two nuclei are separated only where each has a centre at least this far (pixels) inside the nucleus: the
    /// marker of a nucleus is a maximum of the distance to the background within this radius. At 0.5 µm/px, 3 px is
    /// 1.5 µm, half the radius of the smallest lymphocyte nucleus.
    public var markerRadius: Int = 3
    /// A maximum must stand this much (pixels of distance) above the saddle to the next one to be a marker of its
    /// own (h-maxima), so a nucleus with a rough outline is not cut into pieces.
    public var markerDepth: Float = 1.0
    /// Objects smaller than this many pixels are left out (4 µm² at 0.5 µm/px: debris, noise).
    public var minimumPixels: Int = 16
    /// Holes in the foreground up to this many pixels are filled (12.5 µm² at 0.5 µm/px): the pale centre of a
    /// vesicular nucleus, where the probability dips, belongs to the nucleus (scikit-image's `remove_small_holes`).
    /// Larger enclosed gaps, as between the nuclei of a cluster, stay background.
    public var maximumHolePixels: Int = 50
    /// Whether the foreground is redrawn from the image's haematoxylin (`ForegroundRefinement`) when an image is given.
    /// Opt-in (`tessera run --refine-nuclei`): on the synthetic slide's held-out seed it lifts F1 at IoU 0.5 from 0.65
    /// to 0.86 and brings the median area error from 18% to 5%; on CMU's real nuclei it keeps the count (-3% against
    /// the probability alone) and draws them at a median 0.93 of the probability's area, where their half-darkness
    /// contours are about 0.87. Off by default because it costs 19-22% of the network's time, over the 15% the
    /// nucleus stage may take, and a whole CMU run counts 7.3% more nuclei with it where its crops move 0.7%
    /// (BENCHMARKS.md, issue 27).
    public var refinesWithHaematoxylin: Bool = false
    /// σ (pixels) of the Gaussian that smooths the haematoxylin density before it is thresholded: chromatin texture
    /// and JPEG noise off, edges kept.
    public var haematoxylinSmoothing: Float = 0.7
    /// The probability's foreground grows by a disc of this radius (pixels) to the candidates the image may claim:
    /// the model's outline is about a pixel off the nucleus's edge, either way, and misses pale nuclei's far sides
    /// (3 rather than 2 on the synthetic slide, prototyped with a core radius of 4: F1 0.867 to 0.892; on its
    /// held-out seed 28, 0.865 to 0.897).
    public var candidateGrowth: Int = 3
    /// Width (pixels, Chebyshev) of the ring of non-candidate pixels around a candidate component whose median
    /// haematoxylin is the tissue's level there.
    public var backgroundRing: Int = 3
    /// Radius (pixels) of the disc over which a candidate pixel's nucleus core is taken: about a nucleus's radius
    /// (3 µm at 0.5 µm/px), so a pale nucleus beside a dark one is held mostly to its own core.
    public var coreRadius: Int = 6
    /// The core is this percentile (nearest rank) of the candidate haematoxylin within the disc: not its maximum (100),
    /// which chromatin clumps and dark rims set on real nuclei, so that the half-way level hugged their darkest parts
    /// (CMU: a median 0.72 of the probability's area, and nuclei cut into pieces); 95 draws them at 0.93.
    public var corePercentile: Int = 95
    /// A nucleus's edge lies this far from the tissue's haematoxylin to the core's: half-darkness, where a blurred
    /// edge crosses the real one.
    public var edgeFraction: Float = 0.5
    /// Below this core-over-tissue haematoxylin (optical density), the image says nothing and the probability's
    /// foreground stands.
    public var minimumContrast: Float = 0.05
    /// Pieces of the refined foreground (8-connected) smaller than this many pixels are dropped before the nuclei are
    /// separated: a chromatin clump or a dark speck in the growth ring, not a nucleus (7.5 µm² at 0.5 µm/px; without
    /// it CMU's 8 reference crops gave 214 objects under 30 pixels against the probability's 71).
    public var minimumRefinedPixels: Int = 30

    public init(probabilityThreshold: Float = 0.5, markerRadius: Int = 3, markerDepth: Float = 1.0, minimumPixels: Int = 16,
                maximumHolePixels: Int = 50, refinesWithHaematoxylin: Bool = false) {
        self.probabilityThreshold = probabilityThreshold
        self.markerRadius = markerRadius
        self.markerDepth = markerDepth
        self.minimumPixels = minimumPixels
        self.maximumHolePixels = maximumHolePixels
        self.refinesWithHaematoxylin = refinesWithHaematoxylin
    }

    private enum CodingKeys: String, CodingKey {
        case probabilityThreshold, markerRadius, markerDepth, minimumPixels, maximumHolePixels, refinesWithHaematoxylin,
             haematoxylinSmoothing, candidateGrowth, backgroundRing, coreRadius, corePercentile, edgeFraction, minimumContrast,
             minimumRefinedPixels
    }

    /// The refinement's keys are written only when it is on, so that a run with it off (the default) records (and
    /// hashes) the parameters runs recorded before it existed, and earlier runs are still found as done.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(probabilityThreshold, forKey: .probabilityThreshold)
        try c.encode(markerRadius, forKey: .markerRadius)
        try c.encode(markerDepth, forKey: .markerDepth)
        try c.encode(minimumPixels, forKey: .minimumPixels)
        try c.encode(maximumHolePixels, forKey: .maximumHolePixels)
        guard refinesWithHaematoxylin else { return }
        try c.encode(refinesWithHaematoxylin, forKey: .refinesWithHaematoxylin)
        try c.encode(haematoxylinSmoothing, forKey: .haematoxylinSmoothing)
        try c.encode(candidateGrowth, forKey: .candidateGrowth)
        try c.encode(backgroundRing, forKey: .backgroundRing)
        try c.encode(coreRadius, forKey: .coreRadius)
        try c.encode(corePercentile, forKey: .corePercentile)
        try c.encode(edgeFraction, forKey: .edgeFraction)
        try c.encode(minimumContrast, forKey: .minimumContrast)
        try c.encode(minimumRefinedPixels, forKey: .minimumRefinedPixels)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        probabilityThreshold = try c.decode(Float.self, forKey: .probabilityThreshold)
        markerRadius = try c.decode(Int.self, forKey: .markerRadius)
        markerDepth = try c.decode(Float.self, forKey: .markerDepth)
        minimumPixels = try c.decode(Int.self, forKey: .minimumPixels)
        maximumHolePixels = try c.decode(Int.self, forKey: .maximumHolePixels)
        // Parameters recorded without the refinement's keys are those of a run without it; those recorded with it
        // but without a core percentile or a smallest piece are the first opt-in rule's (the maximum, no piece dropped).
        refinesWithHaematoxylin = try c.decodeIfPresent(Bool.self, forKey: .refinesWithHaematoxylin) ?? false
        haematoxylinSmoothing = try c.decodeIfPresent(Float.self, forKey: .haematoxylinSmoothing) ?? haematoxylinSmoothing
        candidateGrowth = try c.decodeIfPresent(Int.self, forKey: .candidateGrowth) ?? candidateGrowth
        backgroundRing = try c.decodeIfPresent(Int.self, forKey: .backgroundRing) ?? backgroundRing
        coreRadius = try c.decodeIfPresent(Int.self, forKey: .coreRadius) ?? coreRadius
        if refinesWithHaematoxylin {
            corePercentile = try c.decodeIfPresent(Int.self, forKey: .corePercentile) ?? 100
            minimumRefinedPixels = try c.decodeIfPresent(Int.self, forKey: .minimumRefinedPixels) ?? 0
        }
        edgeFraction = try c.decodeIfPresent(Float.self, forKey: .edgeFraction) ?? edgeFraction
        minimumContrast = try c.decodeIfPresent(Float.self, forKey: .minimumContrast) ?? minimumContrast
    }
}

/// Nucleus instances in one probability map: the foreground (probability >= threshold; redrawn from the image's
/// haematoxylin within a little more than that when the image is given, `ForegroundRefinement`), its Euclidean
/// distance to the background, markers at the distance's h-maxima, and a marker-controlled watershed of the negated distance
/// within the foreground. This is the classic split of touching convex objects (Vincent & Soille's flooding, seeded
/// as in scikit-image's `watershed(-distance, markers, mask=foreground)`), cheap enough for a CPU next to the network.
///
/// Labels are 1...count in the order of each object's first pixel in raster order; 0 is background.
public enum NucleusSegmenter {
    public struct Result: Sendable, Equatable {
        public var width: Int
        public var height: Int
        /// Row-major labels; 0 is background.
        public var labels: [Int32]
        public var count: Int
    }

    /// `haematoxylin`, when given, is the image's haematoxylin density at each pixel of the map
    /// (`HaematoxylinDensity`), which redraws the foreground when the settings say so.
    public static func segment(probability: UnsafeBufferPointer<Float>, haematoxylin: UnsafeBufferPointer<Float>? = nil,
                               width: Int, height: Int, settings: NucleusSegmentationSettings = .init()) -> Result {
        precondition(probability.count >= width * height)
        let n = width * height
        var foreground = [Bool](repeating: false, count: n)
        for i in 0..<n { foreground[i] = probability[i] >= settings.probabilityThreshold }
        fillHoles(&foreground, width: width, height: height, upTo: settings.maximumHolePixels)
        if settings.refinesWithHaematoxylin, let haematoxylin {
            precondition(haematoxylin.count >= n)
            foreground = ForegroundRefinement.refine(seed: foreground, haematoxylin: haematoxylin, width: width,
                                                     height: height, settings: settings)
        }
        let distance = DistanceTransform.euclidean(foreground: foreground, width: width, height: height)
        let markers = Self.markers(distance: distance, foreground: foreground, width: width, height: height,
                                   radius: settings.markerRadius, depth: settings.markerDepth)
        var labels = watershed(distance: distance, foreground: foreground, markers: markers, width: width, height: height)
        var result = relabel(&labels, width: width, height: height, minimumPixels: settings.minimumPixels)
        fillEnclosedBackground(&result.labels, width: width, height: height, upTo: settings.maximumHolePixels)
        return result
    }

    /// Marker labels (0 = none): pixels that are the largest distance within `radius` and stand `depth` above the
    /// lowest point on any path to a higher maximum, grouped when within `radius` of each other. Every foreground component gets at least one
    /// marker (its highest pixel), so none is lost.
    static func markers(distance: [Float], foreground: [Bool], width: Int, height: Int, radius: Int,
                        depth: Float) -> [Int32] {
        let n = width * height
        // Local maxima within the radius (a square window, as peak_local_max's footprint).
        let windowMaximum = SlidingMaximum.square(distance, width: width, height: height, radius: radius)
        var candidate = [Bool](repeating: false, count: n)
        for i in 0..<n where foreground[i] && distance[i] > 0 && distance[i] >= windowMaximum[i] { candidate[i] = true }
        // h-maxima: a candidate survives when the reconstruction of (distance - depth) under distance leaves it a
        // maximum, i.e. it is not within `depth` of a path to a higher region. Grayscale reconstruction by dilation.
        let lowered = distance.map { Swift.max(0, $0 - depth) }
        let reconstructed = Reconstruction.byDilation(marker: lowered, mask: distance, width: width, height: height)
        // Marker pixels closer than the radius (Chebyshev) to each other are one marker: a flat or noisy top gives
        // several equal maxima a pixel or two apart, which h-maxima alone keeps apart (as scikit-image's does).
        var markerPixels: [Int] = []
        for i in 0..<n where candidate[i] && distance[i] - reconstructed[i] >= depth - 1e-4 { markerPixels.append(i) }
        var parent = Array(markerPixels.indices)
        func root(_ k: Int) -> Int {
            var k = k
            while parent[k] != k { parent[k] = parent[parent[k]]; k = parent[k] }
            return k
        }
        var slot = [Int: Int](minimumCapacity: markerPixels.count)
        for (k, p) in markerPixels.enumerated() { slot[p] = k }
        let reach = Swift.max(1, radius)
        for (k, p) in markerPixels.enumerated() {
            let x = p % width, y = p / width
            for ny in Swift.max(0, y - reach)...Swift.min(height - 1, y + reach) {
                for nx in Swift.max(0, x - reach)...Swift.min(width - 1, x + reach) {
                    if let other = slot[ny * width + nx] { parent[root(other)] = root(k) }
                }
            }
        }
        var markers = [Int32](repeating: 0, count: n)
        var next: Int32 = 0
        var numbers: [Int: Int32] = [:]
        for (k, p) in markerPixels.enumerated() {
            let r = root(k)
            if numbers[r] == nil { next += 1; numbers[r] = next }
            markers[p] = numbers[r]!
        }
        // A foreground component without a marker (a thin sliver whose maxima fell below the depth) gets one at its
        // highest pixel.
        var seen = [Bool](repeating: false, count: n)
        for i in 0..<n where foreground[i] && !seen[i] {
            var component: [Int] = [i]
            seen[i] = true
            var k = 0
            var hasMarker = markers[i] != 0
            var best = i
            while k < component.count {
                let p = component[k]; k += 1
                if markers[p] != 0 { hasMarker = true }
                if distance[p] > distance[best] { best = p }
                let x = p % width, y = p / width
                for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)]
                where nx >= 0 && ny >= 0 && nx < width && ny < height {
                    let q = ny * width + nx
                    if foreground[q] && !seen[q] { seen[q] = true; component.append(q) }
                }
            }
            if !hasMarker { next += 1; markers[best] = next }
        }
        return markers
    }

    /// Floods the foreground from the markers in order of decreasing distance (a priority queue keyed by distance,
    /// ties broken by arrival order, so the result does not depend on the queue's internals). 4-connected.
    static func watershed(distance: [Float], foreground: [Bool], markers: [Int32], width: Int, height: Int) -> [Int32] {
        var labels = markers
        var queue = PriorityQueue()
        var order: UInt64 = 0
        func push(_ p: Int) {
            let x = p % width, y = p / width
            for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)]
            where nx >= 0 && ny >= 0 && nx < width && ny < height {
                let q = ny * width + nx
                if foreground[q] && labels[q] == 0 {
                    labels[q] = -1 // queued
                    queue.push(priority: distance[q], order: order, index: q, label: labels[p])
                    order += 1
                }
            }
        }
        for p in labels.indices where labels[p] > 0 { push(p) }
        while let item = queue.pop() {
            labels[item.index] = item.label
            push(item.index)
        }
        return labels
    }

    /// Removes objects below `minimumPixels` and numbers the rest 1...count in raster order of their first pixel.
    /// Sets the background components (4-connected) of at most `limit` pixels that do not touch the map's edge.
    static func fillHoles(_ foreground: inout [Bool], width: Int, height: Int, upTo limit: Int) {
        guard limit > 0 else { return }
        let holes = enclosedComponents(width: width, height: height, upTo: limit) { !foreground[$0] }
        for hole in holes { for i in hole.pixels { foreground[i] = true } }
    }

    /// Gives a background component (4-connected, at most `limit` pixels, off the map's edge) the label of the one
    /// object around it: a basin too small to be a nucleus, dropped inside a nucleus, is part of that nucleus, so no
    /// nucleus has holes and its outline encloses exactly its pixels.
    static func fillEnclosedBackground(_ labels: inout [Int32], width: Int, height: Int, upTo limit: Int) {
        guard limit > 0 else { return }
        let pockets = enclosedComponents(width: width, height: height, upTo: limit) { labels[$0] == 0 }
        for pocket in pockets {
            let around = Set(pocket.around.map { labels[$0] })
            guard around.count == 1, let label = around.first else { continue }
            for i in pocket.pixels { labels[i] = label }
        }
    }

    /// The 4-connected components of the pixels where `member` holds that do not touch the map's edge and have at most
    /// `limit` pixels, each with its pixels and the non-member pixels next to it.
    static func enclosedComponents(width: Int, height: Int, upTo limit: Int,
                                   member: (Int) -> Bool) -> [(pixels: [Int], around: [Int])] {
        var seen = [Bool](repeating: false, count: width * height)
        var found: [(pixels: [Int], around: [Int])] = []
        var stack: [Int] = []
        for start in 0..<(width * height) where member(start) && !seen[start] {
            var pixels: [Int] = [], around: [Int] = []
            var touchesEdge = false
            seen[start] = true
            stack.append(start)
            while let i = stack.popLast() {
                pixels.append(i)
                let x = i % width, y = i / width
                if x == 0 || y == 0 || x == width - 1 || y == height - 1 { touchesEdge = true }
                for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)]
                where nx >= 0 && ny >= 0 && nx < width && ny < height {
                    let j = ny * width + nx
                    if !member(j) { around.append(j) } else if !seen[j] { seen[j] = true; stack.append(j) }
                }
            }
            if !touchesEdge && pixels.count <= limit { found.append((pixels, around)) }
        }
        return found
    }

    static func relabel(_ labels: inout [Int32], width: Int, height: Int, minimumPixels: Int) -> Result {
        var sizes: [Int32: Int] = [:]
        for label in labels where label > 0 { sizes[label, default: 0] += 1 }
        var mapping: [Int32: Int32] = [:]
        var next: Int32 = 0
        for i in labels.indices {
            let label = labels[i]
            guard label > 0 else { labels[i] = 0; continue }
            if let mapped = mapping[label] { labels[i] = mapped; continue }
            if sizes[label]! < minimumPixels { mapping[label] = 0; labels[i] = 0; continue }
            next += 1
            mapping[label] = next
            labels[i] = next
        }
        return Result(width: width, height: height, labels: labels, count: Int(next))
    }
}

/// A binary max-heap of (distance, arrival order): the highest distance first, the earliest arrival among equals.
struct PriorityQueue {
    struct Item { var priority: Float; var order: UInt64; var index: Int; var label: Int32 }
    private var heap: [Item] = []

    private static func before(_ a: Item, _ b: Item) -> Bool {
        a.priority > b.priority || (a.priority == b.priority && a.order < b.order)
    }

    mutating func push(priority: Float, order: UInt64, index: Int, label: Int32) {
        heap.append(Item(priority: priority, order: order, index: index, label: label))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Item? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var best = parent
                if left < heap.count && Self.before(heap[left], heap[best]) { best = left }
                if right < heap.count && Self.before(heap[right], heap[best]) { best = right }
                if best == parent { break }
                heap.swapAt(parent, best)
                parent = best
            }
        }
        return top
    }
}

/// Exact Euclidean distance transform (Felzenszwalb & Huttenlocher, "Distance Transforms of Sampled Functions",
/// 2012): the distance of each foreground pixel to the nearest background pixel, in pixels; 0 on background. Pixels
/// beyond the map's edge count as background, so an object cut by the tile's edge is not taken as deep.
enum DistanceTransform {
    static func euclidean(foreground: [Bool], width: Int, height: Int) -> [Float] {
        let infinity: Float = 1e20
        // Padded by one background pixel on every side.
        let pw = width + 2, ph = height + 2
        var grid = [Float](repeating: 0, count: pw * ph)
        for y in 0..<height { for x in 0..<width where foreground[y * width + x] { grid[(y + 1) * pw + x + 1] = infinity } }
        var line = [Float](repeating: 0, count: Swift.max(pw, ph))
        var out = [Float](repeating: 0, count: Swift.max(pw, ph))
        for x in 0..<pw {
            for y in 0..<ph { line[y] = grid[y * pw + x] }
            transform1D(line, count: ph, into: &out)
            for y in 0..<ph { grid[y * pw + x] = out[y] }
        }
        for y in 0..<ph {
            for x in 0..<pw { line[x] = grid[y * pw + x] }
            transform1D(line, count: pw, into: &out)
            for x in 0..<pw { grid[y * pw + x] = out[x] }
        }
        var distance = [Float](repeating: 0, count: width * height)
        for y in 0..<height { for x in 0..<width { distance[y * width + x] = grid[(y + 1) * pw + x + 1].squareRoot() } }
        return distance
    }

    /// Squared distance transform of one line of squared costs (the lower envelope of parabolas).
    private static func transform1D(_ f: [Float], count n: Int, into d: inout [Float]) {
        var v = [Int](repeating: 0, count: n)
        var z = [Float](repeating: 0, count: n + 1)
        var k = 0
        z[0] = -.infinity
        z[1] = .infinity
        for q in 1..<n {
            var s: Float
            repeat {
                let p = v[k]
                s = ((f[q] + Float(q * q)) - (f[p] + Float(p * p))) / Float(2 * (q - p))
                if s <= z[k] { k -= 1 } else { break }
            } while k >= 0
            k += 1
            v[k] = q
            z[k] = s
            z[k + 1] = .infinity
        }
        k = 0
        for q in 0..<n {
            while z[k + 1] < Float(q) { k += 1 }
            let dq = Float(q - v[k])
            d[q] = dq * dq + f[v[k]]
        }
    }
}

/// The maximum over a (2r + 1)² square around each pixel (separable: rows, then columns).
enum SlidingMaximum {
    static func square(_ values: [Float], width: Int, height: Int, radius: Int) -> [Float] {
        guard radius > 0 else { return values }
        var rows = values
        for y in 0..<height {
            for x in 0..<width {
                var m = -Float.infinity
                for k in Swift.max(0, x - radius)...Swift.min(width - 1, x + radius) { m = Swift.max(m, values[y * width + k]) }
                rows[y * width + x] = m
            }
        }
        var result = rows
        for y in 0..<height {
            for x in 0..<width {
                var m = -Float.infinity
                for k in Swift.max(0, y - radius)...Swift.min(height - 1, y + radius) { m = Swift.max(m, rows[k * width + x]) }
                result[y * width + x] = m
            }
        }
        return result
    }
}

/// Grayscale reconstruction by dilation of `marker` under `mask` (marker <= mask), 8-connected: Vincent's hybrid
/// algorithm (a raster and an anti-raster scan, then a FIFO for what they left).
enum Reconstruction {
    static func byDilation(marker: [Float], mask: [Float], width: Int, height: Int) -> [Float] {
        var j = zip(marker, mask).map { Swift.min($0, $1) }
        func at(_ x: Int, _ y: Int) -> Int { y * width + x }
        for y in 0..<height {
            for x in 0..<width {
                var m = j[at(x, y)]
                if x > 0 { m = Swift.max(m, j[at(x - 1, y)]) }
                if y > 0 {
                    m = Swift.max(m, j[at(x, y - 1)])
                    if x > 0 { m = Swift.max(m, j[at(x - 1, y - 1)]) }
                    if x + 1 < width { m = Swift.max(m, j[at(x + 1, y - 1)]) }
                }
                j[at(x, y)] = Swift.min(m, mask[at(x, y)])
            }
        }
        var fifo: [Int] = []
        for y in stride(from: height - 1, through: 0, by: -1) {
            for x in stride(from: width - 1, through: 0, by: -1) {
                var m = j[at(x, y)]
                if x + 1 < width { m = Swift.max(m, j[at(x + 1, y)]) }
                if y + 1 < height {
                    m = Swift.max(m, j[at(x, y + 1)])
                    if x + 1 < width { m = Swift.max(m, j[at(x + 1, y + 1)]) }
                    if x > 0 { m = Swift.max(m, j[at(x - 1, y + 1)]) }
                }
                let p = at(x, y)
                j[p] = Swift.min(m, mask[p])
                // A forward neighbour that could still grow from p goes into the queue.
                for (nx, ny) in [(x + 1, y), (x, y + 1), (x + 1, y + 1), (x - 1, y + 1)]
                where nx >= 0 && ny >= 0 && nx < width && ny < height {
                    let q = at(nx, ny)
                    if j[q] < j[p] && j[q] < mask[q] { fifo.append(p); break }
                }
            }
        }
        var head = 0
        while head < fifo.count {
            let p = fifo[head]; head += 1
            let x = p % width, y = p / width
            for dy in -1...1 { for dx in -1...1 where dx != 0 || dy != 0 {
                let nx = x + dx, ny = y + dy
                guard nx >= 0, ny >= 0, nx < width, ny < height else { continue }
                let q = at(nx, ny)
                if j[q] < j[p] && mask[q] != j[q] {
                    j[q] = Swift.min(j[p], mask[q])
                    fifo.append(q)
                }
            } }
        }
        return j
    }
}
