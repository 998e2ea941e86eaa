import Foundation

/// The slide's own resolution (µm per level-0 pixel, x and y) and where it came from, so nothing is ever a silent
/// guess: one type from the slide (TesseraSlide resolves it) to the results file (TesseraStore records it).
public struct SlideResolution: Sendable, Equatable, Codable {
    public enum Source: String, Sendable, Equatable, Codable {
        /// openslide.mpp-x / mpp-y in the file.
        case file
        /// The user stated it (--slide-mpp) for a slide whose file states no resolution.
        case userStated
        /// The user overrode the resolution the file states (--override-slide-mpp).
        case userOverride
        /// Estimated as 10 / objective power (a 20x scan ≈ 0.5 µm/px): a convention, not a measurement.
        case objectivePower
    }

    /// µm per level-0 pixel along x and along y, as stated (they differ on some scanners).
    public let mppX: Double
    public let mppY: Double
    public let source: Source
    /// The mean of x and y: the one figure the tile grid uses (target pixels are square).
    public var mpp: Double { (mppX + mppY) / 2 }

    public init(mppX: Double, mppY: Double, source: Source) {
        self.mppX = mppX
        self.mppY = mppY
        self.source = source
    }

    /// Square pixels.
    public init(mpp: Double, source: Source) {
        self.init(mppX: mpp, mppY: mpp, source: source)
    }
}
