import CJPEG
import CTIFF
import Foundation
import Synchronization
import TesseraCore

/// Level 0 of an Aperio SVS or a generic tiled TIFF whose tiles are JPEG, read without OpenSlide: each tile's
/// compressed bytes straight from the file, decoded by libjpeg-turbo into RGB, copied into the requested region.
///
/// OpenSlide 3.4.1 reads such a tile through libtiff's RGBA reader into premultiplied ARGB, paints it into a cairo
/// group with pixman (about three quarters of a read's CPU; BENCHMARKS.md "Slide reads"), and Tessera then converts
/// the ARGB to RGB. This reader does only the JPEG decode, with libjpeg's default settings as libtiff uses them, so
/// its pixels equal OpenSlide's (Tests/TesseraSlideTests/DirectTileReadTests.swift checks every level-0 tile of the
/// fixtures). Everything it does not handle is left to OpenSlide: `open` returns nil for other vendors and
/// encodings, and a tile it cannot decode throws `DirectReadError`, on which `Slide` asks OpenSlide instead.
///
/// libtiff parses the file's directory once, at open; tiles are then read with `pread` at the offsets libtiff
/// reported. That is the byte range `TIFFReadRawTile` reads, but a TIFF handle keeps one file position and is not
/// safe to share between threads (OpenSlide keeps a pool of handles for that reason), while `pread` is.
/// Thread-safe: any number of threads may read at once. Decoded tiles are kept in a small cache, as OpenSlide does,
/// since neighbouring pipeline tiles (with their overlap) share file tiles.
final class JPEGTileReader: Sendable {
    let width: Int
    let height: Int
    let tileWidth: Int
    let tileHeight: Int
    /// Tiles across and down the level (TIFF's tile grid).
    let columns: Int
    let rows: Int
    /// The tiles hold YCbCr (photometric YCbCr), converted to RGB by the decoder; false: RGB as stored (Aperio).
    let isYCbCr: Bool
    /// The JPEGTables tag (empty when every tile carries its own tables).
    private let tables: [UInt8]
    private let offsets: [UInt64]
    private let byteCounts: [UInt64]
    private let file: ReadOnlyFile
    private let cache: DecodedTileCache
    let path: String

    /// Cache size: half OpenSlide 3.4.1's default tile cache (32 MiB), which stays in place for the other levels.
    /// Pipeline tiles are read row by row, so the reuse that counts is between horizontal neighbours: a few file
    /// tiles. 16 MiB holds 85 decoded tiles of 256 px, 97 of Aperio's 240 px.
    static let cacheBytes = 16 << 20
    /// A tile larger than this in the file is refused (a damaged byte count), left to OpenSlide.
    static let maximumTileBytes: UInt64 = 64 << 20

    /// The direct reader for level 0 of the slide at `url`, or nil where OpenSlide must read: a vendor other than
    /// Aperio or generic TIFF, no tiled directory of level 0's size, or tiles that are not 8-bit, 3-sample, contiguous
    /// JPEG in RGB or YCbCr.
    static func open(url: URL, vendor: String?, level0Width: Int, level0Height: Int) -> JPEGTileReader? {
        guard vendor == "aperio" || vendor == "generic-tiff" else { return nil }
        guard let directory = TIFFDirectoryReader(path: url.path) else { return nil }
        guard let layout = directory.jpegLevel(width: level0Width, height: level0Height),
              let file = ReadOnlyFile(path: url.path) else { return nil }
        return JPEGTileReader(path: url.path, layout: layout, file: file)
    }

    private init(path: String, layout: TIFFDirectoryReader.JPEGLevel, file: ReadOnlyFile) {
        self.path = path
        width = layout.width
        height = layout.height
        tileWidth = layout.tileWidth
        tileHeight = layout.tileHeight
        columns = (layout.width + layout.tileWidth - 1) / layout.tileWidth
        rows = (layout.height + layout.tileHeight - 1) / layout.tileHeight
        isYCbCr = layout.isYCbCr
        tables = layout.tables
        offsets = layout.offsets
        byteCounts = layout.byteCounts
        self.file = file
        cache = DecodedTileCache(capacity: max(4, Self.cacheBytes / (layout.tileWidth * layout.tileHeight * 3)))
    }

    /// The level-0 rectangle `region` as RGB; what lies outside the level is white (as OpenSlide's transparent
    /// pixels composited onto white).
    func read(region: PixelRect) throws(DirectReadError) -> RGBImage {
        let inside = region.intersection(PixelRect(x: 0, y: 0, width: width, height: height))
        var image = RGBImage(width: region.width, height: region.height)
        if inside.isEmpty { return image }
        let firstColumn = inside.x / tileWidth, lastColumn = (inside.x + inside.width - 1) / tileWidth
        let firstRow = inside.y / tileHeight, lastRow = (inside.y + inside.height - 1) / tileHeight
        let sourceStride = tileWidth * 3, targetStride = region.width * 3
        for row in firstRow...lastRow {
            for column in firstColumn...lastColumn {
                let tile = try decodedTile(column: column, row: row)
                let tileRect = PixelRect(x: column * tileWidth, y: row * tileHeight, width: tileWidth,
                                         height: tileHeight)
                let part = tileRect.intersection(inside)
                let rowBytes = part.width * 3
                image.pixels.withUnsafeMutableBufferPointer { target in
                    tile.withUnsafeBufferPointer { source in
                        for y in 0..<part.height {
                            let from = (part.y - tileRect.y + y) * sourceStride + (part.x - tileRect.x) * 3
                            let to = (part.y - region.y + y) * targetStride + (part.x - region.x) * 3
                            (target.baseAddress! + to).update(from: source.baseAddress! + from, count: rowBytes)
                        }
                    }
                }
            }
        }
        return image
    }

    /// Tile (column, row) decoded, tileWidth x tileHeight RGB, from the cache or the file.
    func decodedTile(column: Int, row: Int) throws(DirectReadError) -> [UInt8] {
        let index = row * columns + column
        if let cached = cache.tile(index) { return cached }
        let tile = try decode(column: column, row: row)
        cache.insert(tile, for: index)
        return tile
    }

    private func decode(column: Int, row: Int) throws(DirectReadError) -> [UInt8] {
        let index = row * columns + column
        let failure = { (kind: DirectReadError.Kind, message: String) in
            DirectReadError(kind: kind, message: message, path: self.path, column: column, row: row)
        }
        guard offsets.indices.contains(index), byteCounts.indices.contains(index) else {
            throw failure(.tileMissing, "the file lists no tile \(index)")
        }
        let byteCount = byteCounts[index]
        // Aperio marks tiles it never scanned with a byte count of 0; OpenSlide shows them transparent.
        guard byteCount > 0 else { throw failure(.tileMissing, "the tile has no bytes") }
        guard byteCount <= Self.maximumTileBytes else { throw failure(.tileMissing, "the tile claims \(byteCount) bytes") }
        let compressed = try file.read(count: Int(byteCount), at: offsets[index])
            .get { failure(.io, $0) }
        var status: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let pixels = [UInt8](unsafeUninitializedCapacity: tileWidth * tileHeight * 3) { buffer, initialized in
            status = tables.withUnsafeBufferPointer { tables in
                compressed.withUnsafeBufferPointer { data in
                    message.withUnsafeMutableBufferPointer { message in
                        CJPEG_decompressTile(tables.count > 0 ? tables.baseAddress : nil, UInt(tables.count),
                                             data.baseAddress, UInt(data.count), isYCbCr ? 1 : 0, UInt32(tileWidth),
                                             UInt32(tileHeight), buffer.baseAddress, tileWidth * 3,
                                             message.baseAddress, message.count)
                    }
                }
            }
            // On failure the buffer's content is never read (the array is discarded by the throw below).
            initialized = tileWidth * tileHeight * 3
        }
        try Self.check(status, message: message).get { failure($0, $1) }
        return pixels
    }

    /// The one place a decoder status becomes an error kind and message.
    private static func check(_ status: Int32, message: [CChar]) -> CheckResult {
        if status == 0 { return .success }
        let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        switch status {
        case 2: return .failure(.unexpectedLayout, text)
        case 3: return .failure(.corrupt, text)
        default: return .failure(.corrupt, "libjpeg: " + text)
        }
    }

    private enum CheckResult {
        case success
        case failure(DirectReadError.Kind, String)

        func get(_ error: (DirectReadError.Kind, String) -> DirectReadError) throws(DirectReadError) {
            if case .failure(let kind, let message) = self { throw error(kind, message) }
        }
    }
}

/// Why the direct reader could not read a tile. `Slide` then reads the region with OpenSlide, which either reads it
/// or reports its own error: these never reach the user.
struct DirectReadError: Error, Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        /// The file's tile table has no bytes for the tile (Aperio's unscanned tiles), or an impossible size.
        case tileMissing
        /// Reading the file failed.
        case io
        /// The tile is not the JPEG the directory promised (size, components).
        case unexpectedLayout
        /// libjpeg failed or warned: a damaged stream.
        case corrupt
    }

    let kind: Kind
    let message: String
    let path: String
    let column: Int
    let row: Int

    var description: String { "\(path): level-0 tile (\(column), \(row)): \(message)" }
}

/// A read-only file descriptor, closed when released; `pread` makes it safe to share between threads.
final class ReadOnlyFile: Sendable {
    private let descriptor: Int32

    init?(path: String) {
        let descriptor = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    enum ReadResult {
        case success([UInt8])
        case failure(String)

        func get(_ error: (String) -> DirectReadError) throws(DirectReadError) -> [UInt8] {
            switch self {
            case .success(let bytes): return bytes
            case .failure(let message): throw error(message)
            }
        }
    }

    /// `count` bytes at `offset`, or why not (a short read: the file ends early).
    func read(count: Int, at offset: UInt64) -> ReadResult {
        var failure: String?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let got = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if got < 0 && errno == EINTR { continue }
                if got <= 0 {
                    failure = got == 0 ? "the file ends inside the tile (offset \(offset), \(count) bytes)"
                        : String(cString: strerror(errno))
                    break
                }
                done += got
            }
            initialized = done
        }
        if let failure { return .failure(failure) }
        return .success(bytes)
    }
}

/// libtiff, for the directory only: owns the TIFF handle for the duration of `jpegLevel` and closes it in `deinit`.
private final class TIFFDirectoryReader {
    private let tiff: OpaquePointer
    /// libtiff keeps this pointer as the handle's message sink until TIFFClose: it must not move.
    private let log: UnsafeMutablePointer<CTIFF_MessageLog>

    struct JPEGLevel {
        let width: Int
        let height: Int
        let tileWidth: Int
        let tileHeight: Int
        let isYCbCr: Bool
        let tables: [UInt8]
        let offsets: [UInt64]
        let byteCounts: [UInt64]
    }

    /// nil when libtiff cannot open the file (OpenSlide opened it, so then it is not a TIFF OpenSlide reads through
    /// libtiff, and OpenSlide reads it).
    init?(path: String) {
        let log = UnsafeMutablePointer<CTIFF_MessageLog>.allocate(capacity: 1)
        CTIFF_MessageLogReset(log)
        guard let tiff = CTIFF_open(path, "rm", log) else {
            log.deallocate()
            return nil
        }
        self.tiff = tiff
        self.log = log
    }

    deinit {
        TIFFClose(tiff)
        log.deallocate()
    }

    /// The first tiled directory of exactly `width` x `height` (OpenSlide's level 0: directory 0 for Aperio, the
    /// largest tiled directory for generic TIFF), if its tiles are JPEG this reader decodes as libtiff would.
    func jpegLevel(width: Int, height: Int) -> JPEGLevel? {
        repeat {
            if TIFFIsTiled(tiff) != 0, uint32(TIFFTAG_IMAGEWIDTH) == width, uint32(TIFFTAG_IMAGELENGTH) == height {
                return describe(width: width, height: height)
            }
        } while TIFFReadDirectory(tiff) == 1
        return nil
    }

    private func describe(width: Int, height: Int) -> JPEGLevel? {
        guard uint16(TIFFTAG_COMPRESSION) == UInt16(COMPRESSION_JPEG),
              uint16(TIFFTAG_SAMPLESPERPIXEL) == 3, uint16(TIFFTAG_BITSPERSAMPLE) == 8,
              uint16(TIFFTAG_PLANARCONFIG) == UInt16(PLANARCONFIG_CONTIG),
              uint16(TIFFTAG_FILLORDER) == UInt16(FILLORDER_MSB2LSB) else { return nil }
        let photometric = uint16(TIFFTAG_PHOTOMETRIC)
        guard photometric == UInt16(PHOTOMETRIC_RGB) || photometric == UInt16(PHOTOMETRIC_YCBCR) else { return nil }
        guard let tileWidth = uint32(TIFFTAG_TILEWIDTH), let tileHeight = uint32(TIFFTAG_TILELENGTH),
              tileWidth > 0, tileHeight > 0 else { return nil }
        var tableCount: UInt32 = 0
        var tableData: UnsafeRawPointer?
        var tables: [UInt8] = []
        if CTIFF_getJPEGTables(tiff, &tableCount, &tableData) == 1, let tableData, tableCount > 0 {
            tables = Array(UnsafeRawBufferPointer(start: tableData, count: Int(tableCount)))
        }
        let tileCount = Int(TIFFNumberOfTiles(tiff))
        let expected = ((width + tileWidth - 1) / tileWidth) * ((height + tileHeight - 1) / tileHeight)
        guard tileCount == expected else { return nil }
        var offsets: [UInt64] = [], byteCounts: [UInt64] = []
        offsets.reserveCapacity(tileCount)
        byteCounts.reserveCapacity(tileCount)
        for index in 0..<tileCount {
            var failed: Int32 = 0
            offsets.append(TIFFGetStrileOffsetWithErr(tiff, UInt32(index), &failed))
            byteCounts.append(TIFFGetStrileByteCountWithErr(tiff, UInt32(index), &failed))
            if failed != 0 { return nil }
        }
        guard log.pointee.errorCount == 0 else { return nil }
        return JPEGLevel(width: width, height: height, tileWidth: tileWidth, tileHeight: tileHeight,
                         isYCbCr: photometric == UInt16(PHOTOMETRIC_YCBCR), tables: tables, offsets: offsets,
                         byteCounts: byteCounts)
    }

    private func uint16(_ tag: Int32) -> UInt16? {
        var value: UInt16 = 0
        return CTIFF_getUInt16(tiff, UInt32(tag), &value) == 1 ? value : nil
    }

    private func uint32(_ tag: Int32) -> Int? {
        var value: UInt32 = 0
        return CTIFF_getUInt32(tiff, UInt32(tag), &value) == 1 ? Int(value) : nil
    }
}

/// Decoded tiles by index, least recently used evicted first. Thread-safe.
final class DecodedTileCache: Sendable {
    private struct State {
        var tiles: [Int: (pixels: [UInt8], lastUse: UInt64)] = [:]
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func tile(_ index: Int) -> [UInt8]? {
        state.withLock { state in
            guard let entry = state.tiles[index] else { return nil }
            state.clock += 1
            state.tiles[index] = (entry.pixels, state.clock)
            return entry.pixels
        }
    }

    func insert(_ pixels: [UInt8], for index: Int) {
        state.withLock { state in
            state.clock += 1
            if state.tiles[index] == nil, state.tiles.count >= capacity,
               let oldest = state.tiles.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                state.tiles[oldest] = nil
            }
            state.tiles[index] = (pixels, state.clock)
        }
    }
}
