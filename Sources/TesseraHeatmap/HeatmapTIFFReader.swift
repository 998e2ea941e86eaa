import CTIFF
import Foundation

/// Reads a heatmap TIFF written by `HeatmapWriter` tile by tile: its pyramid levels, its JSON description and the
/// decoded pixels of one tile of one level. Used by `tessera serve` to show heatmaps without loading them whole.
///
/// Not Sendable: it owns one libtiff handle, which keeps a current directory. Open one per thread (they are cheap:
/// libtiff reads the first directory only).
public final class HeatmapTIFFReader {
    /// One pyramid level (TIFF directory) of the file.
    public struct Level: Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var tileWidth: Int
        public var tileHeight: Int
    }

    public let path: String
    /// Levels in file order: full resolution first, each next one halved (rounded up).
    public let levels: [Level]
    /// Samples per pixel: 1 (class index, probability) or 4 (RGBA overlay).
    public let channels: Int
    /// Level-0 slide pixels per pixel of the full-resolution level, from the ImageDescription JSON.
    public let downsample: Double
    /// The ImageDescription text (one line of JSON) as stored.
    public let imageDescription: String?
    private let file: TIFFFile

    /// Opens `path` and reads every directory's size and tile size. Throws `HeatmapError` (.cannotOpen,
    /// .readFailed) when the file is missing or is not a tiled 8-bit heatmap.
    public init(path: String) throws(HeatmapError) {
        self.path = path
        file = try TIFFFile(path: path, mode: .read)
        var levels: [Level] = []
        var channels = 0
        let count = file.directoryCount
        for index in 0..<count {
            try file.selectDirectory(index)
            let info = file.directoryInfo()
            guard info.tileWidth > 0, info.tileHeight > 0, info.bitsPerSample == 8, info.width > 0, info.height > 0
            else {
                throw HeatmapError(kind: .readFailed, path: path,
                                   message: "not a heatmap: directory \(index) is not a tiled 8-bit image")
            }
            if index == 0 { channels = info.samplesPerPixel }
            guard info.samplesPerPixel == channels else {
                throw HeatmapError(kind: .readFailed, path: path, message: "directory \(index) has "
                                   + "\(info.samplesPerPixel) samples per pixel, the first has \(channels)")
            }
            levels.append(Level(width: info.width, height: info.height, tileWidth: info.tileWidth,
                                tileHeight: info.tileHeight))
        }
        guard !levels.isEmpty, [1, 3, 4].contains(channels) else {
            throw HeatmapError(kind: .readFailed, path: path,
                               message: "not a heatmap: \(channels) samples per pixel (1, 3 or 4 expected)")
        }
        try file.selectDirectory(0)
        let description = file.string(TIFFTAG_IMAGEDESCRIPTION)
        let object = description.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any]
        guard let downsample = (object?["downsample"] as? NSNumber)?.doubleValue, downsample > 0 else {
            throw HeatmapError(kind: .readFailed, path: path, message: "the ImageDescription states no downsample: "
                               + "not a heatmap written by Tessera")
        }
        self.levels = levels
        self.channels = channels
        self.downsample = downsample
        self.imageDescription = description
    }

    /// The decoded tile (`column`, `row`) of `level`, cropped to the level's edge (so edge tiles are smaller).
    public func readTile(level: Int, column: Int, row: Int) throws(HeatmapError) -> HeatmapImage {
        guard levels.indices.contains(level) else {
            throw HeatmapError(kind: .readFailed, path: path, message: "no level \(level) (the file has \(levels.count))")
        }
        let info = levels[level]
        let x = column * info.tileWidth, y = row * info.tileHeight
        guard column >= 0, row >= 0, x < info.width, y < info.height else {
            throw HeatmapError(kind: .readFailed, path: path,
                               message: "no tile (\(column), \(row)) at level \(level) (\(info.width)x\(info.height))")
        }
        try file.selectDirectory(level)
        let channels = channels
        var tile = [UInt8](repeating: 0, count: info.tileWidth * info.tileHeight * channels)
        _ = try file.call(kind: .readFailed, "cannot decode a tile", context: "level \(level) tile (\(column), \(row))",
                          succeeded: { $0 >= 0 }) { tiff in
            tile.withUnsafeMutableBytes { TIFFReadTile(tiff, $0.baseAddress, UInt32(x), UInt32(y), 0, 0) }
        }
        let width = min(info.tileWidth, info.width - x), height = min(info.tileHeight, info.height - y)
        if width == info.tileWidth && height == info.tileHeight {
            return HeatmapImage(width: width, height: height, channels: channels, pixels: tile)
        }
        var cropped = [UInt8](repeating: 0, count: width * height * channels)
        for line in 0..<height {
            let source = line * info.tileWidth * channels, target = line * width * channels
            cropped[target..<(target + width * channels)] = tile[source..<(source + width * channels)]
        }
        return HeatmapImage(width: width, height: height, channels: channels, pixels: cropped)
    }
}
