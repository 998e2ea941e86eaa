import Foundation

/// The stain module's colour conversions, public for the checks that need them outside it (TesseraQC's pen and fold
/// checks): the same CIELAB, optical density and least-squares unmixing that estimation and the transforms use.
public enum StainColour {
    /// CIELAB (D65, L in 0-100) of an 8-bit sRGB colour, as skimage's rgb2lab computes it.
    @inlinable
    public static func lab(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> SIMD3<Double> { labValue(r, g, b) }

    @usableFromInline
    static func labValue(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> SIMD3<Double> { CIELab.lab(r, g, b) }

    /// Optical density -ln((v + 1) / Io) of an 8-bit channel value, Io = 240 (`StainConstants.transmittedLight`).
    public static func opticalDensity(_ value: UInt8) -> Double { StainSample.opticalDensity(Int(value)) }

    /// Haematoxylin and eosin concentrations of one pixel's optical density (R, G, B) for the stain vectors'
    /// least-squares unmixing (the pseudo-inverse of [h e], as Macenko's transform uses).
    public struct Unmixer: Sendable {
        let unmixing: Unmixing
        public init(haematoxylin: SIMD3<Double>, eosin: SIMD3<Double>) {
            unmixing = Unmixing(h: haematoxylin, e: eosin)
        }
        public init(_ vectors: StainVectors) { self.init(haematoxylin: vectors.haematoxylin, eosin: vectors.eosin) }
        public func concentrations(_ od: SIMD3<Double>) -> SIMD2<Double> { unmixing.concentrations(od) }
    }

    /// Ruifrok & Johnston's H&E optical-density vectors (2001; skimage's `hed_from_rgb` rows), unit length: the
    /// fallback when a slide's own vectors cannot be estimated.
    public static let ruifrokHaematoxylin = SIMD3<Double>(0.65, 0.70, 0.29) / (0.65 * 0.65 + 0.70 * 0.70 + 0.29 * 0.29).squareRoot()
    public static let ruifrokEosin = SIMD3<Double>(0.07, 0.99, 0.11) / (0.07 * 0.07 + 0.99 * 0.99 + 0.11 * 0.11).squareRoot()
}
