import Foundation
import TesseraCore

/// An 8-bit RGB colour of a class.
public typealias ClassColour = (red: UInt8, green: UInt8, blue: UInt8)

/// The files written for one slide by `HeatmapWriter.writeSlideHeatmaps`.
public struct SlideHeatmapFiles: Sendable, Equatable {
    /// <slide>.classes.tif: class index per pixel, 255 = no prediction.
    public var classMap: URL
    /// <slide>.overlay.tif: RGBA in the class colours.
    public var overlay: URL
    /// <slide>.prob-<class>.tif, one per class, in class order.
    public var probabilities: [URL]
    /// <slide>.model-classes.tif: the class map at the model's resolution, when one is written.
    public var modelClassMap: URL?

    public var all: [URL] { [classMap, overlay] + probabilities + (modelClassMap.map { [$0] } ?? []) }

    public init(classMap: URL, overlay: URL, probabilities: [URL], modelClassMap: URL? = nil) {
        self.classMap = classMap
        self.overlay = overlay
        self.probabilities = probabilities
        self.modelClassMap = modelClassMap
    }
}

extension HeatmapWriter {
    /// Overlay alpha of predicted, non-background pixels.
    public static let defaultOverlayAlpha: UInt8 = 160

    /// RGBA per class value (256 entries): the class colours at `alpha`; unknown values, 255 (no prediction) and a
    /// class 0 named "background" transparent.
    static func overlayTable(colours: [ClassColour], classNames: [String], alpha: UInt8) -> [UInt8] {
        let backgroundIsClear = classNames.first?.lowercased() == "background"
        var table = [UInt8](repeating: 0, count: 256 * 4)
        for (index, colour) in colours.enumerated() where index < Int(noPrediction) {
            if index == 0 && backgroundIsClear { continue }
            table[index * 4 + 0] = colour.red
            table[index * 4 + 1] = colour.green
            table[index * 4 + 2] = colour.blue
            table[index * 4 + 3] = alpha
        }
        return table
    }

    /// The class map's palette (OME-TIFF): each class's colour, white for no prediction and unused values.
    static func classPalette(colours: [ClassColour]) -> [ClassColour] {
        var palette = [ClassColour](repeating: (255, 255, 255), count: 256)
        for (index, colour) in colours.enumerated() where index < Int(noPrediction) { palette[index] = colour }
        return palette
    }

    /// RGB per class value (256 entries): `overlayTable`'s colours composited over white, so a viewer that shows
    /// no alpha (QuPath through Bio-Formats) sees transparent parts as white paper, never black.
    static func overlayTableOnWhite(colours: [ClassColour], classNames: [String], alpha: UInt8) -> [UInt8] {
        let rgba = overlayTable(colours: colours, classNames: classNames, alpha: alpha)
        var table = [UInt8](repeating: 255, count: 256 * 3)
        for value in 0..<256 {
            let a = Int(rgba[value * 4 + 3])
            for c in 0..<3 {
                table[value * 3 + c] = UInt8((Int(rgba[value * 4 + c]) * a + 255 * (255 - a) + 127) / 255)
            }
        }
        return table
    }

    /// An OME-TIFF overlay's RGB-on-white pixels back as RGBA (what the plain overlay holds), for viewers that draw
    /// the overlay over the slide: white is transparent, every other colour is un-composited at `alpha`. Exact for
    /// level 0; reduced levels, where colours were averaged with white, come back lighter at the edges.
    public static func overlayRGBA(fromRGBOnWhite image: HeatmapImage, alpha: UInt8 = defaultOverlayAlpha) -> HeatmapImage {
        precondition(image.channels == 3, "an RGB overlay")
        let a = max(Int(alpha), 1)
        var rgba = [UInt8](repeating: 0, count: image.width * image.height * 4)
        image.pixels.withUnsafeBufferPointer { source in
            for index in 0..<(image.width * image.height) {
                let r = Int(source[index * 3]), g = Int(source[index * 3 + 1]), b = Int(source[index * 3 + 2])
                if r == 255 && g == 255 && b == 255 { continue }
                for (c, v) in [r, g, b].enumerated() {
                    let value = (v * 255 - 255 * (255 - a) + a / 2) / a
                    rgba[index * 4 + c] = UInt8(min(max(value, 0), 255))
                }
                rgba[index * 4 + 3] = UInt8(a)
            }
        }
        return HeatmapImage(width: image.width, height: image.height, channels: 4, pixels: rgba)
    }

    /// Writes a slide's heatmaps into `directory` (created when missing):
    /// the class map (majority-downsampled pyramid), the RGBA overlay (average) and one probability file per class
    /// (average), all at the same `downsample` of level 0. The rasters are read band by band (see `write`), so a
    /// class map kept on disk is written without being loaded whole.
    ///
    /// - Parameters:
    ///   - classMap: 1 channel, class index 0..<classNames.count per pixel, or 255 for no prediction.
    ///   - probabilities: one 1-channel image per class, uint8 = round(p * 255), the class map's size. Pixels
    ///     where the class map says 255 are written as 0 whatever these hold.
    ///   - modelClassMap: the class map at the model's resolution and its downsample, written when `files` names a
    ///     file for it (the file regions are traced from).
    ///   - colours: one colour per class, in class order.
    ///   - files: where each file goes (TesseraStore's `OutputLayout` names them); one probability file per class.
    ///   - slideName: the slide's file name, for example "CMU-1.svs", named in each file's description.
    ///   - provenance: the run, slide run, slide fingerprint and model that made the files, for their descriptions.
    ///   - downsample: level-0 pixels per heatmap pixel.
    ///   - micronsPerPixelX/Y: the slide's level-0 resolution, when known.
    ///   - format: plain pyramidal TIFF, or OME-TIFF, where the class maps carry a palette of the class colours and
    ///     the overlay is RGB composited on white (the values of every other map are the same in both formats).
    public static func writeSlideHeatmaps(classMap: any HeatmapRaster, probabilities: [any HeatmapRaster],
                                          modelClassMap: (raster: any HeatmapRaster, downsample: Double)? = nil,
                                          colours: [ClassColour], classNames: [String], files: SlideHeatmapFiles,
                                          slideName: String, downsample: Double,
                                          micronsPerPixelX: Double? = nil, micronsPerPixelY: Double? = nil,
                                          micronsPerPixelSource: String? = nil,
                                          provenance: HeatmapProvenance? = nil,
                                          overlayAlpha: UInt8 = defaultOverlayAlpha, tileSize: Int = 256,
                                          forceBigTIFF: Bool = false,
                                          format: HeatmapFormat = .tiff) throws -> SlideHeatmapFiles {
        let classMapURL = files.classMap
        let directory = classMapURL.deletingLastPathComponent()
        func invalid(_ message: String) -> HeatmapError {
            HeatmapError(kind: .invalidInput, path: classMapURL.path, message: message)
        }
        guard !classNames.isEmpty, classNames.count < Int(noPrediction) else {
            throw invalid("\(classNames.count) classes: between 1 and 254 are supported (255 marks no prediction)")
        }
        guard colours.count == classNames.count, probabilities.count == classNames.count,
              files.probabilities.count == classNames.count else {
            throw invalid("\(classNames.count) class names, \(colours.count) colours, \(probabilities.count) probability maps "
                          + "and \(files.probabilities.count) probability files: they must match")
        }
        guard Set(files.all).count == files.all.count else {
            throw invalid("the heatmap files' names clash: \(files.all.map(\.lastPathComponent))")
        }
        guard classMap.channels == 1 else { throw invalid("the class map has \(classMap.channels) channels, not 1") }
        guard (modelClassMap == nil) == (files.modelClassMap == nil), modelClassMap?.raster.channels ?? 1 == 1 else {
            throw invalid("a model-resolution class map needs one channel and a file to go to")
        }
        for (index, map) in probabilities.enumerated()
        where map.channels != 1 || map.width != classMap.width || map.height != classMap.height {
            throw invalid("probability map of \(classNames[index]) is \(map.width)x\(map.height)x\(map.channels), "
                          + "the class map \(classMap.width)x\(classMap.height)x1")
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw HeatmapError(kind: .outputDirectoryMissing, path: directory.path,
                               message: "cannot create the heatmap directory: \(SystemErrorText.describe(error))")
        }

        func description(_ kind: HeatmapKind, downsample: Double = downsample) -> HeatmapDescription {
            HeatmapDescription(slideName: slideName, kind: kind, downsample: downsample,
                               micronsPerPixelX: micronsPerPixelX, micronsPerPixelY: micronsPerPixelY,
                               micronsPerPixelSource: micronsPerPixelSource, classNames: classNames,
                               provenance: provenance)
        }

        // A slide's heatmaps are a set: when one fails, the ones already written by this call are removed, so a
        // directory never holds a class map from this run next to probabilities from an earlier one.
        var written: [URL] = []
        do {
            // The class map goes first and is checked as it is read: a bad value fails before any other file.
            let palette = format == .omeTIFF ? classPalette(colours: colours) : nil
            try write(CheckedClassMap(source: classMap, classCount: classNames.count, reportedPath: classMapURL.path),
                      to: files.classMap, description: description(.classes), downsampling: .majority,
                      tileSize: tileSize, forceBigTIFF: forceBigTIFF, format: format, palette: palette)
            written.append(files.classMap)
            let table = format == .omeTIFF
                ? overlayTableOnWhite(colours: colours, classNames: classNames, alpha: overlayAlpha)
                : overlayTable(colours: colours, classNames: classNames, alpha: overlayAlpha)
            try write(OverlayRaster(classMap: classMap, table: table),
                      to: files.overlay, description: description(.overlay), downsampling: .average,
                      tileSize: tileSize, forceBigTIFF: forceBigTIFF, format: format)
            written.append(files.overlay)
            for (index, map) in probabilities.enumerated() {
                try write(MaskedProbabilityRaster(probability: map, classMap: classMap), to: files.probabilities[index],
                          description: description(.probability(className: classNames[index])),
                          downsampling: .average, tileSize: tileSize, forceBigTIFF: forceBigTIFF, format: format)
                written.append(files.probabilities[index])
            }
            if let modelClassMap, let url = files.modelClassMap {
                try write(CheckedClassMap(source: modelClassMap.raster, classCount: classNames.count, reportedPath: url.path),
                          to: url, description: description(.modelClasses, downsample: modelClassMap.downsample),
                          downsampling: .majority, tileSize: tileSize, forceBigTIFF: forceBigTIFF, format: format,
                          palette: palette)
                written.append(url)
            }
        } catch {
            for url in written { try? FileManager.default.removeItem(at: url) }
            throw error
        }
        return files
    }
}
