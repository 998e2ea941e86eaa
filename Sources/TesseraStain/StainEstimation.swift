import Foundation
import TesseraCore

/// Constants shared by estimation and the transforms. They are Macenko's (and torchstain's and the original
/// MATLAB code's): transmitted light Io = 240, tissue where every channel's optical density is at least 0.15,
/// stain vectors at the 1st and 99th percentile angles, concentrations scaled at their 99th percentile.
public enum StainConstants {
    public static let transmittedLight = 240.0
    public static let tissueOpticalDensity = 0.15
    public static let anglePercentile = 1.0
    public static let concentrationPercentile = 99.0
    /// Fewer tissue pixels than this and an estimate is refused (about one 100 x 100 px patch of tissue).
    public static let minimumTissuePixels = 10_000
}

/// Tissue pixels gathered for one estimate: from one tile (per-tile estimation), or from a fixed sample of a
/// slide's tissue tiles (per-slide estimation). A pixel is tissue when its optical density is at least 0.15 in
/// every channel (Macenko's rule, which Reinhard's statistics use too here, so both see the same pixels).
public struct StainSample: Sendable {
    /// R, G, B of each tissue pixel.
    public private(set) var tissue: [UInt8] = []
    /// Pixels looked at, tissue or not.
    public private(set) var pixelCount = 0
    /// Pixels whose brightest channel is under 50: a fluorescence image's background, never a brightfield one's.
    public private(set) var darkPixelCount = 0

    public init() {}

    /// Adds every `stride`-th pixel of every `stride`-th row of `image`.
    public mutating func add(_ image: RGBImage, stride: Int = 1) {
        precondition(stride >= 1)
        let threshold = UInt8(Self.tissueThreshold)
        image.pixels.withUnsafeBufferPointer { p in
            for y in Swift.stride(from: 0, to: image.height, by: stride) {
                for x in Swift.stride(from: 0, to: image.width, by: stride) {
                    let i = (y * image.width + x) * 3
                    let r = p[i], g = p[i + 1], b = p[i + 2]
                    pixelCount += 1
                    if max(r, g, b) < 50 { darkPixelCount += 1 }
                    if r <= threshold && g <= threshold && b <= threshold { tissue.append(contentsOf: [r, g, b]) }
                }
            }
        }
    }

    /// Adds another sample's pixels (several slides or images make one reference).
    public mutating func add(_ other: StainSample) {
        tissue += other.tissue
        pixelCount += other.pixelCount
        darkPixelCount += other.darkPixelCount
    }

    public var tissuePixelCount: Int { tissue.count / 3 }

    /// The largest 8-bit value whose optical density -ln((v + 1) / Io) is at least 0.15 (205).
    static let tissueThreshold: Int = {
        var v = 255
        while v > 0 && opticalDensity(v) < StainConstants.tissueOpticalDensity { v -= 1 }
        return v
    }()

    @inline(__always)
    static func opticalDensity(_ value: Int) -> Double {
        -log((Double(value) + 1) / StainConstants.transmittedLight)
    }
}

/// Why a slide's or tile's stain could not be estimated; the slide is then processed without normalisation.
public struct StainEstimateError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public enum StainEstimation {
    /// Estimates `method`'s statistics from the sample's tissue pixels.
    public static func estimate(_ method: StainMethod, from sample: StainSample) throws(StainEstimateError) -> StainStatistics {
        try check(sample)
        switch method {
        case .reinhard: return .reinhard(labStatistics(sample.tissue))
        case .macenko: return .macenko(try stainVectors(sample.tissue))
        }
    }

    /// Both methods' statistics, for a reference.
    public static func reference(from sample: StainSample, method: StainMethod, source: String?) throws(StainEstimateError) -> StainReference {
        try check(sample)
        return StainReference(method: method, reinhard: labStatistics(sample.tissue),
                              macenko: try stainVectors(sample.tissue), source: source)
    }

    static func check(_ sample: StainSample) throws(StainEstimateError) {
        if sample.pixelCount > 0 && sample.darkPixelCount * 2 > sample.pixelCount {
            let percent = Int((Double(sample.darkPixelCount) / Double(sample.pixelCount) * 100).rounded())
            throw StainEstimateError("\(percent)% of the sampled pixels are dark (brightest channel under 50): not a brightfield H&E image (fluorescence?)")
        }
        guard sample.tissuePixelCount >= StainConstants.minimumTissuePixels else {
            throw StainEstimateError("too little tissue to estimate the stain: \(sample.tissuePixelCount) tissue pixels of \(sample.pixelCount) sampled (at least \(StainConstants.minimumTissuePixels) needed)")
        }
    }

    // MARK: Reinhard

    static func labStatistics(_ rgb: [UInt8]) -> LabStatistics {
        let count = rgb.count / 3
        var sum = SIMD3<Double>.zero
        var lab = [SIMD3<Double>](repeating: .zero, count: count)
        for i in 0..<count {
            let value = CIELab.lab(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2])
            lab[i] = value
            sum += value
        }
        let mean = sum / Double(count)
        var squares = SIMD3<Double>.zero
        for value in lab { let d = value - mean; squares += d * d }
        return LabStatistics(mean: mean, std: (squares / Double(count)).squareRoot())
    }

    // MARK: Macenko

    static func stainVectors(_ rgb: [UInt8]) throws(StainEstimateError) -> StainVectors {
        let count = rgb.count / 3
        let od = (0..<256).map { SIMD3<Double>(repeating: StainSample.opticalDensity($0)) }
        var pixels = [SIMD3<Double>](repeating: .zero, count: count)
        var sum = SIMD3<Double>.zero
        for i in 0..<count {
            let v = SIMD3(od[Int(rgb[3 * i])].x, od[Int(rgb[3 * i + 1])].x, od[Int(rgb[3 * i + 2])].x)
            pixels[i] = v
            sum += v
        }
        // Covariance (the scale does not matter for the eigenvectors).
        let mean = sum / Double(count)
        var covariance = [[Double]](repeating: [0, 0, 0], count: 3)
        for v in pixels {
            let d = v - mean
            for r in 0..<3 { for c in r..<3 { covariance[r][c] += d[r] * d[c] } }
        }
        for r in 0..<3 { for c in 0..<r { covariance[r][c] = covariance[c][r] } }
        let (values, vectors) = SymmetricEigen.decompose(covariance)
        // The plane of the two largest principal components: e1 the second largest, e2 the largest (numpy's
        // eigh order, as torchstain takes eigvecs[:, 1:3]).
        let order = (0..<3).sorted { values[$0] < values[$1] }
        let e1 = vectors[order[1]], e2 = vectors[order[2]]
        var angles = [Double](repeating: 0, count: count)
        for i in 0..<count {
            let v = pixels[i]
            angles[i] = atan2((v * e2).sum(), (v * e1).sum())
        }
        angles.sort()
        let minAngle = Percentile.sorted(angles, StainConstants.anglePercentile)
        let maxAngle = Percentile.sorted(angles, 100 - StainConstants.anglePercentile)
        let vMin = e1 * cos(minAngle) + e2 * sin(minAngle)
        let vMax = e1 * cos(maxAngle) + e2 * sin(maxAngle)
        // Haematoxylin absorbs more red than eosin does: the vector with the larger red OD is haematoxylin.
        var (h, e) = vMin.x > vMax.x ? (vMin, vMax) : (vMax, vMin)
        // An eigenvector's sign is arbitrary; optical densities are positive.
        if h.sum() < 0 { h = -h }
        if e.sum() < 0 { e = -e }
        let angle = acos(max(-1, min(1, (h * e).sum() / ((h * h).sum() * (e * e).sum()).squareRoot()))) * 180 / .pi
        guard angle >= 3 else {
            throw StainEstimateError(String(format: "the two stain vectors found are %.1f degrees apart: the tissue shows one colour, not haematoxylin and eosin", angle))
        }
        let unmix = Unmixing(h: h, e: e)
        var hConcentrations = [Double](repeating: 0, count: count), eConcentrations = hConcentrations
        for i in 0..<count {
            let c = unmix.concentrations(pixels[i])
            hConcentrations[i] = c.x
            eConcentrations[i] = c.y
        }
        hConcentrations.sort()
        eConcentrations.sort()
        let maxima = SIMD2(Percentile.sorted(hConcentrations, StainConstants.concentrationPercentile),
                           Percentile.sorted(eConcentrations, StainConstants.concentrationPercentile))
        guard maxima.x > 1e-3, maxima.y > 1e-3 else {
            throw StainEstimateError(String(format: "the stain concentrations are near zero (99th percentiles H %.4f, E %.4f): too little stained tissue", maxima.x, maxima.y))
        }
        return StainVectors(haematoxylin: h, eosin: e, maxConcentrations: maxima)
    }
}

/// Least-squares concentrations of two stains with optical-density vectors h and e: the pseudo-inverse of [h e].
struct Unmixing {
    let rowH: SIMD3<Double>
    let rowE: SIMD3<Double>

    init(h: SIMD3<Double>, e: SIMD3<Double>) {
        let hh = (h * h).sum(), he = (h * e).sum(), ee = (e * e).sum()
        let determinant = hh * ee - he * he
        // (M^T M)^-1 M^T with M = [h e].
        rowH = (h * ee - e * he) / determinant
        rowE = (e * hh - h * he) / determinant
    }

    func concentrations(_ od: SIMD3<Double>) -> SIMD2<Double> { SIMD2((rowH * od).sum(), (rowE * od).sum()) }
}

/// numpy's default percentile: linear interpolation between the closest ranks.
enum Percentile {
    static func sorted(_ values: [Double], _ percent: Double) -> Double {
        precondition(!values.isEmpty)
        let position = percent / 100 * Double(values.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, values.count - 1)
        let fraction = position - Double(lower)
        return values[lower] + fraction * (values[upper] - values[lower])
    }
}

/// Eigen-decomposition of a symmetric 3 x 3 matrix by cyclic Jacobi rotations.
enum SymmetricEigen {
    /// Eigenvalues and unit eigenvectors (vectors[k] belongs to values[k]).
    static func decompose(_ matrix: [[Double]]) -> (values: [Double], vectors: [SIMD3<Double>]) {
        var a = matrix
        var v: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        for _ in 0..<64 {
            let offDiagonal = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2]
            if offDiagonal < 1e-30 { break }
            for (p, q) in [(0, 1), (0, 2), (1, 2)] where abs(a[p][q]) > 1e-300 {
                let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<3 {
                    let akp = a[k][p], akq = a[k][q]
                    a[k][p] = c * akp - s * akq
                    a[k][q] = s * akp + c * akq
                }
                for k in 0..<3 {
                    let apk = a[p][k], aqk = a[q][k]
                    a[p][k] = c * apk - s * aqk
                    a[q][k] = s * apk + c * aqk
                }
                for k in 0..<3 {
                    let vkp = v[k][p], vkq = v[k][q]
                    v[k][p] = c * vkp - s * vkq
                    v[k][q] = s * vkp + c * vkq
                }
            }
        }
        return ([a[0][0], a[1][1], a[2][2]], (0..<3).map { SIMD3(v[0][$0], v[1][$0], v[2][$0]) })
    }
}
