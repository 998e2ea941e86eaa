import COpenSlide
import Foundation
import TesseraCore

/// One level of a slide's pyramid.
public struct SlideLevel: Sendable, Equatable, Codable {
    public let width: Int
    public let height: Int
    /// Level-0 pixels per pixel of this level (1 for level 0; need not be an integer).
    public let downsample: Double

    public init(width: Int, height: Int, downsample: Double) {
        self.width = width
        self.height = height
        self.downsample = downsample
    }
}

/// The width and height of an image, in its own pixels.
public struct ImageSize: Sendable, Equatable, Codable {
    public let width: Int
    public let height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}

/// An open whole-slide image. Owns the OpenSlide handle and closes it when released.
///
/// Metadata is read once when the slide is opened. Reads are blocking C calls: call them from dedicated threads
/// (`BlockingThreadPool`), never from Swift's cooperative pool. Any number of threads may read one `Slide` at once:
/// OpenSlide's read functions are thread-safe on one handle (openslide.h, "Thread safety").
public final class Slide: Sendable {
    /// The raw handle, shared across threads. `@unchecked` is true here because OpenSlide documents every function
    /// used after opening as thread-safe, and the handle is only closed in `deinit`, when no reader can remain.
    private struct Handle: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private let handle: Handle
    public let url: URL
    /// `openslide.vendor`: "aperio", "hamamatsu", "generic-tiff"...
    public let vendor: String?
    public let levels: [SlideLevel]
    /// Every property OpenSlide reports, vendor ones included.
    public let properties: [String: String]
    /// "label", "macro", "thumbnail"... as the file has them.
    public let associatedImageNames: [String]
    /// Width and height of each associated image, by name.
    public let associatedImageSizes: [String: ImageSize]
    /// Level 0 decoded straight from the file's JPEG tiles (Aperio SVS, generic tiled TIFF), bypassing OpenSlide's
    /// compositing; nil where OpenSlide reads everything.
    let jpegTiles: JPEGTileReader?

    /// What is missing of a multi-file slide OpenSlide would not open: a MIRAX slide keeps its tiles in a folder named
    /// after the .mrxs file (without the extension), next to it, holding Slidedat.ini.
    static func missingCompanion(of url: URL) -> String? {
        guard url.pathExtension.lowercased() == "mrxs" else { return nil }
        let folder = url.deletingPathExtension()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return "the MIRAX data folder \(folder.path) next to the .mrxs file is missing"
        }
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("Slidedat.ini").path) else {
            return "the MIRAX data folder \(folder.path) has no Slidedat.ini"
        }
        return nil
    }

    /// Opens the slide at `url`. Throws `SlideError` (.fileNotFound, .unsupportedFormat, .openFailed).
    ///
    /// With `directTileDecoding` (the default), level-0 reads of Aperio SVS and generic tiled TIFF slides whose
    /// tiles are JPEG decode those tiles directly with libjpeg-turbo (`JPEGTileReader`: the same pixels as
    /// OpenSlide's, for a fraction of the CPU); everything else, and any tile the direct reader cannot decode, is
    /// read by OpenSlide. `false` reads everything through OpenSlide (tests and benchmarks compare the two).
    public init(contentsOf url: URL, directTileDecoding: Bool = true) throws {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw SlideError(kind: .fileNotFound, message: "no such file", path: path, context: "opening the slide")
        }
        guard let pointer = openslide_open(path) else {
            if let missing = Self.missingCompanion(of: url) {
                throw SlideError(kind: .companionFilesMissing, message: missing, path: path, context: "opening the slide")
            }
            throw SlideError(kind: .unsupportedFormat, message: "OpenSlide does not recognise this file's format",
                             path: path, context: "opening the slide")
        }
        // A failing open may still return a handle in the error state; it must be closed here since no Slide owns it.
        if let error = openslide_get_error(pointer) {
            let message = String(cString: error)
            openslide_close(pointer)
            throw SlideError(kind: .openFailed, message: message, path: path, context: "opening the slide")
        }
        self.handle = Handle(pointer: pointer)
        self.url = url

        var properties: [String: String] = [:]
        for name in Self.strings(openslide_get_property_names(pointer)) {
            if let value = openslide_get_property_value(pointer, name) {
                properties[name] = String(cString: value)
            }
        }
        self.properties = properties
        self.vendor = properties["openslide.vendor"]
        let associatedImageNames = Self.strings(openslide_get_associated_image_names(pointer))
        self.associatedImageNames = associatedImageNames
        var associatedImageSizes: [String: ImageSize] = [:]
        for name in associatedImageNames {
            var width: Int64 = -1, height: Int64 = -1
            openslide_get_associated_image_dimensions(pointer, name, &width, &height)
            associatedImageSizes[name] = ImageSize(width: Int(width), height: Int(height))
        }
        self.associatedImageSizes = associatedImageSizes

        let count = Int(openslide_get_level_count(pointer))
        var levels: [SlideLevel] = []
        for level in 0..<max(0, count) {
            var width: Int64 = -1, height: Int64 = -1
            openslide_get_level_dimensions(pointer, Int32(level), &width, &height)
            levels.append(SlideLevel(width: Int(width), height: Int(height),
                                     downsample: openslide_get_level_downsample(pointer, Int32(level))))
        }
        self.levels = levels
        self.jpegTiles = directTileDecoding && !levels.isEmpty
            ? JPEGTileReader.open(url: url, vendor: properties["openslide.vendor"], level0Width: levels[0].width,
                                  level0Height: levels[0].height)
            : nil
        // Init cannot call the instance check before all stored properties exist; deinit closes the handle.
        if let error = openslide_get_error(pointer) {
            throw SlideError(kind: .openFailed, message: String(cString: error), path: path,
                             context: "reading the slide's levels")
        }
        guard !levels.isEmpty, levels[0].width > 0, levels[0].height > 0 else {
            throw SlideError(kind: .openFailed, message: "the slide reports no levels", path: path,
                             context: "reading the slide's levels")
        }
    }

    deinit {
        openslide_close(handle.pointer)
    }

    public var levelCount: Int { levels.count }
    /// Level-0 width and height.
    public var width: Int { levels[0].width }
    public var height: Int { levels[0].height }
    /// The whole slide in level-0 pixels.
    public var bounds: PixelRect { PixelRect(x: 0, y: 0, width: width, height: height) }
    public var quickhash: String? { properties["openslide.quickhash-1"] }
    public var objectivePower: Double? { properties["openslide.objective-power"].flatMap(Double.init) }
    /// µm per level-0 pixel as the file states it; nil when the file says nothing (or nonsense).
    public var micronsPerPixel: (x: Double, y: Double)? {
        guard let x = properties["openslide.mpp-x"].flatMap(Double.init),
              let y = properties["openslide.mpp-y"].flatMap(Double.init),
              x > 0, y > 0, x.isFinite, y.isFinite else { return nil }
        return (x, y)
    }

    /// The file name, for messages.
    public var name: String { url.lastPathComponent }

    /// How level 0 is read: "jpeg-direct" (the file's JPEG tiles decoded by Tessera, OpenSlide for the rest) or
    /// "openslide" (`tessera-dev bench-read` prints it).
    public var level0Reader: String { jpegTiles == nil ? "openslide" : "jpeg-direct" }

    // MARK: Reading

    /// Reads `width` x `height` pixels of `level`, starting at `level0Origin` (level-0 coordinates, OpenSlide's
    /// convention). Parts outside the slide and unscanned (transparent) pixels come back white.
    public func readRegion(level0Origin: (x: Int, y: Int), level: Int, width: Int, height: Int) throws -> RGBImage {
        let context = "reading level \(level) region at level-0 (\(level0Origin.x), \(level0Origin.y)), "
            + "\(width)x\(height)"
        guard levels.indices.contains(level) else {
            throw SlideError(kind: .invalidArgument, message: "level \(level) does not exist (the slide has "
                + "\(levels.count))", path: url.path, context: context)
        }
        guard width >= 0, height >= 0, width.multipliedReportingOverflow(by: height).partialValue < Int(Int32.max)
        else {
            throw SlideError(kind: .invalidArgument, message: "region size \(width)x\(height) is negative or too large",
                             path: url.path, context: context)
        }
        if width == 0 || height == 0 { return RGBImage(width: width, height: height) }
        if level == 0, let jpegTiles {
            // A handle OpenSlide has put in its error state stays failed, whichever reader would serve the read.
            try checkError(context)
            let region = PixelRect(x: level0Origin.x, y: level0Origin.y, width: width, height: height)
            // On any DirectReadError (an unscanned Aperio tile, a damaged stream) OpenSlide reads the region below:
            // it reads what it can, and its own error, in its words, is the one users see.
            if let image = try? jpegTiles.read(region: region) { return image }
        }
        let argb = [UInt32](unsafeUninitializedCapacity: width * height) { buffer, count in
            openslide_read_region(handle.pointer, buffer.baseAddress, Int64(level0Origin.x), Int64(level0Origin.y),
                                  Int32(level), Int64(width), Int64(height))
            count = width * height
        }
        try checkError(context)
        return Self.rgbCompositedOnWhite(argb: argb, width: width, height: height)
    }

    /// Reads the level-0 window `level0Window` resampled to `outputWidth` x `outputHeight`, from the pyramid level
    /// closest to, and not coarser than, the requested scale. The window may extend beyond the slide: outside is white.
    public func read(level0Window: PixelRect, outputWidth: Int, outputHeight: Int) throws -> RGBImage {
        try read(level0Window: level0Window, outputWidth: outputWidth, outputHeight: outputHeight,
                 sourcePixelBudget: Self.defaultSourcePixelBudget)
    }

    func read(level0Window: PixelRect, outputWidth: Int, outputHeight: Int,
              sourcePixelBudget: Int) throws -> RGBImage {
        let context = "reading level-0 window \(level0Window) at \(outputWidth)x\(outputHeight)"
        guard outputWidth > 0, outputHeight > 0, level0Window.width > 0, level0Window.height > 0 else {
            throw SlideError(kind: .invalidArgument, message: "window and output sizes must be positive",
                             path: url.path, context: context)
        }
        let scaleX = Double(level0Window.width) / Double(outputWidth)
        let scaleY = Double(level0Window.height) / Double(outputHeight)
        let level = bestLevel(forDownsample: min(scaleX, scaleY))
        let downsample = levels[level].downsample

        // Source window in this level's pixels (fractional in general).
        let sourceX = Double(level0Window.x) / downsample, sourceY = Double(level0Window.y) / downsample
        let sourceWidth = Double(level0Window.width) / downsample
        let sourceHeight = Double(level0Window.height) / downsample

        // Exact case: the window is whole pixels of this level at 1:1, no resampling.
        let isWhole = { (value: Double) in abs(value - value.rounded()) < 1e-9 }
        if isWhole(sourceX), isWhole(sourceY), abs(sourceWidth - Double(outputWidth)) < 1e-9,
           abs(sourceHeight - Double(outputHeight)) < 1e-9 {
            return try readPadded(levelRect: PixelRect(x: Int(sourceX.rounded()), y: Int(sourceY.rounded()),
                                                       width: outputWidth, height: outputHeight), level: level)
        }
        return try resampled(level: level, sourceX: sourceX, sourceY: sourceY,
                             sourceScaleX: sourceWidth / Double(outputWidth),
                             sourceScaleY: sourceHeight / Double(outputHeight),
                             outputWidth: outputWidth, outputHeight: outputHeight,
                             sourcePixelBudget: sourcePixelBudget)
    }

    /// Source pixels one resampling step may read at once (16 MB of ARGB, and its RGB copy). Normal tiles need far
    /// less; a thumbnail of a slide without a pyramid would otherwise read the whole slide into memory, and the
    /// slide QC's image (up to 16 Mi pixels) would hold 100 MB of source pieces on top of itself.
    static let defaultSourcePixelBudget = 4 << 20

    /// Resamples `level` pixels starting at (`sourceX`, `sourceY`) (fractional, in the level's pixels), at
    /// `sourceScaleX` x `sourceScaleY` level pixels per output pixel. Reads the level pixels the filter touches (its
    /// radius is max(1, scale) either side); when that exceeds `sourcePixelBudget`, works through the output in
    /// pieces, each from its own smaller read, with the same filter positions as in one piece.
    func resampled(level: Int, sourceX: Double, sourceY: Double, sourceScaleX: Double, sourceScaleY: Double,
                   outputWidth: Int, outputHeight: Int, sourcePixelBudget: Int) throws -> RGBImage {
        let marginX = Int(max(1, sourceScaleX).rounded(.up)) + 1
        let marginY = Int(max(1, sourceScaleY).rounded(.up)) + 1
        let sourceWidth = Double(outputWidth) * sourceScaleX, sourceHeight = Double(outputHeight) * sourceScaleY
        let neededWidth = sourceWidth + Double(2 * marginX + 2), neededHeight = sourceHeight + Double(2 * marginY + 2)
        if neededWidth * neededHeight > Double(sourcePixelBudget) {
            let side = Double(sourcePixelBudget).squareRoot()
            let pieceWidth = max(1, Int((side - Double(2 * marginX + 2)) / sourceScaleX))
            let pieceHeight = max(1, Int((side - Double(2 * marginY + 2)) / sourceScaleY))
            if pieceWidth < outputWidth || pieceHeight < outputHeight {
                var canvas = RGBImage(width: outputWidth, height: outputHeight)
                for top in Swift.stride(from: 0, to: outputHeight, by: pieceHeight) {
                    for left in Swift.stride(from: 0, to: outputWidth, by: pieceWidth) {
                        let width = min(pieceWidth, outputWidth - left), height = min(pieceHeight, outputHeight - top)
                        let piece = try resampled(level: level, sourceX: sourceX + Double(left) * sourceScaleX,
                                                  sourceY: sourceY + Double(top) * sourceScaleY,
                                                  sourceScaleX: sourceScaleX, sourceScaleY: sourceScaleY,
                                                  outputWidth: width, outputHeight: height,
                                                  sourcePixelBudget: sourcePixelBudget)
                        canvas.pixels.withUnsafeMutableBufferPointer { target in
                            piece.pixels.withUnsafeBufferPointer { source in
                                for row in 0..<height {
                                    (target.baseAddress! + ((top + row) * outputWidth + left) * 3)
                                        .update(from: source.baseAddress! + row * width * 3, count: width * 3)
                                }
                            }
                        }
                    }
                }
                return canvas
            }
        }
        let x0 = Int(sourceX.rounded(.down)) - marginX, y0 = Int(sourceY.rounded(.down)) - marginY
        let x1 = Int((sourceX + sourceWidth).rounded(.up)) + marginX
        let y1 = Int((sourceY + sourceHeight).rounded(.up)) + marginY
        let source = try readPadded(levelRect: PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0), level: level)
        return Resampler.resample(source, originX: sourceX - Double(x0), originY: sourceY - Double(y0),
                                  sourceWidth: sourceWidth, sourceHeight: sourceHeight,
                                  outputWidth: outputWidth, outputHeight: outputHeight)
    }

    /// Reads the level-0 window `level0Window` at `targetMPP` µm/px, given the slide's own `resolution`: the output
    /// measures the window's size times `resolution.mpp / targetMPP`, rounded.
    public func read(level0Window: PixelRect, targetMPP: Double, resolution: SlideResolution) throws -> RGBImage {
        guard targetMPP > 0, targetMPP.isFinite else {
            throw SlideError(kind: .invalidArgument, message: "target resolution \(targetMPP) µm/px",
                             path: url.path, context: "reading level-0 window \(level0Window)")
        }
        let scale = resolution.mpp / targetMPP
        return try read(level0Window: level0Window,
                        outputWidth: max(1, Int((Double(level0Window.width) * scale).rounded())),
                        outputHeight: max(1, Int((Double(level0Window.height) * scale).rounded())))
    }

    /// The whole slide scaled to fit in `maxSize` x `maxSize`, aspect ratio kept.
    public func thumbnail(maxSize: Int) throws -> RGBImage {
        let scale = Double(max(width, height)) / Double(max(1, maxSize))
        let outputWidth = max(1, Int((Double(width) / scale).rounded()))
        let outputHeight = max(1, Int((Double(height) / scale).rounded()))
        return try read(level0Window: bounds, outputWidth: outputWidth, outputHeight: outputHeight)
    }

    /// The pyramid level with the largest downsample not above `downsample` (level 0 when none is), among the
    /// levels OpenSlide reads reliably (`isReliable(level:)`).
    public func bestLevel(forDownsample downsample: Double) -> Int {
        var best = 0
        // A small tolerance: vendors store downsamples such as 3.99995 for a nominal 4.
        for (index, level) in levels.enumerated()
        where level.downsample <= downsample * (1 + 1e-4) && isReliable(level: index) {
            if level.downsample > levels[best].downsample { best = index }
        }
        return best
    }

    /// False for a level whose TIFF tiles are wider or taller than the level itself: OpenSlide 3.4.1 reads such
    /// levels (boxes.tiff levels 2-3, yb10kx5k.zstd.tiff levels 3-4) as partly transparent, and differently on
    /// every open, through libtiff's RGBA reader ("Raster width of 1024 shall not be larger than image width").
    /// Resampled reads skip them; `readRegion` still reads them when asked by number.
    public func isReliable(level: Int) -> Bool {
        guard level > 0 else { return true }
        guard let tileWidth = properties["openslide.level[\(level)].tile-width"].flatMap(Int.init),
              let tileHeight = properties["openslide.level[\(level)].tile-height"].flatMap(Int.init) else {
            return true
        }
        return tileWidth <= levels[level].width && tileHeight <= levels[level].height
    }

    /// Reads the associated image `name` ("label", "macro", "thumbnail"...).
    public func readAssociatedImage(named name: String) throws -> RGBImage {
        let context = "reading associated image \"\(name)\""
        guard associatedImageNames.contains(name) else {
            throw SlideError(kind: .associatedImageNotFound,
                             message: "no associated image named \"\(name)\"; the slide has "
                                 + (associatedImageNames.isEmpty ? "none" : associatedImageNames.joined(separator: ", ")),
                             path: url.path, context: context)
        }
        var width: Int64 = -1, height: Int64 = -1
        openslide_get_associated_image_dimensions(handle.pointer, name, &width, &height)
        try checkError(context)
        guard width >= 0, height >= 0 else {
            throw SlideError(kind: .readFailed, message: "OpenSlide gave no dimensions", path: url.path,
                             context: context)
        }
        let count = Int(width * height)
        let argb = [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
            openslide_read_associated_image(handle.pointer, name, buffer.baseAddress)
            initialized = count
        }
        try checkError(context)
        return Self.rgbCompositedOnWhite(argb: argb, width: Int(width), height: Int(height))
    }

    // MARK: Internals

    /// The one place OpenSlide's error state becomes a typed error.
    private func checkError(_ context: String) throws {
        if let error = openslide_get_error(handle.pointer) {
            throw SlideError(kind: .readFailed, message: String(cString: error), path: url.path, context: context)
        }
    }

    /// Reads a rectangle given in `level`'s own pixels; what lies outside the level is white. Reading only the part
    /// inside avoids asking OpenSlide for negative coordinates and wasted work on empty space.
    func readPadded(levelRect: PixelRect, level: Int) throws -> RGBImage {
        let levelBounds = PixelRect(x: 0, y: 0, width: levels[level].width, height: levels[level].height)
        let inside = levelRect.intersection(levelBounds)
        let downsample = levels[level].downsample
        let level0Origin = { (value: Int) in Int((Double(value) * downsample).rounded()) }
        if inside == levelRect {
            return try readRegion(level0Origin: (level0Origin(levelRect.x), level0Origin(levelRect.y)), level: level,
                                  width: levelRect.width, height: levelRect.height)
        }
        var canvas = RGBImage(width: levelRect.width, height: levelRect.height)
        if inside.isEmpty { return canvas }
        let part = try readRegion(level0Origin: (level0Origin(inside.x), level0Origin(inside.y)), level: level,
                                  width: inside.width, height: inside.height)
        let rowBytes = inside.width * 3
        canvas.pixels.withUnsafeMutableBufferPointer { target in
            part.pixels.withUnsafeBufferPointer { source in
                for row in 0..<inside.height {
                    let t = ((inside.y - levelRect.y + row) * levelRect.width + (inside.x - levelRect.x)) * 3
                    (target.baseAddress! + t).update(from: source.baseAddress! + row * rowBytes, count: rowBytes)
                }
            }
        }
        return canvas
    }

    /// OpenSlide's pixels are premultiplied ARGB in native-endian 32-bit words. Compositing a premultiplied colour
    /// onto white is `c + (255 - a)`: exactly un-premultiplying (c * 255 / a) and then blending over white with alpha
    /// a, without the rounding of the intermediate step. Opaque pixels pass unchanged; transparent ones become white.
    static func rgbCompositedOnWhite(argb: [UInt32], width: Int, height: Int) -> RGBImage {
        let count = width * height
        let rgb = [UInt8](unsafeUninitializedCapacity: count * 3) { target, initialized in
            argb.withUnsafeBufferPointer { source in
                for i in 0..<count {
                    let pixel = source[i]
                    let transparency = 255 &- (pixel >> 24)
                    // Premultiplied components never exceed alpha, so the sums stay within 255 for valid input;
                    // min() guards against a malformed file.
                    target[3 * i] = UInt8(truncatingIfNeeded: min(255, ((pixel >> 16) & 0xFF) &+ transparency))
                    target[3 * i + 1] = UInt8(truncatingIfNeeded: min(255, ((pixel >> 8) & 0xFF) &+ transparency))
                    target[3 * i + 2] = UInt8(truncatingIfNeeded: min(255, (pixel & 0xFF) &+ transparency))
                }
            }
            initialized = count * 3
        }
        return RGBImage(width: width, height: height, pixels: rgb)
    }

    private static func strings(_ list: UnsafePointer<UnsafePointer<CChar>?>?) -> [String] {
        guard let list else { return [] }
        var result: [String] = []
        var index = 0
        while let item = list[index] {
            result.append(String(cString: item))
            index += 1
        }
        return result
    }
}
