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
    /// the map to f = 0 and the unit vectors. Per pixel that leaves two 3 x 3 products, 3 cube roots, 3 cubes and the
    /// sRGB encoding, in loops the compiler vectorises.
    struct ReinhardKernel: Sendable, Equatable {
        /// Linear light of each sRGB code.
        let linear: [Float]
        /// (X / Xn, Y / Yn, Z / Zn) from linear RGB, row-major.
        let toXYZ: [Float]
        /// f' = M f + k, row-major M then k.
        let cubeRootMap: [Float]
        /// Linear RGB from XYZ (white folded in), row-major.
        let toRGB: [Float]

        init(scale: SIMD3<Double>, offset: SIMD3<Double>) {
            let m = CIELab.rgbToXYZ, w = CIELab.white
            linear = CIELab.linear.map { Float($0) }
            toXYZ = (0..<3).flatMap { row in (0..<3).map { column in Float(m[row][column] / w[row]) } }
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

    // Scalar code in plain loops over chunks, which LLVM vectorises (Swift's SIMD types convert and select element by
    // element in Swift 6.3, several times slower).

    /// The cube root of a non-negative value: a first guess from the exponent bits (within 3.3%), then two Newton steps
    /// (relative error under 2e-6, a thousandth of a grey level; zero stays near zero; callers only use values above a
    /// threshold).
    @inline(__always) private static func cubeRoot(_ t: Float) -> Float {
        let y = Float(bitPattern: t.bitPattern / 3 &+ 0x2A51_37A0)
        let closer = (2 * y + t / (y * y)) * (1 / 3 as Float)
        return (2 * closer + t / (closer * closer)) * (1 / 3 as Float)
    }

    /// CIELAB's f(t): the cube root above 0.008856, linear below.
    @inline(__always) private static func labF(_ t: Float) -> Float {
        let root = cubeRoot(t), linear = 7.787 * t + 16.0 / 116.0
        return t > 0.008856 ? root : linear
    }

    @inline(__always) private static func labFInverse(_ t: Float) -> Float {
        let cube = t * t * t, linear = (t - 16.0 / 116.0) / 7.787
        return t > 0.2068966 ? cube : linear
    }

    /// v^(1/12) for v in [0, 1]: a first guess from the exponent bits, then three Newton steps (relative error under
    /// 1e-5 from 0.0031 to 1, a hundredth of a grey level after encoding). Not sqrt(sqrt(v)) and a cube root: the
    /// second square root becomes a call to sqrtf here, which keeps the loop from being vectorised.
    @inline(__always) private static func twelfthRoot(_ v: Float) -> Float {
        var y = Float(bitPattern: UInt32(bitPattern: (Int32(bitPattern: v.bitPattern) &- 0x3F80_0000) / 12 &+ 0x3F80_0000))
        for _ in 0..<3 {
            let y2 = y * y, y4 = y2 * y2, y8 = y4 * y4
            y = (11 * y + v / (y8 * y2 * y)) * (1 / 12 as Float)
        }
        return y
    }

    /// Linear light to an 8-bit sRGB code, as `VectorRounding.biased` leaves it (the store loop reads the byte back):
    /// 1.055 v^(1/2.4) - 0.055 with v^(1/2.4) = (v^(1/12))^5.
    @inline(__always) private static func encode(_ v: Float) -> Float {
        let positive = v < 0 ? 0 : v, clamped = positive > 1 ? 1 : positive
        let twelfth = twelfthRoot(clamped)
        let squared = twelfth * twelfth
        let curve = 1.055 * squared * squared * twelfth - 0.055, linear = clamped * 12.92
        let scaled = (clamped > 0.0031308 ? curve : linear) * 255
        let code = scaled > 255 ? 255 : scaled
        return VectorRounding.biased(code)
    }

    private static func applyReinhard(_ kernel: ReinhardKernel, to pixels: inout [UInt8], count: Int) {
        let chunk = 512
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: 3 * chunk)
        defer { buffer.deallocate() }
        let x = buffer, y = buffer + chunk, z = buffer + 2 * chunk
        let a = kernel.toXYZ, c = kernel.cubeRootMap, n = kernel.toRGB
        let (a0, a1, a2, a3, a4, a5, a6, a7, a8) = (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8])
        let (c0, c1, c2, c3, c4, c5, c6, c7, c8) = (c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8])
        let (k0, k1, k2) = (c[9], c[10], c[11])
        let (n0, n1, n2, n3, n4, n5, n6, n7, n8) = (n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8])
        kernel.linear.withUnsafeBufferPointer { tableBuffer in
            pixels.withUnsafeMutableBufferPointer { pixelBuffer in
                let table = tableBuffer.baseAddress!, p = pixelBuffer.baseAddress!
                var start = 0
                while start < count {
                    let length = min(chunk, count - start), first = p + 3 * start
                    for j in 0..<length {
                        x[j] = table[Int(first[3 * j])]
                        y[j] = table[Int(first[3 * j + 1])]
                        z[j] = table[Int(first[3 * j + 2])]
                    }
                    for j in 0..<length {
                        let r = x[j], g = y[j], b = z[j]
                        let fx = labF(a0 * r + a1 * g + a2 * b), fy = labF(a3 * r + a4 * g + a5 * b), fz = labF(a6 * r + a7 * g + a8 * b)
                        let gx = labFInverse(c0 * fx + c1 * fy + c2 * fz + k0)
                        let gy = labFInverse(c3 * fx + c4 * fy + c5 * fz + k1)
                        let gz = labFInverse(c6 * fx + c7 * fy + c8 * fz + k2)
                        x[j] = encode(n0 * gx + n1 * gy + n2 * gz)
                        y[j] = encode(n3 * gx + n4 * gy + n5 * gz)
                        z[j] = encode(n6 * gx + n7 * gy + n8 * gz)
                    }
                    for j in 0..<length {
                        first[3 * j] = VectorRounding.lowByte(ofBiased: x[j])
                        first[3 * j + 1] = VectorRounding.lowByte(ofBiased: y[j])
                        first[3 * j + 2] = VectorRounding.lowByte(ofBiased: z[j])
                    }
                    start += length
                }
            }
        }
    }
}
