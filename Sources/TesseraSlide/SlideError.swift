import Foundation

/// A slide failure that names the file, the problem (OpenSlide's own words where it gave some) and what to do.
public struct SlideError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable, Codable {
        /// No file at the path.
        case fileNotFound
        /// OpenSlide does not recognise the file as any slide format it reads (openslide_open returned NULL).
        case unsupportedFormat
        /// OpenSlide recognised the format but could not open the file (its message says why).
        case openFailed
        /// The slide is in several files and some are missing (a MIRAX .mrxs without its data folder).
        case companionFilesMissing
        /// A read failed; OpenSlide then keeps the handle in an error state and every later read fails too.
        case readFailed
        /// The slide has no associated image of that name.
        case associatedImageNotFound
        /// Neither the file, the user nor the objective power gives the slide's resolution.
        case resolutionUnknown
        /// The caller asked for something impossible (negative size, level out of range, bad resolution).
        case invalidArgument
    }

    public let kind: Kind
    /// OpenSlide's message, or Tessera's when OpenSlide gave none.
    public let message: String
    /// The slide file ("" for errors about values alone, such as an impossible tile grid).
    public let path: String
    /// What was being done: "opening", "reading level 0 region (0, 0, 512x512)"...
    public let context: String

    public init(kind: Kind, message: String, path: String, context: String) {
        self.kind = kind
        self.message = message
        self.path = path
        self.context = context
    }

    public var description: String {
        (path.isEmpty ? "" : "\(path): ") + "\(context): \(message). \(advice)"
    }

    /// What the user can do about it.
    public var advice: String {
        switch kind {
        case .fileNotFound: "Check the path."
        case .unsupportedFormat:
            "Tessera reads what OpenSlide 3.4 reads (Aperio .svs, Hamamatsu .ndpi, tiled TIFF, MIRAX, ...); "
                + "convert the slide to a tiled pyramidal TIFF."
        case .openFailed: "The file may be damaged or use a variant OpenSlide does not support."
        case .companionFilesMissing:
            "Copy the slide's missing files next to it, keeping their names (a MIRAX slide is the .mrxs file plus the "
                + "folder of the same name beside it)."
        case .readFailed: "The file is probably damaged; this slide handle cannot be read any more."
        case .associatedImageNotFound: "Run `tessera inspect` to list the slide's associated images."
        case .resolutionUnknown:
            "State the slide's own resolution with --slide-mpp (µm per level-0 pixel)."
        case .invalidArgument: "This is a bug in the caller."
        }
    }
}
