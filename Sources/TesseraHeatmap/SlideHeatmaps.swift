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

    public var all: [URL] { [classMap, overlay] + probabilities }
}

extension HeatmapWriter {
    /// Overlay alpha of predicted, non-background pixels.
    public static let defaultOverlayAlpha: UInt8 = 160

    /// File names for a slide's heatmaps. The slide's whole file name is kept ("a.svs" -> "a.svs.classes.tif"), so
    /// slides that differ only in their extension never overwrite each other's heatmaps.
    public static func fileNames(slideFileName: String, classNames: [String])
        -> (classMap: String, overlay: String, probabilities: [String]) {
        (slideFileName + ".classes.tif", slideFileName + ".overlay.tif",
         classNames.map { slideFileName + ".prob-" + fileNameSafe($0) + ".tif" })
    }

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

    /// Writes a slide's heatmaps into `directory` (created when missing):
    /// the class map (majority-downsampled pyramid), the RGBA overlay (average) and one probability file per class
    /// (average), all at the same `downsample` of level 0. The rasters are read band by band (see `write`), so a
    /// class map kept on disk is written without being loaded whole.
    ///
    /// - Parameters:
    ///   - classMap: 1 channel, class index 0..<classNames.count per pixel, or 255 for no prediction.
    ///   - probabilities: one 1-channel image per class, uint8 = round(p * 255), the class map's size. Pixels
    ///     where the class map says 255 are written as 0 whatever these hold.
    ///   - colours: one colour per class, in class order.
    ///   - slideFileName: the slide's file name, for example "CMU-1.svs" (or the stem TesseraStore's `OutputNames`
    ///     gives it); the stem of every file name, and the slide named in each file's description.
    ///   - downsample: level-0 pixels per heatmap pixel.
    ///   - micronsPerPixelX/Y: the slide's level-0 resolution, when known.
    public static func writeSlideHeatmaps(classMap: any HeatmapRaster, probabilities: [any HeatmapRaster],
                                          colours: [ClassColour], classNames: [String], directory: URL,
                                          slideFileName: String, downsample: Double,
                                          micronsPerPixelX: Double? = nil, micronsPerPixelY: Double? = nil,
                                          overlayAlpha: UInt8 = defaultOverlayAlpha, tileSize: Int = 256,
                                          forceBigTIFF: Bool = false) throws -> SlideHeatmapFiles {
        let names = fileNames(slideFileName: slideFileName, classNames: classNames)
        let classMapURL = directory.appendingPathComponent(names.classMap)
        func invalid(_ message: String) -> HeatmapError {
            HeatmapError(kind: .invalidInput, path: classMapURL.path, message: message)
        }
        guard !classNames.isEmpty, classNames.count < Int(noPrediction) else {
            throw invalid("\(classNames.count) classes: between 1 and 254 are supported (255 marks no prediction)")
        }
        guard colours.count == classNames.count, probabilities.count == classNames.count else {
            throw invalid("\(classNames.count) class names, \(colours.count) colours and \(probabilities.count) probability maps: they must match")
        }
        if let clash = clashingClassNames(classNames).first {
            throw invalid("class names \(clash) give the same file name once made file-name safe")
        }
        guard classMap.channels == 1 else { throw invalid("the class map has \(classMap.channels) channels, not 1") }
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

        func description(_ kind: HeatmapKind) -> HeatmapDescription {
            HeatmapDescription(slideName: slideFileName, kind: kind, downsample: downsample,
                               micronsPerPixelX: micronsPerPixelX, micronsPerPixelY: micronsPerPixelY,
                               classNames: classNames)
        }
        let files = SlideHeatmapFiles(classMap: classMapURL, overlay: directory.appendingPathComponent(names.overlay),
                                      probabilities: names.probabilities.map { directory.appendingPathComponent($0) })

        // A slide's heatmaps are a set: when one fails, the ones already written by this call are removed, so a
        // directory never holds a class map from this run next to probabilities from an earlier one.
        var written: [URL] = []
        do {
            // The class map goes first and is checked as it is read: a bad value fails before any other file.
            try write(CheckedClassMap(source: classMap, classCount: classNames.count, reportedPath: classMapURL.path),
                      to: files.classMap, description: description(.classes), downsampling: .majority,
                      tileSize: tileSize, forceBigTIFF: forceBigTIFF)
            written.append(files.classMap)
            let table = overlayTable(colours: colours, classNames: classNames, alpha: overlayAlpha)
            try write(OverlayRaster(classMap: classMap, table: table),
                      to: files.overlay, description: description(.overlay), downsampling: .average,
                      tileSize: tileSize, forceBigTIFF: forceBigTIFF)
            written.append(files.overlay)
            for (index, map) in probabilities.enumerated() {
                try write(MaskedProbabilityRaster(probability: map, classMap: classMap), to: files.probabilities[index],
                          description: description(.probability(className: classNames[index])),
                          downsampling: .average, tileSize: tileSize, forceBigTIFF: forceBigTIFF)
                written.append(files.probabilities[index])
            }
        } catch {
            for url in written { try? FileManager.default.removeItem(at: url) }
            throw error
        }
        return files
    }

    /// The class names whose probability heatmaps would share a file name ("α x" and "β x" are both "__x"), in
    /// groups in class order; empty when every class gets its own file. A run checks this before its first slide.
    public static func clashingClassNames(_ classNames: [String]) -> [[String]] {
        var byFileName: [String: [String]] = [:]
        for name in classNames { byFileName[fileNameSafe(name), default: []].append(name) }
        var seen = Set<String>()
        return classNames.compactMap { name in
            let safe = fileNameSafe(name)
            guard let group = byFileName[safe], group.count > 1, seen.insert(safe).inserted else { return nil }
            return group
        }
    }

    /// Letters, digits, '-', '_' and '.' are kept; anything else becomes '_'.
    static func fileNameSafe(_ name: String) -> String {
        let safe = String(name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_.".unicodeScalars.contains(scalar))
                ? Character(scalar) : "_"
        })
        return safe.isEmpty ? "_" : safe
    }
}
