import CTIFF
import Foundation
import TesseraCore

/// A slide run's nuclei density grid as an image: one float32 pixel per grid cell, nuclei per mm² of the cell's
/// tissue, NaN where the cell has too little tissue for a density (the results file's `slide_nuclei_density` view
/// decides which). Written as a tiled, deflate-compressed TIFF with a pyramid (each level the NaN-ignoring mean of
/// the one above), the resolution tags of the grid and the JSON description of every heatmap; QuPath (Bio-Formats),
/// tifffile and vips read float32 TIFFs, and a density keeps its unit where an 8-bit scale would not.
///
/// The grid is small (a 100 µm cell is 400 level-0 pixels at 0.25 µm/px: a 2.5-gigapixel slide is 133 x 119 cells),
/// so it is held whole.
public struct NucleusDensityMap: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major, `width * height` values.
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "NucleusDensityMap: \(values.count) values for \(width)x\(height)")
        self.width = width
        self.height = height
        self.values = values
    }

    /// A map of `width` x `height` cells, all without a density.
    public init(width: Int, height: Int) {
        self.init(width: width, height: height, values: [Float](repeating: .nan, count: width * height))
    }

    public subscript(x: Int, y: Int) -> Float {
        get { values[y * width + x] }
        set { values[y * width + x] = newValue }
    }

    /// Half the size (rounding up): each pixel the mean of the up to four pixels above it that have a density, NaN
    /// where none has. A reduced level shows where nuclei are dense without inventing density over glass.
    public func halved() -> NucleusDensityMap {
        let halfWidth = (width + 1) / 2, halfHeight = (height + 1) / 2
        var result = NucleusDensityMap(width: halfWidth, height: halfHeight)
        for y in 0..<halfHeight {
            for x in 0..<halfWidth {
                var sum: Float = 0, count: Float = 0
                for dy in 0..<2 where 2 * y + dy < height {
                    for dx in 0..<2 where 2 * x + dx < width {
                        let value = self[2 * x + dx, 2 * y + dy]
                        if !value.isNaN { sum += value; count += 1 }
                    }
                }
                if count > 0 { result[x, y] = sum / count }
            }
        }
        return result
    }

    /// Writes the map and its pyramid to `url` (replaced if present; its directory must exist).
    /// `description.kind` is `.nucleusDensity`, and its downsample the level-0 pixels per cell.
    /// Blocks on file I/O. - Throws: `HeatmapError` naming `url`.
    public func write(to url: URL, description: HeatmapDescription, tileSize: Int = 256) throws(HeatmapError) {
        guard case .nucleusDensity = description.kind else {
            throw HeatmapError(kind: .invalidInput, path: url.path, message: "a density map needs a nuclei-density description")
        }
        guard width > 0, height > 0, tileSize >= 16, tileSize % 16 == 0 else {
            throw HeatmapError(kind: .invalidInput, path: url.path,
                               message: "a \(width)x\(height) density map in \(tileSize)-pixel tiles")
        }
        var levels = [self]
        while levels.last!.width > tileSize || levels.last!.height > tileSize { levels.append(levels.last!.halved()) }
        try HeatmapWriter.writeInPlace(url, bigTIFF: false) { (file) throws(HeatmapError) in
            for (index, level) in levels.enumerated() {
                try level.writeLevel(index, to: file, description: description, tileSize: tileSize)
            }
        }
    }

    private func writeLevel(_ index: Int, to file: TIFFFile, description: HeatmapDescription,
                            tileSize: Int) throws(HeatmapError) {
        try file.set(TIFFTAG_SUBFILETYPE, uint32: index == 0 ? 0 : Int(FILETYPE_REDUCEDIMAGE))
        try file.set(TIFFTAG_IMAGEWIDTH, uint32: width)
        try file.set(TIFFTAG_IMAGELENGTH, uint32: height)
        try file.set(TIFFTAG_BITSPERSAMPLE, uint16: 32)
        try file.set(TIFFTAG_SAMPLEFORMAT, uint16: Int(SAMPLEFORMAT_IEEEFP))
        try file.set(TIFFTAG_SAMPLESPERPIXEL, uint16: 1)
        try file.set(TIFFTAG_PLANARCONFIG, uint16: Int(PLANARCONFIG_CONTIG))
        try file.set(TIFFTAG_PHOTOMETRIC, uint16: Int(PHOTOMETRIC_MINISBLACK))
        try HeatmapWriter.setTilingResolutionAndDescription(file, level: index, tileSize: tileSize,
                                                            description: description) { description.imageDescription }
        var tile = [Float](repeating: .nan, count: tileSize * tileSize)
        for tileY in stride(from: 0, to: height, by: tileSize) {
            for tileX in stride(from: 0, to: width, by: tileSize) {
                for row in 0..<tileSize {
                    for column in 0..<tileSize {
                        let x = tileX + column, y = tileY + row
                        tile[row * tileSize + column] = x < width && y < height ? self[x, y] : .nan
                    }
                }
                try tile.withUnsafeMutableBufferPointer { (floats) throws(HeatmapError) in
                    _ = try file.call(kind: .writeFailed,
                                      "could not write a tile; check free disk space and that the directory is writable",
                                      context: "level \(index) tile at (\(tileX), \(tileY))",
                                      succeeded: { $0 >= 0 }) { tiff in
                        TIFFWriteEncodedTile(tiff, TIFFComputeTile(tiff, UInt32(tileX), UInt32(tileY), 0, 0),
                                             floats.baseAddress, tmsize_t(floats.count * MemoryLayout<Float>.size))
                    }
                }
            }
        }
        _ = try file.call(kind: .writeFailed, "could not write the TIFF directory; check free disk space",
                          context: "level \(index)", succeeded: { $0 == 1 }) { TIFFWriteDirectory($0) }
    }

    /// Level `level` of a density map file (0: the grid itself), with the file's description text.
    /// - Throws: `HeatmapError` naming `url` when it is not a float32 single-band tiled TIFF.
    public static func read(_ url: URL, level: Int = 0) throws(HeatmapError) -> (map: NucleusDensityMap, description: String?) {
        let file = try TIFFFile(path: url.path, mode: .read)
        let description = file.directoryInfo().imageDescription
        try file.selectDirectory(level)
        let info = file.directoryInfo()
        guard info.bitsPerSample == 32, info.samplesPerPixel == 1, info.tileWidth > 0, info.tileHeight > 0 else {
            throw HeatmapError(kind: .invalidInput, path: url.path,
                               message: "not a density map: \(info.bitsPerSample)-bit, \(info.samplesPerPixel) samples, "
                                   + "tiles \(info.tileWidth)x\(info.tileHeight)")
        }
        var map = NucleusDensityMap(width: info.width, height: info.height)
        var tile = [Float](repeating: 0, count: info.tileWidth * info.tileHeight)
        for tileY in stride(from: 0, to: info.height, by: info.tileHeight) {
            for tileX in stride(from: 0, to: info.width, by: info.tileWidth) {
                try tile.withUnsafeMutableBufferPointer { (floats) throws(HeatmapError) in
                    _ = try file.call(kind: .readFailed, "could not read a tile", context: "tile at (\(tileX), \(tileY))",
                                      succeeded: { $0 >= 0 }) { tiff in
                        TIFFReadEncodedTile(tiff, TIFFComputeTile(tiff, UInt32(tileX), UInt32(tileY), 0, 0),
                                            floats.baseAddress, tmsize_t(floats.count * MemoryLayout<Float>.size))
                    }
                }
                for row in 0..<info.tileHeight where tileY + row < info.height {
                    for column in 0..<info.tileWidth where tileX + column < info.width {
                        map[tileX + column, tileY + row] = tile[row * info.tileWidth + column]
                    }
                }
            }
        }
        return (map, description)
    }
}
