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
        case reinhard(scale: SIMD3<Float>, offset: SIMD3<Float>)
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
            kernel = .reinhard(scale: SIMD3<Float>(scale), offset: SIMD3<Float>(t.mean - s.mean * scale))
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
        case .reinhard(let scale, let offset):
            Self.applyReinhard(scale: scale, offset: offset, to: &image.pixels, count: count)
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

    private static let linear: [Float] = CIELab.linear.map { Float($0) }

    private static func applyReinhard(scale: SIMD3<Float>, offset: SIMD3<Float>, to pixels: inout [UInt8], count: Int) {
        let m = CIELab.rgbToXYZ.map { $0.map { Float($0) } }
        let w = SIMD3<Float>(CIELab.white)
        // rgb -> xyz / white, row by row.
        let a00 = m[0][0] / w.x, a01 = m[0][1] / w.x, a02 = m[0][2] / w.x
        let a10 = m[1][0] / w.y, a11 = m[1][1] / w.y, a12 = m[1][2] / w.y
        let a20 = m[2][0] / w.z, a21 = m[2][1] / w.z, a22 = m[2][2] / w.z
        let n = CIELab.xyzToRGB.map { $0.map { Float($0) } }
        // (xyz * white) -> linear rgb.
        let b00 = n[0][0] * w.x, b01 = n[0][1] * w.y, b02 = n[0][2] * w.z
        let b10 = n[1][0] * w.x, b11 = n[1][1] * w.y, b12 = n[1][2] * w.z
        let b20 = n[2][0] * w.x, b21 = n[2][1] * w.y, b22 = n[2][2] * w.z
        @inline(__always) func f(_ t: Float) -> Float { t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116.0 }
        @inline(__always) func fInverse(_ t: Float) -> Float { t > 0.2068966 ? t * t * t : (t - 16.0 / 116.0) / 7.787 }
        @inline(__always) func encode(_ v: Float) -> UInt8 {
            let e = v > 0.0031308 ? 1.055 * pow(v, 1 / 2.4) - 0.055 : v * 12.92
            return UInt8((min(1, max(0, e)) * 255).rounded())
        }
        Self.linear.withUnsafeBufferPointer { lin in
            pixels.withUnsafeMutableBufferPointer { p in
                for i in 0..<count {
                    let r = lin[Int(p[3 * i])], g = lin[Int(p[3 * i + 1])], b = lin[Int(p[3 * i + 2])]
                    let fx = f(a00 * r + a01 * g + a02 * b)
                    let fy = f(a10 * r + a11 * g + a12 * b)
                    let fz = f(a20 * r + a21 * g + a22 * b)
                    let l = (116 * fy - 16) * scale.x + offset.x
                    let aa = 500 * (fx - fy) * scale.y + offset.y
                    let bb = 200 * (fy - fz) * scale.z + offset.z
                    let y = (l + 16) / 116
                    let x = fInverse(aa / 500 + y), yy = fInverse(y), z = fInverse(y - bb / 200)
                    p[3 * i] = encode(b00 * x + b01 * yy + b02 * z)
                    p[3 * i + 1] = encode(b10 * x + b11 * yy + b12 * z)
                    p[3 * i + 2] = encode(b20 * x + b21 * yy + b22 * z)
                }
            }
        }
    }
}
