import Foundation

/// The model proposes, the image refines (issue 27): the nucleus foreground redrawn from the tile's haematoxylin
/// optical density within a little more than the model's nuclei, so that outlines sit on the nucleus's own edge and
/// the neck between two overlapping nuclei opens.
///
/// The bundled model's nucleus probability reaches about a pixel beyond each nucleus (+15-20% area against the
/// half-darkness contour, on CMU's real nuclei and on drawn ones alike), fills the neck between overlapping nuclei,
/// and is stretched about each tile's centre by its align_corners upsampling. The image has none of these: a nucleus
/// is where the haematoxylin is at least halfway from the tissue around it to the nucleus's own core. Steps, per tile:
///
///  1. the haematoxylin density, smoothed by a Gaussian (σ `haematoxylinSmoothing`, mirrored at the edges);
///  2. candidates: the probability's foreground (holes filled) dilated by a disc of radius `candidateGrowth`;
///  3. per candidate component (8-connected), its background level: the median haematoxylin of the pixels outside
///     every candidate within `backgroundRing` (Chebyshev) of the component;
///  4. per candidate pixel, its core level: the `corePercentile`th percentile (nearest rank) of the haematoxylin of
///     the candidate pixels within a disc of radius `coreRadius` (so a pale nucleus beside a dark one is held mostly to
///     its own core, and the pale side of their junction falls out, separating them; a high percentile rather than
///     the maximum, so that a real nucleus's chromatin clumps and dark rim do not set its core);
///  5. a candidate pixel is foreground where its haematoxylin is at least `edgeFraction` of the way from background
///     to core;
///  6. holes up to `maximumHolePixels` filled, then an opening by the 4-neighbour cross (spurs and one-pixel bridges
///     off), then pieces (8-connected) under `minimumRefinedPixels` dropped (chromatin clumps, specks);
///  7. where the core stands less than `minimumContrast` above the background (glass, a flat image), the
///     probability's foreground is kept as it was.
/// The distance transform, markers and watershed then run on this foreground as on the probability's.
enum ForegroundRefinement {
    static func refine(seed: [Bool], haematoxylin: UnsafeBufferPointer<Float>, width: Int, height: Int,
                       settings: NucleusSegmentationSettings) -> [Bool] {
        let n = width * height
        let h = GaussianSmoothing.reflected(haematoxylin, width: width, height: height,
                                            sigma: settings.haematoxylinSmoothing)
        let candidate = Morphology.dilate(seed, width: width, height: height,
                                          offsets: Morphology.disc(radius: settings.candidateGrowth))
        let (components, count) = Components.label8(candidate, width: width, height: height)
        guard count > 0 else { return seed }
        // Background level per component: the median over the non-candidate pixels within the ring. A pixel near
        // two components counts for both.
        var ringValues = [[Float]](repeating: [], count: count + 1)
        let ring = settings.backgroundRing
        var near: [Int32] = []
        // Only pixels with a candidate within the ring can count (most of a tile has none).
        let reach = Morphology.dilateSquare(candidate, width: width, height: height, radius: ring)
        for y in 0..<height {
            for x in 0..<width where !candidate[y * width + x] && reach[y * width + x] {
                near.removeAll(keepingCapacity: true)
                for ny in Swift.max(0, y - ring)...Swift.min(height - 1, y + ring) {
                    for nx in Swift.max(0, x - ring)...Swift.min(width - 1, x + ring) {
                        let label = components[ny * width + nx]
                        if label > 0 && !near.contains(label) { near.append(label) }
                    }
                }
                for label in near { ringValues[Int(label)].append(h[y * width + x]) }
            }
        }
        let background = ringValues.map { values -> Float in Median.of(values) ?? 0 }
        // Core level: the percentile of the candidate haematoxylin within the disc.
        let core = Morphology.disc(radius: settings.coreRadius), radius = settings.coreRadius
        let linear = core.map { $0.1 * width + $0.0 }   // the disc's offsets as indices, away from the edges
        var foreground = [Bool](repeating: false, count: n)
        var unrefined = [Bool](repeating: false, count: n)
        var disc: [Float] = [], largest: [Float] = []
        disc.reserveCapacity(core.count)
        largest.reserveCapacity(core.count)
        for y in 0..<height {
            for x in 0..<width {
                let i = y * width + x
                guard candidate[i] else { continue }
                disc.removeAll(keepingCapacity: true)
                if x >= radius && y >= radius && x < width - radius && y < height - radius {
                    // Without bounds checks: this gather is most of the refinement's time.
                    candidate.withUnsafeBufferPointer { c in
                        h.withUnsafeBufferPointer { values in
                            for offset in linear where c[i + offset] { disc.append(values[i + offset]) }
                        }
                    }
                } else {
                    for (dx, dy) in core {
                        let nx = x + dx, ny = y + dy
                        guard nx >= 0, ny >= 0, nx < width, ny < height, candidate[ny * width + nx] else { continue }
                        disc.append(h[ny * width + nx])
                    }
                }
                let top = NearestRank.percentile(disc, settings.corePercentile, buffer: &largest)
                let level = background[Int(components[i])]
                let contrast = top - level
                if contrast >= settings.minimumContrast {
                    foreground[i] = h[i] >= level + settings.edgeFraction * contrast
                } else {
                    unrefined[i] = seed[i]
                }
            }
        }
        NucleusSegmenter.fillHoles(&foreground, width: width, height: height, upTo: settings.maximumHolePixels)
        foreground = Morphology.open4(foreground, width: width, height: height)
        if settings.minimumRefinedPixels > 1 {
            let (pieces, pieceCount) = Components.label8(foreground, width: width, height: height)
            var sizes = [Int](repeating: 0, count: pieceCount + 1)
            for label in pieces { sizes[Int(label)] += 1 }
            for i in 0..<n where foreground[i] && sizes[Int(pieces[i])] < settings.minimumRefinedPixels {
                foreground[i] = false
            }
        }
        for i in 0..<n where unrefined[i] { foreground[i] = true }
        return foreground
    }
}

/// The value of nearest rank `(percent × (count - 1) + 50) / 100` (integer division: ties round up) in ascending order,
/// as tools/nuclei_reference.py computes it; 100 is the maximum. A high percentile is the k-th largest for a small k,
/// so the k largest are kept in a sorted buffer rather than the values sorted (the refinement runs this for every
/// candidate pixel of every tile: sorting made the nucleus stage six times slower).
enum NearestRank {
    static func percentile(_ values: [Float], _ percent: Int, buffer top: inout [Float]) -> Float {
        precondition(!values.isEmpty && percent >= 0 && percent <= 100)
        let rank = (percent * (values.count - 1) + 50) / 100
        let k = values.count - rank
        top.removeAll(keepingCapacity: true)
        for value in values {
            guard top.count < k || value > top[k - 1] else { continue }
            if top.count == k { top.removeLast() }
            // Descending: insert before the first smaller value.
            var at = top.count
            while at > 0 && top[at - 1] < value { at -= 1 }
            top.insert(value, at: at)
        }
        return top[k - 1]
    }
}

/// The median of a list (the mean of the two middle values for an even count, as numpy's), or nil when empty.
enum Median {
    static func of(_ values: [Float]) -> Float? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// Binary morphology on row-major masks; pixels beyond the map are background (scipy.ndimage's border_value 0).
enum Morphology {
    /// The offsets (dx, dy) with dx² + dy² <= radius² (scikit-image's `disk`).
    static func disc(radius: Int) -> [(Int, Int)] {
        var offsets: [(Int, Int)] = []
        guard radius >= 0 else { return offsets }
        for dy in -radius...radius { for dx in -radius...radius where dx * dx + dy * dy <= radius * radius {
            offsets.append((dx, dy))
        } }
        return offsets
    }

    static func dilate(_ mask: [Bool], width: Int, height: Int, offsets: [(Int, Int)]) -> [Bool] {
        var out = [Bool](repeating: false, count: mask.count)
        for y in 0..<height {
            for x in 0..<width where mask[y * width + x] {
                for (dx, dy) in offsets {
                    let nx = x + dx, ny = y + dy
                    if nx >= 0, ny >= 0, nx < width, ny < height { out[ny * width + nx] = true }
                }
            }
        }
        return out
    }

    /// Dilation by the (2 radius + 1)² square, as rows then columns: 2 radius + 1 steps a pixel, not its square.
    static func dilateSquare(_ mask: [Bool], width: Int, height: Int, radius: Int) -> [Bool] {
        var rows = [Bool](repeating: false, count: mask.count), out = rows
        for y in 0..<height {
            for x in 0..<width where mask[y * width + x] {
                for nx in Swift.max(0, x - radius)...Swift.min(width - 1, x + radius) { rows[y * width + nx] = true }
            }
        }
        for y in 0..<height {
            for x in 0..<width where rows[y * width + x] {
                for ny in Swift.max(0, y - radius)...Swift.min(height - 1, y + radius) { out[ny * width + x] = true }
            }
        }
        return out
    }

    /// Erosion then dilation by the 4-neighbour cross.
    static func open4(_ mask: [Bool], width: Int, height: Int) -> [Bool] {
        let cross = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)]
        var eroded = [Bool](repeating: false, count: mask.count)
        for y in 0..<height {
            for x in 0..<width where mask[y * width + x] {
                eroded[y * width + x] = cross.allSatisfy { dx, dy in
                    let nx = x + dx, ny = y + dy
                    return nx >= 0 && ny >= 0 && nx < width && ny < height && mask[ny * width + nx]
                }
            }
        }
        return dilate(eroded, width: width, height: height, offsets: cross)
    }
}

/// Connected components of a mask, 8-connected, numbered 1...count in raster order of their first pixel.
enum Components {
    static func label8(_ mask: [Bool], width: Int, height: Int) -> (labels: [Int32], count: Int) {
        var labels = [Int32](repeating: 0, count: mask.count)
        var next: Int32 = 0
        var stack: [Int] = []
        for start in mask.indices where mask[start] && labels[start] == 0 {
            next += 1
            labels[start] = next
            stack.append(start)
            while let i = stack.popLast() {
                let x = i % width, y = i / width
                for ny in Swift.max(0, y - 1)...Swift.min(height - 1, y + 1) {
                    for nx in Swift.max(0, x - 1)...Swift.min(width - 1, x + 1) {
                        let j = ny * width + nx
                        if mask[j] && labels[j] == 0 { labels[j] = next; stack.append(j) }
                    }
                }
            }
        }
        return (labels, Int(next))
    }
}

/// A separable Gaussian blur, truncated at 4σ (radius ⌊4σ + 0.5⌋) and mirrored at the edges (d c b a | a b c d),
/// as scipy.ndimage.gaussian_filter's defaults.
enum GaussianSmoothing {
    static func reflected(_ values: UnsafeBufferPointer<Float>, width: Int, height: Int, sigma: Float) -> [Float] {
        guard sigma > 0 else { return Array(values[0..<(width * height)]) }
        let radius = Int(4 * sigma + 0.5)
        var weights = (-radius...radius).map { k in exp(-0.5 * Float(k * k) / (sigma * sigma)) }
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        func mirror(_ i: Int, _ n: Int) -> Int {
            var i = i
            let period = 2 * n
            i = ((i % period) + period) % period
            return i < n ? i : period - 1 - i
        }
        // Mirrored indices only within the radius of an edge (the modulo arithmetic is most of the cost otherwise).
        var rows = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                var sum: Float = 0
                if x >= radius && x < width - radius {
                    for k in -radius...radius { sum += weights[k + radius] * values[y * width + x + k] }
                } else {
                    for k in -radius...radius { sum += weights[k + radius] * values[y * width + mirror(x + k, width)] }
                }
                rows[y * width + x] = sum
            }
        }
        var out = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            let inside = y >= radius && y < height - radius
            for x in 0..<width {
                var sum: Float = 0
                if inside {
                    for k in -radius...radius { sum += weights[k + radius] * rows[(y + k) * width + x] }
                } else {
                    for k in -radius...radius { sum += weights[k + radius] * rows[mirror(y + k, height) * width + x] }
                }
                out[y * width + x] = sum
            }
        }
        return out
    }
}
