import Foundation
import TesseraCore
import TesseraStain

/// Float planes, filters and connected regions the checks share. Planes are row-major `[Float]` of
/// `width * height`; borders are handled by clamping coordinates (edge pixels repeat).
enum Plane {
    /// Luminance (Rec. 601 weights) in 0...1.
    static func luminance(_ image: RGBImage) -> [Float] {
        var out = [Float](repeating: 0, count: image.width * image.height)
        image.pixels.withUnsafeBufferPointer { p in
            for i in out.indices {
                out[i] = (0.299 * Float(p[3 * i]) + 0.587 * Float(p[3 * i + 1]) + 0.114 * Float(p[3 * i + 2])) / 255
            }
        }
        return out
    }

    /// Separable Gaussian blur with standard deviation `sigma` pixels (kernel radius 3 sigma); `sigma` <= 0 copies.
    /// The horizontal pass clamps coordinates only within `radius` of a row's ends; the vertical pass adds whole
    /// rows (clamped row numbers) into the output row, an inner loop over contiguous values the compiler vectorises.
    static func gaussian(_ plane: [Float], width: Int, height: Int, sigma: Double) -> [Float] {
        guard sigma > 0, width > 0, height > 0 else { return plane }
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        var kernel = (-radius...radius).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        var horizontal = [Float](repeating: 0, count: plane.count)
        var out = [Float](repeating: 0, count: plane.count)
        kernel.withUnsafeBufferPointer { k in
            plane.withUnsafeBufferPointer { src in
                horizontal.withUnsafeMutableBufferPointer { dst in
                    // Interior pixels: each kernel tap adds a shifted run of the row (vectorised); the sums are
                    // made in the same order as at the ends, tap by tap.
                    let interior = radius..<max(radius, width - radius)
                    for y in 0..<height {
                        let row = y * width
                        for j in 0..<k.count {
                            let weight = k[j], shift = row + j - radius
                            for x in interior { dst[row + x] += weight * src[shift + x] }
                        }
                        for x in 0..<width where !interior.contains(x) {
                            var sum: Float = 0
                            for j in 0..<k.count { sum += k[j] * src[row + min(width - 1, max(0, x + j - radius))] }
                            dst[row + x] = sum
                        }
                    }
                }
            }
            horizontal.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    for y in 0..<height {
                        let row = y * width
                        for j in 0..<k.count {
                            let weight = k[j]
                            let from = min(height - 1, max(0, y + j - radius)) * width
                            for x in 0..<width { dst[row + x] += weight * src[from + x] }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The sum over the (2 radius + 1)² window around each pixel (clipped at the image's edges), by an integral
    /// image.
    static func boxSum(_ plane: [Float], width: Int, height: Int, radius: Int) -> [Float] {
        let w1 = width + 1
        var integral = [Double](repeating: 0, count: w1 * (height + 1))
        for y in 0..<height {
            var rowSum = 0.0
            for x in 0..<width {
                rowSum += Double(plane[y * width + x])
                integral[(y + 1) * w1 + x + 1] = integral[y * w1 + x + 1] + rowSum
            }
        }
        var out = [Float](repeating: 0, count: plane.count)
        for y in 0..<height {
            let y0 = max(0, y - radius), y1 = min(height, y + radius + 1)
            for x in 0..<width {
                let x0 = max(0, x - radius), x1 = min(width, x + radius + 1)
                out[y * width + x] = Float(integral[y1 * w1 + x1] - integral[y0 * w1 + x1]
                                           - integral[y1 * w1 + x0] + integral[y0 * w1 + x0])
            }
        }
        return out
    }

    /// Square dilation (`grow`) or erosion of a mask by `radius` pixels. Outside the image counts as unset for
    /// dilation and as set for erosion.
    static func morph(_ mask: QCMask, radius: Int, grow: Bool) -> QCMask {
        guard radius > 0 else { return mask }
        let plane = mask.pixels.map { $0 ? Float(1) : 0 }
        let sums = boxSum(plane, width: mask.width, height: mask.height, radius: radius)
        var out = mask
        for y in 0..<mask.height {
            let h = min(mask.height, y + radius + 1) - max(0, y - radius)
            for x in 0..<mask.width {
                let w = min(mask.width, x + radius + 1) - max(0, x - radius)
                let i = y * mask.width + x
                out.pixels[i] = grow ? sums[i] > 0.5 : sums[i] > Float(w * h) - 0.5
            }
        }
        return out
    }

    static func closing(_ mask: QCMask, radius: Int) -> QCMask {
        morph(morph(mask, radius: radius, grow: true), radius: radius, grow: false)
    }

    static func opening(_ mask: QCMask, radius: Int) -> QCMask {
        morph(morph(mask, radius: radius, grow: false), radius: radius, grow: true)
    }

    /// numpy's default percentile (linear interpolation between the closest ranks) of unsorted values.
    static func percentile(_ values: [Float], _ percent: Double) -> Float {
        precondition(!values.isEmpty)
        let sorted = values.sorted()
        let position = percent / 100 * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = Float(position - Double(lower))
        return sorted[lower] + fraction * (sorted[upper] - sorted[lower])
    }
}

/// 8-connected regions of a mask.
struct Regions {
    /// Region number per pixel, -1 where the mask is unset.
    var labels: [Int32]
    /// Pixels of each region, in the order regions are first met in raster order.
    var members: [[Int]]

    init(_ mask: QCMask) {
        let width = mask.width, height = mask.height
        labels = [Int32](repeating: -1, count: mask.pixels.count)
        members = []
        for start in mask.pixels.indices where mask.pixels[start] && labels[start] < 0 {
            let label = Int32(members.count)
            var region = [start]
            labels[start] = label
            var k = 0
            while k < region.count {
                let p = region[k]; k += 1
                let x = p % width, y = p / width
                for dy in -1...1 {
                    let ny = y + dy
                    guard ny >= 0 && ny < height else { continue }
                    for dx in -1...1 where dx != 0 || dy != 0 {
                        let nx = x + dx
                        guard nx >= 0 && nx < width else { continue }
                        let q = ny * width + nx
                        if mask.pixels[q] && labels[q] < 0 { labels[q] = label; region.append(q) }
                    }
                }
            }
            members.append(region)
        }
    }

    /// `mask` with the regions for which `keep` is false cleared.
    static func filter(_ mask: QCMask, keep: ([Int]) -> Bool) -> QCMask {
        var out = QCMask(width: mask.width, height: mask.height)
        for region in Regions(mask).members where keep(region) {
            for p in region { out.pixels[p] = true }
        }
        return out
    }
}

/// Optical density and H&E concentrations of an image's pixels, through TesseraStain's conversions.
enum StainPlanes {
    /// Optical density per 8-bit value (Io = 240, TesseraStain's).
    static let opticalDensity: [Float] = (0...255).map { Float(StainColour.opticalDensity(UInt8($0))) }

    /// The stain vectors of the image's own tissue (Macenko, as a per-slide estimate computes them), or Ruifrok &
    /// Johnston's when they cannot be estimated (too little tissue, one colour).
    static func vectors(of image: RGBImage) -> (h: SIMD3<Double>, e: SIMD3<Double>, estimated: Bool) {
        // A regular subsample of at most about 2^18 pixels: the estimate's percentiles do not need more, and a
        // slide's thumbnail can hold millions.
        let stride = max(1, Int((Double(image.width * image.height) / 262_144).squareRoot().rounded(.up)))
        var sample = StainSample()
        sample.add(image, stride: stride)
        if case .macenko(let vectors)? = try? StainEstimation.estimate(.macenko, from: sample) {
            return (vectors.haematoxylin, vectors.eosin, true)
        }
        return (StainColour.ruifrokHaematoxylin, StainColour.ruifrokEosin, false)
    }

    /// Haematoxylin and eosin concentrations per pixel. Least-squares unmixing is linear in each channel's optical
    /// density, so each stain's concentration is a sum of three per-channel tables of 256 values (one unmixing per
    /// table entry instead of one per pixel).
    static func concentrations(_ image: RGBImage, h: SIMD3<Double>, e: SIMD3<Double>) -> (h: [Float], e: [Float]) {
        let unmixer = StainColour.Unmixer(haematoxylin: h, eosin: e)
        // Each channel's contribution per 8-bit value: the unmixing of that channel's optical density alone.
        func table(_ channel: Int) -> (h: [Float], e: [Float]) {
            var th = [Float](repeating: 0, count: 256), te = th
            for v in 0..<256 {
                var od = SIMD3<Double>.zero
                od[channel] = Double(opticalDensity[v])
                let c = unmixer.concentrations(od)
                th[v] = Float(c.x)
                te[v] = Float(c.y)
            }
            return (th, te)
        }
        let red = table(0), green = table(1), blue = table(2)
        let n = image.width * image.height
        var ch = [Float](repeating: 0, count: n), ce = ch
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let r = Int(p[3 * i]), g = Int(p[3 * i + 1]), b = Int(p[3 * i + 2])
                ch[i] = red.h[r] + green.h[g] + blue.h[b]
                ce[i] = red.e[r] + green.e[g] + blue.e[b]
            }
        }
        return (ch, ce)
    }
}
