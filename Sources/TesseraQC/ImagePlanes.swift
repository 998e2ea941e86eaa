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

    /// How many pixels either side `gaussian` reads (0 when it copies).
    static func gaussianRadius(sigma: Double) -> Int { sigma > 0 ? max(1, Int((3 * sigma).rounded(.up))) : 0 }

    /// Separable Gaussian blur with standard deviation `sigma` pixels (kernel radius 3 sigma); `sigma` <= 0 copies.
    /// The horizontal pass clamps coordinates only within `radius` of a row's ends; the vertical pass adds whole
    /// rows (clamped row numbers) into the output row, an inner loop over contiguous values the compiler vectorises.
    static func gaussian(_ plane: [Float], width: Int, height: Int, sigma: Double) -> [Float] {
        guard sigma > 0, width > 0, height > 0 else { return plane }
        let radius = gaussianRadius(sigma: sigma)
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
    /// dilation and as set for erosion. A square is a row window then a column window, each a running count of
    /// the set pixels under it: two bytes a pixel (the row pass and the result) rather than a float plane and its
    /// integral image, whatever the radius.
    static func morph(_ mask: QCMask, radius: Int, grow: Bool) -> QCMask {
        guard radius > 0, mask.width > 0, mask.height > 0 else { return mask }
        let width = mask.width, height = mask.height
        // Dilation: some set pixel in the window. Erosion: every pixel of the window within the image set.
        @inline(__always) func decide(_ count: Int, _ span: Int) -> Bool { grow ? count > 0 : count == span }
        var rows = [Bool](repeating: false, count: width * height)
        mask.pixels.withUnsafeBufferPointer { source in
            rows.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    let row = y * width
                    var count = 0
                    for x in 0..<min(width, radius) where source[row + x] { count += 1 }
                    for x in 0..<width {
                        if x + radius < width, source[row + x + radius] { count += 1 }
                        if x - radius - 1 >= 0, source[row + x - radius - 1] { count -= 1 }
                        target[row + x] = decide(count, min(width, x + radius + 1) - max(0, x - radius))
                    }
                }
            }
        }
        var out = QCMask(width: width, height: height)
        rows.withUnsafeBufferPointer { source in
            out.pixels.withUnsafeMutableBufferPointer { target in
                var counts = [Int32](repeating: 0, count: width)
                for y in 0..<min(height, radius) {
                    for x in 0..<width where source[y * width + x] { counts[x] += 1 }
                }
                for y in 0..<height {
                    if y + radius < height {
                        let row = (y + radius) * width
                        for x in 0..<width where source[row + x] { counts[x] += 1 }
                    }
                    if y - radius - 1 >= 0 {
                        let row = (y - radius - 1) * width
                        for x in 0..<width where source[row + x] { counts[x] -= 1 }
                    }
                    let span = min(height, y + radius + 1) - max(0, y - radius)
                    for x in 0..<width { target[y * width + x] = decide(Int(counts[x]), span) }
                }
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
        var copy = values
        return percentile(sorting: &copy, percent)
    }

    /// `percentile(_:_:)`, sorting `values` in place rather than a copy of them.
    static func percentile(sorting values: inout [Float], _ percent: Double) -> Float {
        precondition(!values.isEmpty)
        values.sort()
        let position = percent / 100 * Double(values.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, values.count - 1)
        let fraction = Float(position - Double(lower))
        return values[lower] + fraction * (values[upper] - values[lower])
    }
}

/// 8-connected regions of a mask.
enum Regions {
    /// `mask` with the regions for which `keep` is false cleared. `keep` gets a region's pixel indices, in the
    /// order a flood fill from its first pixel in raster order meets them. One region is held at a time, so the
    /// memory beyond the two masks is the largest region's, not a label per pixel.
    static func filter(_ mask: QCMask, keep: ([Int]) -> Bool) -> QCMask {
        let width = mask.width, height = mask.height
        var out = QCMask(width: width, height: height)
        var visited = [Bool](repeating: false, count: mask.pixels.count)
        var region: [Int] = []
        for start in mask.pixels.indices where mask.pixels[start] && !visited[start] {
            region.removeAll(keepingCapacity: true)
            region.append(start)
            visited[start] = true
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
                        if mask.pixels[q] && !visited[q] { visited[q] = true; region.append(q) }
                    }
                }
            }
            if keep(region) { for p in region { out.pixels[p] = true } }
        }
        return out
    }
}

/// A check's float work done a strip of rows at a time, so its planes hold a strip rather than the image: each
/// strip is computed with `halo` rows of the real image above and below, enough for every filter the check runs
/// to see what it would see on the whole image, so the rows it keeps are the whole image's.
struct RowStrips: Sequence {
    let height: Int
    let halo: Int
    /// Output rows per strip: about `pixelsPerStrip` pixels of the image's width.
    let rowsPerStrip: Int

    /// About 20 MB of a check's planes a strip. A task-local value so that a test can make strips of a few rows and
    /// hold the answer to the whole image's.
    @TaskLocal static var pixelsPerStrip = 1 << 19

    init(width: Int, height: Int, halo: Int) {
        self.height = height
        self.halo = Swift.max(0, halo)
        rowsPerStrip = Swift.max(16, Self.pixelsPerStrip / Swift.max(1, width))
    }

    struct Strip {
        /// The rows this strip answers for.
        let rows: Range<Int>
        /// The rows it reads and computes: `rows` widened by the halo, within the image.
        let computed: Range<Int>
        /// Offset of `rows.lowerBound` within `computed`.
        var offset: Int { rows.lowerBound - computed.lowerBound }
    }

    func makeIterator() -> AnyIterator<Strip> {
        var top = 0
        let (height, halo, step) = (self.height, self.halo, rowsPerStrip)
        return AnyIterator {
            guard top < height else { return nil }
            let rows = top..<Swift.min(height, top + step)
            top = rows.upperBound
            return Strip(rows: rows, computed: Swift.max(0, rows.lowerBound - halo)..<Swift.min(height, rows.upperBound + halo))
        }
    }
}

extension RGBImage {
    /// Rows `rows` of the image, as an image of their own.
    func rows(_ rows: Range<Int>) -> RGBImage {
        RGBImage(width: width, height: rows.count, pixels: Array(pixels[(rows.lowerBound * width * 3)..<(rows.upperBound * width * 3)]))
    }
}

extension QCMask {
    /// Rows `rows` of the mask, as a mask of their own.
    func rows(_ rows: Range<Int>) -> QCMask {
        QCMask(width: width, height: rows.count, pixels: Array(pixels[(rows.lowerBound * width)..<(rows.upperBound * width)]))
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
