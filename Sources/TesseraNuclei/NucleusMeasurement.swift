import Foundation

/// One nucleus as measured on its map, in that map's pixels (the caller scales to µm and level 0).
public struct NucleusFigures: Sendable, Equatable {
    /// 1...count, as in the segmentation's labels.
    public var label: Int32
    public var pixelCount: Int
    /// Centroid of the pixel centres: pixel (x, y) has its centre at (x + 0.5, y + 0.5).
    public var centroidX: Double
    public var centroidY: Double
    /// The outline's length: exposed pixel edges x π/4 (the digital outline's staircase overstates a curve's length
    /// by 4/π on average over directions; a digitised disc of diameter D has 4D exposed edges, πD after it).
    public var perimeter: Double
    /// sqrt(1 - λ2 / λ1) of the second central moments: 0 for a disc, towards 1 for a line.
    public var eccentricity: Double
    /// Area over its convex hull's area (pixel squares, hull of their corners): near 1 for a convex nucleus (0.95 for
    /// a digitised disc of 20 pixels across: the hull bridges the outline's staircase).
    public var solidity: Double
    /// Mean of the probability map over the nucleus.
    public var meanProbability: Double
    /// Whether a pixel lies on the map's edge (its outline may be cut there).
    public var touchesEdge: Bool
    /// Bounding box: x0, y0 inclusive, x1, y1 exclusive.
    public var minX: Int, minY: Int, maxX: Int, maxY: Int

    public var equivalentDiameter: Double { (4 * Double(pixelCount) / .pi).squareRoot() }
}

public enum NucleusMeasurement {
    /// Measures every labelled object of `segmentation`, in label order.
    public static func measure(_ segmentation: NucleusSegmenter.Result,
                               probability: UnsafeBufferPointer<Float>) -> [NucleusFigures] {
        let width = segmentation.width, height = segmentation.height, labels = segmentation.labels
        let count = segmentation.count
        guard count > 0 else { return [] }
        var pixels = [Int](repeating: 0, count: count + 1)
        var sx = [Double](repeating: 0, count: count + 1), sy = sx, sxx = sx, syy = sx, sxy = sx, sp = sx
        var edges = [Int](repeating: 0, count: count + 1)
        var touches = [Bool](repeating: false, count: count + 1)
        var minX = [Int](repeating: .max, count: count + 1), minY = minX
        var maxX = [Int](repeating: .min, count: count + 1), maxY = maxX
        // Per object, per row, the leftmost and rightmost pixel: enough for the convex hull of its pixel squares.
        var rowExtents: [[(y: Int, left: Int, right: Int)]] = Array(repeating: [], count: count + 1)
        for y in 0..<height {
            var x = 0
            while x < width {
                let label = Int(labels[y * width + x])
                guard label > 0 else { x += 1; continue }
                let start = x
                while x < width && Int(labels[y * width + x]) == label {
                    let cx = Double(x) + 0.5, cy = Double(y) + 0.5
                    pixels[label] += 1
                    sx[label] += cx; sy[label] += cy
                    sxx[label] += cx * cx; syy[label] += cy * cy; sxy[label] += cx * cy
                    sp[label] += Double(probability[y * width + x])
                    for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] {
                        if nx < 0 || ny < 0 || nx >= width || ny >= height || Int(labels[ny * width + nx]) != label {
                            edges[label] += 1
                        }
                    }
                    if x == 0 || y == 0 || x == width - 1 || y == height - 1 { touches[label] = true }
                    x += 1
                }
                minX[label] = Swift.min(minX[label], start); maxX[label] = Swift.max(maxX[label], x)
                minY[label] = Swift.min(minY[label], y); maxY[label] = Swift.max(maxY[label], y + 1)
                if let last = rowExtents[label].last, last.y == y {
                    rowExtents[label][rowExtents[label].count - 1].right = x
                } else {
                    rowExtents[label].append((y, start, x))
                }
            }
        }
        return (1...count).map { label in
            let n = Double(pixels[label])
            let mx = sx[label] / n, my = sy[label] / n
            // Central moments, plus 1/12 per pixel for the pixel's own extent (a lone pixel is a unit square).
            let mxx = sxx[label] / n - mx * mx + 1.0 / 12, myy = syy[label] / n - my * my + 1.0 / 12
            let mxy = sxy[label] / n - mx * my
            let common = ((mxx - myy) * (mxx - myy) / 4 + mxy * mxy).squareRoot()
            let l1 = (mxx + myy) / 2 + common, l2 = (mxx + myy) / 2 - common
            let eccentricity = l1 > 0 ? Swift.max(0, 1 - l2 / l1).squareRoot() : 0
            var corners: [(Double, Double)] = []
            for row in rowExtents[label] {
                corners.append((Double(row.left), Double(row.y)))
                corners.append((Double(row.left), Double(row.y + 1)))
                corners.append((Double(row.right), Double(row.y)))
                corners.append((Double(row.right), Double(row.y + 1)))
            }
            let hull = ConvexHull.area(of: corners)
            return NucleusFigures(label: Int32(label), pixelCount: pixels[label], centroidX: mx, centroidY: my,
                                  perimeter: Double(edges[label]) * .pi / 4, eccentricity: eccentricity,
                                  solidity: hull > 0 ? Swift.min(1, n / hull) : 1, meanProbability: sp[label] / n,
                                  touchesEdge: touches[label], minX: minX[label], minY: minY[label],
                                  maxX: maxX[label], maxY: maxY[label])
        }
    }
}

/// The area of the convex hull of points (Andrew's monotone chain).
enum ConvexHull {
    static func area(of points: [(Double, Double)]) -> Double {
        let sorted = points.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        guard sorted.count >= 3 else { return 0 }
        func cross(_ o: (Double, Double), _ a: (Double, Double), _ b: (Double, Double)) -> Double {
            (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
        }
        var lower: [(Double, Double)] = [], upper: [(Double, Double)] = []
        for p in sorted {
            while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], p) <= 0 { lower.removeLast() }
            lower.append(p)
        }
        for p in sorted.reversed() {
            while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], p) <= 0 { upper.removeLast() }
            upper.append(p)
        }
        let hull = Array(lower.dropLast()) + Array(upper.dropLast())
        var twice = 0.0
        for i in hull.indices {
            let a = hull[i], b = hull[(i + 1) % hull.count]
            twice += a.0 * b.1 - b.0 * a.1
        }
        return abs(twice) / 2
    }
}
