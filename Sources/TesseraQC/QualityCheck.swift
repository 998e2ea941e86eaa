import TesseraCore

/// What a check finds: one name per kind of artefact. A struct rather than an enum, so a lab's own check can name a
/// kind of its own (`ArtefactKind("debris")`) without changing this module.
public struct ArtefactKind: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let pen = ArtefactKind("pen")
    public static let blur = ArtefactKind("blur")
    public static let fold = ArtefactKind("fold")
    public static let bubbleEdge = ArtefactKind("bubble_edge")

    public var description: String { rawValue }
    public static func < (a: ArtefactKind, b: ArtefactKind) -> Bool { a.rawValue < b.rawValue }
}

/// A binary mask over an image, row-major, one `Bool` per pixel.
public struct QCMask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [Bool]

    public init(width: Int, height: Int, pixels: [Bool]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height,
                     "QCMask: \(pixels.count) values for \(width)x\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public init(width: Int, height: Int, filledWith value: Bool = false) {
        self.init(width: width, height: height, pixels: [Bool](repeating: value, count: width * height))
    }

    /// From an 8-bit gray mask (a PNG, `TissueMask.mask`): set where the value is at least 128.
    public init(width: Int, height: Int, gray: [UInt8]) {
        self.init(width: width, height: height, pixels: gray.map { $0 >= 128 })
    }

    /// 255 where set, 0 elsewhere (ready to write as a gray PNG).
    public var gray: [UInt8] { pixels.map { $0 ? 255 : 0 } }

    /// Pixels set.
    public var count: Int { pixels.reduce(0) { $0 + ($1 ? 1 : 0) } }

    public subscript(x: Int, y: Int) -> Bool {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// Pixels set in both.
    public func intersectionCount(_ other: QCMask) -> Int {
        precondition(width == other.width && height == other.height)
        var n = 0
        for i in pixels.indices where pixels[i] && other.pixels[i] { n += 1 }
        return n
    }

    /// Intersection over union with another mask of the same size; 1 when both are empty.
    public func intersectionOverUnion(_ other: QCMask) -> Double {
        let both = intersectionCount(other)
        let union = count + other.count - both
        return union == 0 ? 1 : Double(both) / Double(union)
    }

    public func union(_ other: QCMask) -> QCMask {
        precondition(width == other.width && height == other.height)
        var result = self
        for i in pixels.indices where other.pixels[i] { result.pixels[i] = true }
        return result
    }

    public func intersection(_ other: QCMask) -> QCMask {
        precondition(width == other.width && height == other.height)
        var result = self
        for i in pixels.indices where !other.pixels[i] { result.pixels[i] = false }
        return result
    }
}

/// What every check looks at: a low-resolution RGB image of a slide (or a tile), where its tissue is, and its
/// resolution. Checks state their sizes in µm and convert them with `micronsPerPixel`, so the same check serves a
/// thumbnail at 8 µm/px and a tile at 1 µm/px (each check's documentation says which resolutions suit it).
public struct QCInput: Sendable {
    public let image: RGBImage
    /// Same size as `image` (`TissueMask.detect(thumbnail:...)`'s mask, for one).
    public let tissue: QCMask
    public let micronsPerPixel: Double

    public init(image: RGBImage, tissue: QCMask, micronsPerPixel: Double) {
        precondition(tissue.width == image.width && tissue.height == image.height,
                     "QCInput: tissue mask \(tissue.width)x\(tissue.height) for image \(image.width)x\(image.height)")
        precondition(micronsPerPixel > 0)
        self.image = image
        self.tissue = tissue
        self.micronsPerPixel = micronsPerPixel
    }

    /// Pixels per µm², for turning areas in µm² into pixel counts.
    public func pixels(squareMicrons area: Double) -> Int {
        Int((area / (micronsPerPixel * micronsPerPixel)).rounded(.up))
    }

    public func pixels(microns length: Double) -> Double { length / micronsPerPixel }
}

/// One check's answer on one image.
public struct QCCheckResult: Sendable {
    public var kind: ArtefactKind
    /// The artefact's pixels (same size as the input image). A check may flag pixels outside the tissue mask (ink
    /// on glass, a coverslip edge); the report measures both.
    public var mask: QCMask
    /// Slide-level numbers the decision used (the reference focus, the thresholds in force, ...), by name.
    public var statistics: [String: Double]

    public init(kind: ArtefactKind, mask: QCMask, statistics: [String: Double] = [:]) {
        self.kind = kind
        self.mask = mask
        self.statistics = statistics
    }
}

/// A quality check: finds one kind of artefact on a low-resolution image of a slide. Each check is a type of its
/// own with its parameters as stored properties, so a lab adds one by conforming a type to this protocol, and a
/// check's parameters can enter a run's parameters hash as they are (they are `Codable`).
public protocol QualityCheck: Sendable {
    var kind: ArtefactKind { get }
    func run(_ input: QCInput) -> QCCheckResult
}

/// The checks this module ships, with their default parameters, in the order a report lists them.
public enum QualityChecks {
    public static let standard: [any QualityCheck] = [PenMarkCheck(), BlurCheck(), FoldCheck(), BubbleEdgeCheck()]

    /// Runs `checks` on `input` and combines their masks into a slide report.
    public static func run(_ checks: [any QualityCheck] = standard, on input: QCInput,
                           thresholds: QCVerdictThresholds = .init()) -> (results: [QCCheckResult], report: SlideQCReport) {
        let results = checks.map { $0.run(input) }
        return (results, SlideQCReport(results: results, tissue: input.tissue, micronsPerPixel: input.micronsPerPixel,
                                       thresholds: thresholds))
    }
}
