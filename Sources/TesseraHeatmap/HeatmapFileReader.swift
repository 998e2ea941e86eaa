import CTIFF
import Foundation
import TesseraCore

/// Reads level 0 of a heatmap TIFF written by `HeatmapWriter` one band of tile rows at a time, for consumers that
/// must not hold a slide's whole map (the GeoJSON export traces regions band by band), or any pyramid level one tile
/// at a time (`tessera serve` shows heatmaps as deep-zoom layers). Reads both formats `HeatmapWriter` writes: the
/// plain TIFF (levels in the IFD chain, JSON description) and OME-TIFF (levels as SubIFDs, the JSON inside the
/// OME-XML).
///
/// Not Sendable: it owns a libtiff handle, which belongs to one thread at a time.
public final class HeatmapFileReader {
    /// What the file's ImageDescription says (the one-line JSON `HeatmapDescription` writes).
    public struct Metadata: Sendable, Equatable {
        public var slideName: String?
        /// "classes", "probability" or "overlay".
        public var kind: String?
        public var downsample: Double?
        public var classNames: [String]
        /// For a probability map: its class.
        public var className: String?
        /// The run and slide run that wrote the file (files written before issue 23 have none).
        public var runUID: String?
        public var slideRunID: Int64?
        public var slideFingerprint: String?
        public var modelSHA256: String?
        /// "file" or "user": where the level-0 resolution in the file came from.
        public var micronsPerPixelSource: String?
    }

    public let url: URL
    public let width: Int
    public let height: Int
    public let channels: Int
    /// Rows per band: the TIFF's tile height.
    public let bandHeight: Int
    public let metadata: Metadata
    /// Which layout the file has: OME-TIFF when level 0's ImageDescription is OME-XML.
    public let format: HeatmapFormat
    /// One pyramid level (TIFF directory): its size and tile size.
    public struct Level: Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var tileWidth: Int
        public var tileHeight: Int
    }

    private let file: TIFFFile
    private let tileWidth: Int
    private var tile: [UInt8]
    /// The pyramid level libtiff has selected; bands are read from level 0.
    private var directory = 0
    /// An OME-TIFF's reduced levels: level 0's SubIFD offsets (empty for a plain TIFF, whose levels are directories).
    private let subIFDs: [UInt64]
    /// Number of pyramid levels.
    private let levelCount: Int

    /// Opens `url` at level 0 and checks that it is a tiled 8-bit heatmap.
    public init(url: URL) throws(HeatmapError) {
        self.url = url
        file = try TIFFFile(path: url.path, mode: .read)
        let info = file.directoryInfo()
        guard info.tileWidth > 0, info.tileHeight > 0, info.bitsPerSample == 8, info.samplesPerPixel >= 1 else {
            throw HeatmapError(kind: .readFailed, path: url.path,
                               message: "not a Tessera heatmap: level 0 is not a tiled 8-bit TIFF directory")
        }
        width = info.width
        height = info.height
        channels = info.samplesPerPixel
        tileWidth = info.tileWidth
        bandHeight = info.tileHeight
        tile = [UInt8](repeating: 0, count: info.tileWidth * info.tileHeight * info.samplesPerPixel)
        let description = info.imageDescription ?? ""
        if description.hasPrefix("<?xml") || description.hasPrefix("<OME") {
            format = .omeTIFF
            subIFDs = file.subIFDOffsets()
            levelCount = 1 + subIFDs.count
            metadata = Self.parse(HeatmapDescription.jsonInOMEXML(description))
        } else {
            format = .tiff
            subIFDs = []
            levelCount = file.directoryCount
            metadata = Self.parse(description)
        }
    }

    private static func parse(_ description: String?) -> Metadata {
        var metadata = Metadata(classNames: [])
        guard let description,
              let object = (try? JSONSerialization.jsonObject(with: Data(description.utf8))) as? [String: Any] else {
            return metadata
        }
        metadata.slideName = object["slide"] as? String
        metadata.kind = object["kind"] as? String
        metadata.downsample = (object["downsample"] as? NSNumber)?.doubleValue
        metadata.classNames = object["classes"] as? [String] ?? []
        metadata.className = object["class"] as? String
        metadata.runUID = object["run_uid"] as? String
        metadata.slideRunID = (object["slide_run_id"] as? NSNumber)?.int64Value
        metadata.slideFingerprint = object["slide_fingerprint"] as? String
        metadata.modelSHA256 = object["model_sha256"] as? String
        metadata.micronsPerPixelSource = object["mpp_source"] as? String
        return metadata
    }

    /// Decodes rows `band * bandHeight ..< min(+bandHeight, height)` into `destination`, row-major and interleaved,
    /// which must hold `rows * width * channels` bytes.
    public func readBand(_ band: Int, into destination: UnsafeMutableBufferPointer<UInt8>) throws(HeatmapError) {
        try select(0)
        let top = band * bandHeight
        let rows = Swift.min(bandHeight, height - top)
        precondition(top >= 0 && rows > 0 && destination.count >= rows * width * channels, "readBand: bad band or buffer")
        let rowBytes = width * channels
        for tileX in stride(from: 0, to: width, by: tileWidth) {
            _ = try file.call(kind: .readFailed, "cannot decode a tile; the heatmap may be truncated or damaged",
                              context: "tile at (\(tileX), \(top))", succeeded: { $0 >= 0 }) { tiff in
                tile.withUnsafeMutableBytes { TIFFReadTile(tiff, $0.baseAddress, UInt32(tileX), UInt32(top), 0, 0) }
            }
            let columns = Swift.min(tileWidth, width - tileX) * channels
            tile.withUnsafeBufferPointer { source in
                for row in 0..<rows {
                    (destination.baseAddress! + row * rowBytes + tileX * channels)
                        .update(from: source.baseAddress! + row * tileWidth * channels, count: columns)
                }
            }
        }
    }

    /// Number of bands covering the image.
    public var bandCount: Int { (height + bandHeight - 1) / bandHeight }

    /// Every pyramid level, full resolution first (each halved, rounded up). Every level must be a tiled 8-bit
    /// image with level 0's samples per pixel.
    public func levels() throws(HeatmapError) -> [Level] {
        var levels: [Level] = []
        for index in 0..<levelCount {
            try select(index)
            let info = file.directoryInfo()
            guard info.tileWidth > 0, info.tileHeight > 0, info.bitsPerSample == 8, info.width > 0, info.height > 0,
                  info.samplesPerPixel == channels else {
                throw HeatmapError(kind: .readFailed, path: url.path, message: "not a Tessera heatmap: level \(index) "
                                   + "is not a tiled 8-bit image with \(channels) samples per pixel")
            }
            levels.append(Level(width: info.width, height: info.height, tileWidth: info.tileWidth,
                                tileHeight: info.tileHeight))
        }
        return levels
    }

    /// The decoded tile (`column`, `row`) of pyramid level `level` (`levels()[level]`), cropped at the level's
    /// right and bottom edges.
    public func readTile(level: Int, column: Int, row: Int) throws(HeatmapError) -> HeatmapImage {
        guard level >= 0, level < levelCount else {
            throw HeatmapError(kind: .readFailed, path: url.path,
                               message: "no level \(level) (the file has \(levelCount))")
        }
        try select(level)
        let info = file.directoryInfo()
        let x = column * info.tileWidth, y = row * info.tileHeight
        guard column >= 0, row >= 0, x < info.width, y < info.height, info.samplesPerPixel == channels else {
            throw HeatmapError(kind: .readFailed, path: url.path,
                               message: "no tile (\(column), \(row)) at level \(level) (\(info.width)x\(info.height))")
        }
        var pixels = [UInt8](repeating: 0, count: info.tileWidth * info.tileHeight * channels)
        _ = try file.call(kind: .readFailed, "cannot decode a tile; the heatmap may be truncated or damaged",
                          context: "level \(level) tile (\(column), \(row))", succeeded: { $0 >= 0 }) { tiff in
            pixels.withUnsafeMutableBytes { TIFFReadTile(tiff, $0.baseAddress, UInt32(x), UInt32(y), 0, 0) }
        }
        let width = Swift.min(info.tileWidth, info.width - x), height = Swift.min(info.tileHeight, info.height - y)
        if width < info.tileWidth || height < info.tileHeight {
            var cropped = [UInt8](repeating: 0, count: width * height * channels)
            for line in 0..<height {
                cropped[(line * width * channels)..<((line + 1) * width * channels)] =
                    pixels[(line * info.tileWidth * channels)..<((line * info.tileWidth + width) * channels)]
            }
            pixels = cropped
        }
        return HeatmapImage(width: width, height: height, channels: channels, pixels: pixels)
    }

    private func select(_ index: Int) throws(HeatmapError) {
        guard index != directory else { return }
        if subIFDs.isEmpty || index == 0 {
            try file.selectDirectory(index)
        } else {
            try file.selectSubDirectory(offset: subIFDs[index - 1])
        }
        directory = index
    }
}
