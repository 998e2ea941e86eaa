/// Haematoxylin concentration per pixel by colour deconvolution: each pixel's optical density (the stain module's,
/// `StainSample.opticalDensity`) unmixed onto Ruifrok and Johnston's H&E vectors (Anal Quant Cytol Histol 2001, as
/// in scikit-image's `rgb2hed`) by least squares. Fixed vectors, not the slide's estimate, so that a nucleus's mean
/// haematoxylin density compares across slides and runs (and does not depend on whether the stain estimate worked).
public struct HaematoxylinDensity: Sendable {
    /// Ruifrok and Johnston's haematoxylin and eosin optical density vectors (R, G, B), normalised.
    public static let haematoxylin = normalised(SIMD3(0.65, 0.70, 0.29))
    public static let eosin = normalised(SIMD3(0.07, 0.99, 0.11))

    /// Per channel and 8-bit value, the value's optical density times the channel's haematoxylin unmixing weight:
    /// a pixel's haematoxylin is the sum of its three entries.
    private let table: [Double]

    public init() {
        let unmix = Unmixing(h: Self.haematoxylin, e: Self.eosin)
        var table = [Double](repeating: 0, count: 3 * 256)
        for channel in 0..<3 {
            for value in 0..<256 {
                table[channel * 256 + value] = unmix.rowH[channel] * StainSample.opticalDensity(value)
            }
        }
        self.table = table
    }

    /// The haematoxylin concentration of one pixel (in optical density units; may be slightly negative on glass).
    @inlinable
    public func value(r: UInt8, g: UInt8, b: UInt8) -> Double {
        entry(0, r) + entry(1, g) + entry(2, b)
    }

    @usableFromInline
    func entry(_ channel: Int, _ value: UInt8) -> Double { table[channel * 256 + Int(value)] }

    private static func normalised(_ v: SIMD3<Double>) -> SIMD3<Double> { v / (v * v).sum().squareRoot() }
}
