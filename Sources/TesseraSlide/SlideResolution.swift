import Foundation

/// The slide's own resolution (µm per level-0 pixel) and where it came from, so nothing is ever a silent guess.
public struct SlideResolution: Sendable, Equatable, Codable {
    public enum Source: String, Sendable, Equatable, Codable {
        /// openslide.mpp-x / mpp-y in the file.
        case file
        /// The user stated it (--slide-mpp); it takes precedence over the file.
        case userStated
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
        case .userStated: String(format: "%.4g µm/px (stated with --slide-mpp)", mpp)
        case .objectivePower:
            String(format: "%.4g µm/px (estimated as 10 / objective power; the file states no resolution, "
                + "use --slide-mpp to state it)", mpp)
        }
    }

    /// Resolves a slide's resolution: the user's statement, else the file's mpp, else 10 / objective power, else
    /// a `.resolutionUnknown` error naming `path`.
    public static func resolve(fileMPP: (x: Double, y: Double)?, objectivePower: Double?, userStatedMPP: Double?,
                               path: String) throws -> SlideResolution {
        if let userStatedMPP {
            guard userStatedMPP > 0, userStatedMPP.isFinite else {
                throw SlideError(kind: .invalidArgument, message: "--slide-mpp must be a positive number of µm/px, "
                    + "not \(userStatedMPP)", path: path, context: "resolving the slide's resolution")
            }
            return SlideResolution(mpp: userStatedMPP, source: .userStated)
        }
        if let fileMPP {
            return SlideResolution(mppX: fileMPP.x, mppY: fileMPP.y, source: .file)
        }
        if let objectivePower, objectivePower > 0, objectivePower.isFinite {
            return SlideResolution(mpp: 10 / objectivePower, source: .objectivePower)
        }
        throw SlideError(kind: .resolutionUnknown,
                         message: "the file states neither its resolution (openslide.mpp-x/mpp-y) nor an objective "
                             + "power", path: path, context: "resolving the slide's resolution")
    }
}

extension Slide {
    /// This slide's resolution; `userStatedMPP` (from --slide-mpp) wins over what the file says.
    public func resolution(userStatedMPP: Double? = nil) throws -> SlideResolution {
        try SlideResolution.resolve(fileMPP: micronsPerPixel, objectivePower: objectivePower,
                                    userStatedMPP: userStatedMPP, path: url.path)
    }
}
