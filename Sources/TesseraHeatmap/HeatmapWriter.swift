import CTIFF
import Foundation
import TesseraCore
#if canImport(Glibc)
import Glibc
#endif

/// Writes heatmaps as pyramidal, tiled, deflate-compressed TIFFs: level 0 first, then each level halved (ceil) until
/// both sides fit in one tile, the reduced levels marked SubfileType = reduced image. Two layouts share every step
/// but where the reduced levels go and what describes them (`HeatmapFormat`):
/// - `.tiff`: all levels in the main IFD chain and a one-line JSON ImageDescription, what OpenSlide's generic-tiff
///   reader, vips and libtiff open as a pyramid;
/// - `.omeTIFF`: the reduced levels as SubIFDs of level 0 and an OME-XML ImageDescription (Bio-Formats, QuPath,
///   tifffile, vips; OpenSlide sees level 0 only).
///
/// Files are written under a hidden temporary name in the target directory and renamed into place only when
/// complete, so a crash or a full disk never leaves a truncated heatmap under the final name.
///
/// The calls block (file I/O, compression): from async code, run them on a `BlockingThreadPool`.
public enum HeatmapWriter {
    /// Class-map value of pixels never predicted (outside tissue, not analysed). Class indices are 0...254.
    public static let noPrediction: UInt8 = 255

    /// Above this many uncompressed bytes (all levels together) the file is written as BigTIFF. Deflate rarely
    /// grows data, so this keeps classic TIFF's 4 GiB offset limit far away.
    public static let bigTIFFThreshold = 2 << 30

    /// Writes one heatmap image with its pyramid.
    ///
    /// The image is read and written one band of `tileSize` rows at a time; each band's halved rows go to a scratch
    /// file that becomes the next level's source. Memory grows with the image's width, never its area.
    ///
    /// - Parameters:
    ///   - image: level 0 of the heatmap: 1 channel (gray), 3 (RGB) or 4 (RGBA, unassociated alpha).
    ///   - url: the final file; its directory must exist. An existing file there is replaced.
    ///   - downsampling: how each lower level is made from the one above.
    ///   - tileSize: tile width and height, a multiple of 16.
    ///   - forceBigTIFF: write BigTIFF even when classic TIFF would do.
    ///   - format: plain pyramidal TIFF or OME-TIFF.
    ///   - palette: for a 1-channel image, 256 colours written as a TIFF palette (Photometric = palette): the samples
    ///     stay the values, and viewers that honour palettes (OpenSlide, vips, Bio-Formats) show the colours.
    /// - Throws: `HeatmapError` naming `url`.
    public static func write(_ image: some HeatmapRaster, to url: URL, description: HeatmapDescription,
                             downsampling: PyramidDownsampling, tileSize: Int = 256,
                             forceBigTIFF: Bool = false, format: HeatmapFormat = .tiff,
                             palette: [ClassColour]? = nil) throws {
        try write(image, to: url, description: description, downsampling: downsampling, tileSize: tileSize,
                  forceBigTIFF: forceBigTIFF, format: format, palette: palette, afterOpen: { _ in })
    }

    /// Level sizes of the pyramid for a level-0 size: halving (rounding up) until both sides are <= tileSize.
    public static func pyramidLevelSizes(width: Int, height: Int, tileSize: Int) -> [(width: Int, height: Int)] {
        var sizes = [(width, height)]
        var (w, h) = (width, height)
        while w > tileSize || h > tileSize {
            (w, h) = ((w + 1) / 2, (h + 1) / 2)
            sizes.append((w, h))
        }
        return sizes
    }

    /// Whether a pyramid's uncompressed samples exceed `bigTIFFThreshold`.
    static func needsBigTIFF(levels: [(width: Int, height: Int)], channels: Int) -> Bool {
        levels.reduce(0) { $0 + $1.width * $1.height * channels } > bigTIFFThreshold
    }

    /// `afterOpen` lets tests act on the open file (for example swap its descriptor for /dev/full).
    static func write(_ image: some HeatmapRaster, to url: URL, description: HeatmapDescription,
                      downsampling: PyramidDownsampling, tileSize: Int, forceBigTIFF: Bool,
                      format: HeatmapFormat = .tiff, palette: [ClassColour]? = nil,
                      afterOpen: (TIFFFile) -> Void) throws(HeatmapError) {
        let finalPath = url.path
        guard palette == nil || (palette!.count == 256 && image.channels == 1) else {
            throw HeatmapError(kind: .invalidInput, path: finalPath,
                               message: "a palette needs 256 colours and a 1-channel image")
        }
        guard tileSize >= 16, tileSize % 16 == 0 else {
            throw HeatmapError(kind: .invalidInput, path: finalPath,
                               message: "tile size \(tileSize) is not a positive multiple of 16 (TIFF requires it)")
        }
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw HeatmapError(kind: .outputDirectoryMissing, path: finalPath,
                               message: "the output directory \(directory.path) does not exist or is not a directory; create it first")
        }

        let levels = pyramidLevelSizes(width: image.width, height: image.height, tileSize: tileSize)
        guard format == .tiff || levels.count <= 64 else {
            throw HeatmapError(kind: .invalidInput, path: finalPath, message: "\(levels.count) pyramid levels (64 at most)")
        }
        let layout = LevelLayout(format: format, levelCount: levels.count, palette: palette)
        let bigTIFF = forceBigTIFF || needsBigTIFF(levels: levels, channels: image.channels)
        try writeInPlace(url, bigTIFF: bigTIFF) { (file) throws(HeatmapError) in
            afterOpen(file)
            var level: any HeatmapRaster = image
            for index in levels.indices {
                let next = index + 1 < levels.count
                    ? try ScratchRaster(width: levels[index + 1].width, height: levels[index + 1].height,
                                        channels: image.channels, directory: directory, reportedPath: finalPath)
                    : nil
                try writeLevel(level, index: index, to: file, description: description, layout: layout,
                               tileSize: tileSize, halvingInto: next, downsampling: downsampling)
                if let next { level = next }
            }
        }
    }

    /// The tags every heatmap level carries besides its samples' layout: square tiles of `tileSize`, deflate, the
    /// level's resolution when the description states one, and on level 0 the description `text` and the software.
    static func setTilingResolutionAndDescription(_ file: TIFFFile, level index: Int, tileSize: Int,
                                                  description: HeatmapDescription,
                                                  text: () -> String) throws(HeatmapError) {
        try file.set(TIFFTAG_TILEWIDTH, uint32: tileSize)
        try file.set(TIFFTAG_TILELENGTH, uint32: tileSize)
        try file.set(TIFFTAG_COMPRESSION, uint16: Int(COMPRESSION_ADOBE_DEFLATE))
        if let resolution = description.pixelsPerCentimetre(level: index) {
            try file.set(TIFFTAG_RESOLUTIONUNIT, uint16: Int(RESUNIT_CENTIMETER))
            try file.set(TIFFTAG_XRESOLUTION, double: resolution.x)
            try file.set(TIFFTAG_YRESOLUTION, double: resolution.y)
        }
        if index == 0 {
            try file.set(TIFFTAG_IMAGEDESCRIPTION, string: text())
            try file.set(TIFFTAG_SOFTWARE, string: "Tessera \(TesseraVersion.string)")
        }
    }

    /// Opens a hidden temporary TIFF beside `url`, lets `body` write it, and renames it to `url` once closed; on any
    /// failure the temporary file is removed, so a crash or a full disk never leaves a truncated file under the
    /// final name.
    static func writeInPlace(_ url: URL, bigTIFF: Bool,
                             _ body: (TIFFFile) throws(HeatmapError) -> Void) throws(HeatmapError) {
        let finalPath = url.path
        let temporaryPath = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).partial-\(getpid())-\(UUID().uuidString.prefix(8))").path
        do throws(HeatmapError) {
            let file = try TIFFFile(path: temporaryPath, mode: .write(bigTIFF: bigTIFF), reportedPath: finalPath)
            try body(file)
            try file.close()
            errno = 0
            if rename(temporaryPath, finalPath) != 0 {
                throw HeatmapError(kind: .cannotRename, path: finalPath,
                                   message: "could not move the finished heatmap into place",
                                   libraryMessages: "system: " + String(cString: strerror(errno)),
                                   context: "from \(temporaryPath)")
            }
        } catch {
            unlink(temporaryPath)
            throw error
        }
    }

    /// What differs between the formats, per file.
    private struct LevelLayout {
        var format: HeatmapFormat
        var levelCount: Int
        var palette: [ClassColour]?
    }

    /// Writes one level, band by band, and appends each band's halved rows to `halvingInto` (the next level).
    private static func writeLevel(_ level: any HeatmapRaster, index: Int, to file: TIFFFile,
                                   description: HeatmapDescription, layout: LevelLayout, tileSize: Int,
                                   halvingInto next: ScratchRaster?,
                                   downsampling: PyramidDownsampling) throws(HeatmapError) {
        // OpenSlide's generic-tiff reader takes directory 0 and every later directory marked as a reduced image;
        // OME-TIFF readers take level 0's SubIFDs, each marked the same way.
        try file.set(TIFFTAG_SUBFILETYPE, uint32: index == 0 ? 0 : Int(FILETYPE_REDUCEDIMAGE))
        if index == 0, layout.format == .omeTIFF, layout.levelCount > 1 {
            // libtiff writes the next levelCount - 1 directories as level 0's SubIFDs and fills in their offsets.
            try file.setSubIFDs(count: layout.levelCount - 1)
        }
        try file.set(TIFFTAG_IMAGEWIDTH, uint32: level.width)
        try file.set(TIFFTAG_IMAGELENGTH, uint32: level.height)
        try file.set(TIFFTAG_BITSPERSAMPLE, uint16: 8)
        try file.set(TIFFTAG_SAMPLESPERPIXEL, uint16: level.channels)
        try file.set(TIFFTAG_PLANARCONFIG, uint16: Int(PLANARCONFIG_CONTIG))
        if let palette = layout.palette {
            try file.set(TIFFTAG_PHOTOMETRIC, uint16: Int(PHOTOMETRIC_PALETTE))
            try file.setColourMap(palette)
        } else {
            try file.set(TIFFTAG_PHOTOMETRIC, uint16: Int(level.channels == 1 ? PHOTOMETRIC_MINISBLACK : PHOTOMETRIC_RGB))
        }
        if level.channels == 4 { try file.setExtraSamples([UInt16(EXTRASAMPLE_UNASSALPHA)]) }
        try setTilingResolutionAndDescription(file, level: index, tileSize: tileSize, description: description) {
            switch layout.format {
            case .tiff: description.imageDescription
            case .omeTIFF: description.omeXML(width: level.width, height: level.height, channels: level.channels)
            }
        }
        // Horizontal differencing helps smooth probability ramps a little but makes piecewise-constant class maps
        // and overlays 1.3-1.9x larger (BENCHMARKS.md, Heatmap writing), so only probability maps get it.
        if case .probability = description.kind {
            try file.set(TIFFTAG_PREDICTOR, uint16: Int(PREDICTOR_HORIZONTAL))
        }

        let channels = level.channels
        let tileBytes = tileSize * tileSize * channels
        var tile = [UInt8](repeating: 0, count: tileBytes)
        let rowBytes = level.width * channels
        for tileY in stride(from: 0, to: level.height, by: tileSize) {
            // Bands are tileSize rows (even), so halving band by band equals halving the whole level.
            let band = try level.rows(tileY..<min(tileY + tileSize, level.height))
            try band.pixels.withUnsafeBufferPointer { (source) throws(HeatmapError) in
                for tileX in stride(from: 0, to: level.width, by: tileSize) {
                    let columns = min(tileSize, level.width - tileX), rows = band.height
                    try tile.withUnsafeMutableBufferPointer { (destination) throws(HeatmapError) in
                        if columns < tileSize || rows < tileSize {
                            destination.update(repeating: 0) // edge tiles: zero beyond the image
                        }
                        for row in 0..<rows {
                            let from = row * rowBytes + tileX * channels
                            let to = row * tileSize * channels
                            (destination.baseAddress! + to).update(from: source.baseAddress! + from, count: columns * channels)
                        }
                        _ = try file.call(kind: .writeFailed,
                                          "could not write a tile; check free disk space and that the directory is writable",
                                          context: "level \(index) tile at (\(tileX), \(tileY))",
                                          succeeded: { $0 >= 0 }) { tiff in
                            TIFFWriteEncodedTile(tiff, TIFFComputeTile(tiff, UInt32(tileX), UInt32(tileY), 0, 0),
                                                 destination.baseAddress, tmsize_t(tileBytes))
                        }
                    }
                }
            }
            if let next { try next.append(band.halved(using: downsampling)) }
        }
        _ = try file.call(kind: .writeFailed, "could not write the TIFF directory; check free disk space",
                          context: "level \(index)", succeeded: { $0 == 1 }) { TIFFWriteDirectory($0) }
    }
}
