import Foundation
import TesseraCore
@testable import TesseraQC
@testable import TesseraStain

/// Tissue-like synthetic images for the checks' tests, built in optical density as a slide is: eosin-stained stroma
/// with a smooth, uneven density, haematoxylin nuclei 5-9 µm across scattered over it, glass outside the tissue, and
/// artefacts added as transmitted light is (optical densities add). Deterministic: a seeded generator.
struct SyntheticTissue {
    static let micronsPerPixel = 2.0
    /// Io = 240: the brightest a pixel gets (glass).
    static let light = 240.0
    /// Unit optical-density vectors of the two stains (Ruifrok & Johnston's) and of three inks, from their colours on
    /// glass: blue (40, 70, 160), green (40, 130, 90), black (35, 35, 40).
    static let haematoxylin = unit(SIMD3(0.65, 0.70, 0.29))
    static let eosin = unit(SIMD3(0.07, 0.99, 0.11))
    static let blueInk = od(40, 70, 160)
    static let greenInk = od(40, 130, 90)
    static let blackInk = od(35, 35, 40)

    static func unit(_ v: SIMD3<Double>) -> SIMD3<Double> { v / (v * v).sum().squareRoot() }
    static func od(_ r: Double, _ g: Double, _ b: Double) -> SIMD3<Double> {
        SIMD3(-log(r / light), -log(g / light), -log(b / light))
    }

    let width: Int
    let height: Int
    /// Optical density per pixel (R, G, B).
    var density: [SIMD3<Double>]
    /// Where the tissue is (the truth, not a detector's answer).
    var tissue: QCMask

    /// Tissue over the whole image except a `margin`-pixel band of glass on the left and right.
    init(width: Int, height: Int, seed: UInt64, margin: Int = 0) {
        self.width = width
        self.height = height
        var random = Random(seed: seed)
        tissue = QCMask(width: width, height: height)
        density = [SIMD3<Double>](repeating: .zero, count: width * height)
        // Stroma: eosin 0.35-0.75 varying smoothly (a few sinusoids of random phase), a little haematoxylin.
        let phases = (0..<6).map { _ in random.unit() * 2 * .pi }
        for y in 0..<height {
            for x in margin..<(width - margin) {
                let fx = Double(x), fy = Double(y)
                let wave = sin(fx / 23 + phases[0]) * cos(fy / 31 + phases[1]) + 0.5 * sin((fx + fy) / 11 + phases[2])
                    + 0.3 * sin(fx / 5.3 + phases[3]) * sin(fy / 4.7 + phases[4])
                let eosinAmount = 0.55 + 0.15 * wave + 0.08 * (random.unit() - 0.5)
                let hAmount = 0.12 + 0.04 * random.unit()
                density[y * width + x] = eosinAmount * Self.eosin + hAmount * Self.haematoxylin
                tissue[x, y] = true
            }
        }
        // Nuclei: discs of radius 1.3-2.3 px (5-9 µm across at 2 µm/px), haematoxylin 0.5-0.9, one per ~60 px².
        let count = (width - 2 * margin) * height / 60
        for _ in 0..<count {
            let cx = Double(margin) + random.unit() * Double(width - 2 * margin), cy = random.unit() * Double(height)
            let radius = 1.3 + random.unit() * 1.0
            let amount = 0.5 + 0.4 * random.unit()
            for y in max(0, Int(cy - radius))...min(height - 1, Int(cy + radius) + 1) {
                for x in max(margin, Int(cx - radius))...min(width - margin - 1, Int(cx + radius) + 1) {
                    let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
                    if dx * dx + dy * dy <= radius * radius { density[y * width + x] += amount * Self.haematoxylin }
                }
            }
        }
    }

    var image: RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in density.indices {
            for c in 0..<3 {
                pixels[3 * i + c] = UInt8(max(0, min(255, (Self.light * exp(-density[i][c])).rounded())))
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    var input: QCInput { QCInput(image: image, tissue: tissue, micronsPerPixel: Self.micronsPerPixel) }

    /// Adds `ink` (optical density on glass) at `strength` 0.8-1.0 (pen pressure, varying along the stroke) over
    /// the pixels of `mask`.
    mutating func addInk(_ ink: SIMD3<Double>, over mask: QCMask, seed: UInt64) {
        var random = Random(seed: seed)
        let phase = random.unit() * 6
        for i in density.indices where mask.pixels[i] {
            let x = Double(i % width)
            density[i] += (0.9 + 0.1 * sin(x / 17 + phase)) * ink
        }
    }

    /// Replaces the region's density by a Gaussian blur of it (each channel), as an out-of-focus band is.
    mutating func blur(_ region: QCMask, sigma: Double) {
        var blurred = density
        for c in 0..<3 {
            let plane = Plane.gaussian(density.map { Float($0[c]) }, width: width, height: height, sigma: sigma)
            for i in density.indices { blurred[i][c] = Double(plane[i]) }
        }
        for i in density.indices where region.pixels[i] { density[i] = blurred[i] }
    }

    /// A fold: within `region`, a second layer of tissue (the image shifted by `shift`) over the first, its density
    /// scaled by `darkening` (a fold is denser than two flat layers). Returns the pixels that are double tissue.
    mutating func fold(_ region: QCMask, shift: (x: Int, y: Int), darkening: Double) -> QCMask {
        let original = density
        var doubled = QCMask(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width where region[x, y] {
                let sx = x + shift.x, sy = y + shift.y
                guard sx >= 0, sy >= 0, sx < width, sy < height, tissue[sx, sy] else { continue }
                density[y * width + x] = (original[y * width + x] + original[sy * width + sx]) * darkening
                if tissue[x, y] { doubled[x, y] = true }
            }
        }
        return doubled
    }

    /// A thin neutral-grey line (a bubble's edge): pixels within `halfWidth` of the circle (cx, cy, r).
    mutating func ring(cx: Double, cy: Double, radius: Double, halfWidth: Double, density value: Double) -> QCMask {
        var ring = QCMask(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let d = ((Double(x) + 0.5 - cx) * (Double(x) + 0.5 - cx) + (Double(y) + 0.5 - cy) * (Double(y) + 0.5 - cy)).squareRoot()
                if abs(d - radius) <= halfWidth {
                    density[y * width + x] += SIMD3(repeating: value)
                    ring[x, y] = true
                }
            }
        }
        return ring
    }

    /// A pen stroke: pixels within `halfWidth` of the curve y = cy + amplitude sin(x / period).
    func stroke(cy: Double, amplitude: Double, period: Double, halfWidth: Double) -> QCMask {
        var mask = QCMask(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let curve = cy + amplitude * sin(Double(x) / period)
                // The vertical distance scaled by the curve's slope approximates the normal distance.
                let slope = amplitude / period * cos(Double(x) / period)
                if abs(Double(y) - curve) / (1 + slope * slope).squareRoot() <= halfWidth { mask[x, y] = true }
            }
        }
        return mask
    }

    func rectangle(x: Range<Int>, y: Range<Int>) -> QCMask {
        var mask = QCMask(width: width, height: height)
        for yy in y { for xx in x { mask[xx, yy] = true } }
        return mask
    }
}

/// The seeded generator the stain sample draws with (TesseraStain's SplitMix64), the same on every platform.
typealias Random = SplitMix64

extension SplitMix64 {
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
