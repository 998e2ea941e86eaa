import Foundation

/// The slide's own resolution (µm per level-0 pixel) and where it came from, so nothing is ever a silent guess.
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

    /// One line for logs and the CLI.
    public var summary: String {
        switch source {
        case .file: String(format: "%.4g µm/px (from the file)", mpp)
        case .userStated: String(format: "%.4g µm/px (stated with --slide-mpp; the file states none)", mpp)
        case .userOverride: String(format: "%.4g µm/px (--override-slide-mpp, overriding the file)", mpp)
        case .objectivePower:
            String(format: "%.4g µm/px (estimated as 10 / objective power; the file states no resolution, "
                + "use --slide-mpp to state it)", mpp)
        }
    }

    /// Resolves a slide's resolution, in this order: `overrideMPP` (--override-slide-mpp: wins over the file); the
    /// file's mpp; `userStatedMPP` (--slide-mpp: only for a file that states none, so a mixed batch keeps every
    /// stated resolution); 10 / objective power; else a `.resolutionUnknown` error naming `path`.
    public static func resolve(fileMPP: (x: Double, y: Double)?, objectivePower: Double?, userStatedMPP: Double?,
                               overrideMPP: Double? = nil, path: String) throws -> SlideResolution {
        for (value, option) in [(userStatedMPP, "--slide-mpp"), (overrideMPP, "--override-slide-mpp")] {
            if let value, !(value > 0 && value.isFinite) {
                throw SlideError(kind: .invalidArgument, message: "\(option) must be a positive number of µm/px, "
                    + "not \(value)", path: path, context: "resolving the slide's resolution")
            }
        }
        if let overrideMPP { return SlideResolution(mpp: overrideMPP, source: .userOverride) }
        if let fileMPP {
            return SlideResolution(mppX: fileMPP.x, mppY: fileMPP.y, source: .file)
        }
        if let userStatedMPP { return SlideResolution(mpp: userStatedMPP, source: .userStated) }
        if let objectivePower, objectivePower > 0, objectivePower.isFinite {
            return SlideResolution(mpp: 10 / objectivePower, source: .objectivePower)
        }
        throw SlideError(kind: .resolutionUnknown,
                         message: "the file states neither its resolution (openslide.mpp-x/mpp-y) nor an objective "
                             + "power", path: path, context: "resolving the slide's resolution")
    }
}

extension Slide {
    /// This slide's resolution: `overrideMPP` (--override-slide-mpp) wins over what the file says; `userStatedMPP`
    /// (--slide-mpp) applies only when the file states none (see `SlideResolution.resolve`).
    public func resolution(userStatedMPP: Double? = nil, overrideMPP: Double? = nil) throws -> SlideResolution {
        try SlideResolution.resolve(fileMPP: micronsPerPixel, objectivePower: objectivePower,
                                    userStatedMPP: userStatedMPP, overrideMPP: overrideMPP, path: url.path)
    }
}
