import CTIFF
import Foundation

/// Reads level 0 of a heatmap TIFF written by `HeatmapWriter` one band of tile rows at a time, for consumers that
/// must not hold a slide's whole map (the GeoJSON export traces regions band by band).
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
    }

    public let url: URL
    public let width: Int
    public let height: Int
    public let channels: Int
    /// Rows per band: the TIFF's tile height.
    public let bandHeight: Int
    public let metadata: Metadata
    private let file: TIFFFile
    private let tileWidth: Int
    private var tile: [UInt8]

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
        metadata = Self.parse(info.imageDescription)
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
        return metadata
    }

    /// Decodes rows `band * bandHeight ..< min(+bandHeight, height)` into `destination`, row-major and interleaved,
    /// which must hold `rows * width * channels` bytes.
    public func readBand(_ band: Int, into destination: UnsafeMutableBufferPointer<UInt8>) throws(HeatmapError) {
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
}
