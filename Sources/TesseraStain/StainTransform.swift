import Foundation
import TesseraCore

/// The colour transform from a source's stain statistics to a target's, fixed once (per slide, or per tile when
/// estimating per tile) and applied to every tile the same way.
public struct StainTransform: Sendable, Equatable {
    public let source: StainStatistics
    public let target: StainStatistics
    private let kernel: Kernel

    private enum Kernel: Sendable, Equatable {
        /// out_c = Io * prod_k table[c][k][v_k]: Macenko's recomposition Io exp(-HE_ref C'), with C' linear in the
        /// optical densities, is a product of one factor per input channel, each tabulated over the 256 codes.
        case macenko(factors: [Float])
        /// Per-channel scale and offset in CIELAB: lab' = (lab - mean_s) / std_s * std_t + mean_t.
        case reinhard(ReinhardKernel)
    }

    public var method: StainMethod { source.method }

    /// `source` and `target` must be of the same method.
    public init(source: StainStatistics, target: StainStatistics) {
        precondition(source.method == target.method, "stain statistics of \(source.method) and \(target.method)")
        self.source = source
        self.target = target
        switch (source, target) {
        case (.macenko(let s), .macenko(let t)):
            kernel = .macenko(factors: Self.macenkoFactors(source: s, target: t))
        case (.reinhard(let s), .reinhard(let t)):
            let scale = t.std / s.std
            kernel = .reinhard(ReinhardKernel(scale: scale, offset: t.mean - s.mean * scale))
        default:
            preconditionFailure("unreachable")
        }
    }

    public func applied(to image: RGBImage) -> RGBImage {
        var copy = image
        apply(to: &copy)
        return copy
    }

    public func apply(to image: inout RGBImage) {
        let count = image.width * image.height
        switch kernel {
        case .macenko(let factors):
            Self.applyMacenko(factors, to: &image.pixels, count: count)
        case .reinhard(let reinhard):
            Self.applyReinhard(reinhard, to: &image.pixels, count: count)
        }
    }

    // MARK: Macenko

    /// C = pinv([h_s e_s]) OD; C' = C * maxC_t / maxC_s; out = Io exp(-[h_t e_t] C'). With M = [h_t e_t] diag(maxC_t /
    /// maxC_s) pinv([h_s e_s]) (3 x 3), out_c = Io exp(-sum_k M[c][k] OD_k) = Io prod_k exp(-M[c][k] OD(v_k)).
    static func macenkoFactors(source: StainVectors, target: StainVectors) -> [Float] {
        let unmix = Unmixing(h: source.haematoxylin, e: source.eosin)
        let scale = target.maxConcentrations / source.maxConcentrations
        var factors = [Float](repeating: 0, count: 9 * 256)
        let od = (0..<256).map { StainSample.opticalDensity($0) }
        for c in 0..<3 {
            for k in 0..<3 {
                let m = target.haematoxylin[c] * scale.x * unmix.rowH[k] + target.eosin[c] * scale.y * unmix.rowE[k]
                for v in 0..<256 { factors[(c * 3 + k) * 256 + v] = Float(exp(-m * od[v])) }
            }
        }
        // Io folded into the first factor of each output channel.
        for c in 0..<3 { for v in 0..<256 { factors[(c * 3) * 256 + v] *= Float(StainConstants.transmittedLight) } }
        return factors
    }

    private static func applyMacenko(_ factors: [Float], to pixels: inout [UInt8], count: Int) {
        factors.withUnsafeBufferPointer { f in
            pixels.withUnsafeMutableBufferPointer { p in
                for i in 0..<count {
                    let r = Int(p[3 * i]), g = Int(p[3 * i + 1]), b = Int(p[3 * i + 2])
                    for c in 0..<3 {
                        let base = c * 768
                        let value = f[base + r] * f[base + 256 + g] * f[base + 512 + b]
                        p[3 * i + c] = UInt8(min(255, max(0, value)).rounded())
                    }
                }
            }
        }
    }

    // MARK: Reinhard

    /// Reinhard's per-channel affine map in CIELAB, folded into the cube-root space of XYZ / white: with f = (fx, fy,
    /// fz), Lab = A f + c is affine, so lab' = S lab + o becomes f' = M f + k, with M and k found once by applying
    /// the map to f = 0 and the unit vectors. Per pixel that leaves 3 cube roots, a 3 x 3 product and the sRGB
    /// encoding, all evaluated 8 pixels at a time.
    struct ReinhardKernel: Sendable, Equatable {
        /// sRGB code -> linear light -> (X / Xn, Y / Yn, Z / Zn) contribution, per input channel.
        let toXYZ: [Float]
        /// f' = M f + k, row-major M then k.
        let cubeRootMap: [Float]
        /// Linear RGB from XYZ (white folded in), row-major.
        let toRGB: [Float]

        init(scale: SIMD3<Double>, offset: SIMD3<Double>) {
            let m = CIELab.rgbToXYZ, w = CIELab.white
            var toXYZ = [Float](repeating: 0, count: 9 * 256)
            for input in 0..<3 {
                for code in 0..<256 {
                    for row in 0..<3 { toXYZ[(input * 256 + code) * 3 + row] = Float(m[row][input] / w[row] * CIELab.linear[code]) }
                }
            }
            self.toXYZ = toXYZ
            func mapped(_ f: SIMD3<Double>) -> SIMD3<Double> {
                let lab = SIMD3(116 * f.y - 16, 500 * (f.x - f.y), 200 * (f.y - f.z)) * scale + offset
                let fy = (lab.x + 16) / 116
                return SIMD3(lab.y / 500 + fy, fy, fy - lab.z / 200)
            }
            let k = mapped(.zero)
            let columns = [mapped(SIMD3(1, 0, 0)) - k, mapped(SIMD3(0, 1, 0)) - k, mapped(SIMD3(0, 0, 1)) - k]
            cubeRootMap = (0..<3).flatMap { row in (0..<3).map { column in Float(columns[column][row]) } } + [Float(k.x), Float(k.y), Float(k.z)]
            let n = CIELab.xyzToRGB
            toRGB = (0..<3).flatMap { row in (0..<3).map { column in Float(n[row][column] * w[column]) } }
        }
    }

    private typealias Lanes = SIMD8<Float>

    /// The cube root of non-negative lanes: a first guess from the exponent bits, then Newton's steps to float
    /// precision (a zero stays near zero; callers only use lanes above a threshold).
    @inline(__always) private static func cubeRoot(_ t: Lanes) -> Lanes {
        var y = unsafeBitCast(unsafeBitCast(t, to: SIMD8<UInt32>.self) / 3 &+ 0x2A51_37A0, to: Lanes.self)
        for _ in 0..<3 { y = (2 * y + t / (y * y)) * (1 / 3 as Float) }
        return y
    }

    /// CIELAB's f(t): the cube root above 0.008856, linear below.
    @inline(__always) private static func labF(_ t: Lanes) -> Lanes {
        cubeRoot(t).replacing(with: 7.787 * t + 16.0 / 116.0, where: t .<= 0.008856)
    }

    @inline(__always) private static func labFInverse(_ t: Lanes) -> Lanes {
        (t * t * t).replacing(with: (t - 16.0 / 116.0) / 7.787, where: t .<= 0.2068966)
    }

    /// Linear light to 8-bit sRGB codes, rounded half away from zero: 1.055 v^(1/2.4) - 0.055 with v^(1/2.4) =
    /// (v^(1/12))^5 and v^(1/12) the cube root of two square roots.
    @inline(__always) private static func encode(_ v: Lanes) -> Lanes {
        let clamped = v.clamped(lowerBound: Lanes(repeating: 0), upperBound: Lanes(repeating: 1))
        let twelfth = cubeRoot(clamped.squareRoot().squareRoot())
        let squared = twelfth * twelfth
        let curve = (1.055 * squared * squared * twelfth - 0.055).replacing(with: clamped * 12.92, where: clamped .<= 0.0031308)
        return (curve * 255).rounded(.toNearestOrAwayFromZero).clamped(lowerBound: Lanes(repeating: 0), upperBound: Lanes(repeating: 255))
    }

    private static func applyReinhard(_ kernel: ReinhardKernel, to pixels: inout [UInt8], count: Int) {
        kernel.toXYZ.withUnsafeBufferPointer { table in
            pixels.withUnsafeMutableBufferPointer { p in
                let c = kernel.cubeRootMap, n = kernel.toRGB
                var start = 0
                while start < count {
                    let lanes = min(8, count - start)
                    var x = Lanes(), y = Lanes(), z = Lanes()
                    for j in 0..<lanes {
                        let pixel = 3 * (start + j)
                        let r = Int(p[pixel]) * 3, g = (256 + Int(p[pixel + 1])) * 3, b = (512 + Int(p[pixel + 2])) * 3
                        x[j] = table[r] + table[g] + table[b]
                        y[j] = table[r + 1] + table[g + 1] + table[b + 1]
                        z[j] = table[r + 2] + table[g + 2] + table[b + 2]
                    }
                    let fx = labF(x), fy = labF(y), fz = labF(z)
                    let gx = labFInverse(c[0] * fx + c[1] * fy + c[2] * fz + c[9])
                    let gy = labFInverse(c[3] * fx + c[4] * fy + c[5] * fz + c[10])
                    let gz = labFInverse(c[6] * fx + c[7] * fy + c[8] * fz + c[11])
                    let red = encode(n[0] * gx + n[1] * gy + n[2] * gz)
                    let green = encode(n[3] * gx + n[4] * gy + n[5] * gz)
                    let blue = encode(n[6] * gx + n[7] * gy + n[8] * gz)
                    for j in 0..<lanes {
                        let pixel = 3 * (start + j)
                        p[pixel] = UInt8(red[j])
                        p[pixel + 1] = UInt8(green[j])
                        p[pixel + 2] = UInt8(blue[j])
                    }
                    start += lanes
                }
            }
        }
    }
}
