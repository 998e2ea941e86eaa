import Foundation

/// sRGB (D65) <-> CIELAB with L in 0-100, as skimage's and torchstain's rgb2lab/lab2rgb compute it.
enum CIELab {
    static let rgbToXYZ: [[Double]] = [[0.412453, 0.357580, 0.180423],
                                       [0.212671, 0.715160, 0.072169],
                                       [0.019334, 0.119193, 0.950227]]
    static let white = SIMD3<Double>(0.95047, 1.0, 1.08883)
    /// The inverse of rgbToXYZ (computed once).
    static let xyzToRGB: [[Double]] = {
        let m = rgbToXYZ
        let c00 = m[1][1] * m[2][2] - m[1][2] * m[2][1], c01 = m[1][2] * m[2][0] - m[1][0] * m[2][2]
        let c02 = m[1][0] * m[2][1] - m[1][1] * m[2][0]
        let det = m[0][0] * c00 + m[0][1] * c01 + m[0][2] * c02
        return [[c00 / det, (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det, (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det],
                [c01 / det, (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det, (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det],
                [c02 / det, (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det, (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det]]
    }()

    /// Linear-light value of each 8-bit sRGB code.
    static let linear: [Double] = (0..<256).map { code in
        let v = Double(code) / 255
        return v > 0.04045 ? pow((v + 0.055) / 1.055, 2.4) : v / 12.92
    }

    @inline(__always) static func f(_ t: Double) -> Double { t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116.0 }
    @inline(__always) static func fInverse(_ t: Double) -> Double { t > 0.2068966 ? t * t * t : (t - 16.0 / 116.0) / 7.787 }

    @inline(__always)
    static func lab(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> SIMD3<Double> {
        let rl = linear[Int(r)], gl = linear[Int(g)], bl = linear[Int(b)]
        let m = rgbToXYZ
        let x = f((m[0][0] * rl + m[0][1] * gl + m[0][2] * bl) / white.x)
        let y = f((m[1][0] * rl + m[1][1] * gl + m[1][2] * bl) / white.y)
        let z = f((m[2][0] * rl + m[2][1] * gl + m[2][2] * bl) / white.z)
        return SIMD3(116 * y - 16, 500 * (x - y), 200 * (y - z))
    }
}
