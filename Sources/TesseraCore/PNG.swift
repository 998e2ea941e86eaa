import CZlib
import Foundation

/// A PNG failure: which file, what went wrong, what to do.
public struct PNGError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The file could not be read or written.
        case io
        /// The bytes are not a PNG, or a chunk is damaged.
        case malformed
        /// A valid PNG this reader does not handle (16-bit, palette, interlaced).
        case unsupported
        /// zlib reported an error.
        case compression
        /// The caller passed pixels that do not match the dimensions.
        case invalidArgument
    }

    public let kind: Kind
    public let message: String
    /// The file involved, when there is one.
    public let path: String?

    public init(kind: Kind, message: String, path: String?) {
        self.kind = kind
        self.message = message
        self.path = path
    }

    public var description: String {
        "PNG \(kind.rawValue) error\(path.map { " in \($0)" } ?? ""): \(message)"
    }
}

/// An 8-bit image decoded from a PNG, channels interleaved (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA).
public struct DecodedPNG: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let channels: Int
    public let pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels, "DecodedPNG: \(pixels.count) bytes for "
            + "\(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}

/// A small, dependency-free (zlib aside) PNG writer and reader: 8-bit gray, gray+alpha, RGB and RGBA, non-interlaced.
///
/// Tessera writes previews, masks and heatmap snapshots and reads back what it (or a test) wrote; it needs nothing
/// of PNG beyond this.
public enum PNGImage {
    // MARK: Writing

    public static func write(rgb image: RGBImage, to url: URL) throws {
        try write(bytes: encode(pixels: image.pixels, width: image.width, height: image.height, channels: 3), to: url)
    }

    /// `pixels`: `width * height` bytes, one gray value per pixel.
    public static func write(gray pixels: [UInt8], width: Int, height: Int, to url: URL) throws {
        try write(bytes: encode(pixels: pixels, width: width, height: height, channels: 1), to: url)
    }

    /// `pixels`: `width * height * 4` bytes, R G B A (straight, not premultiplied alpha).
    public static func write(rgba pixels: [UInt8], width: Int, height: Int, to url: URL) throws {
        try write(bytes: encode(pixels: pixels, width: width, height: height, channels: 4), to: url)
    }

    /// The PNG file bytes for 8-bit pixels with 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA) channels.
    public static func encode(pixels: [UInt8], width: Int, height: Int, channels: Int) throws -> [UInt8] {
        guard let colorType = colorType(forChannels: channels) else {
            throw PNGError(kind: .invalidArgument, message: "\(channels) channels; PNG takes 1 to 4", path: nil)
        }
        guard width > 0, height > 0, width <= Int(Int32.max), height <= Int(Int32.max) else {
            throw PNGError(kind: .invalidArgument, message: "image size \(width)x\(height) must be positive", path: nil)
        }
        guard pixels.count == width * height * channels else {
            throw PNGError(kind: .invalidArgument,
                           message: "\(pixels.count) bytes for \(width)x\(height)x\(channels)", path: nil)
        }
        // Every row gets the "Sub" filter: it costs nothing to compute and shrinks smooth images a lot.
        let rowBytes = width * channels
        var filtered = [UInt8](repeating: 0, count: height * (rowBytes + 1))
        pixels.withUnsafeBufferPointer { source in
            filtered.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    let s = y * rowBytes, t = y * (rowBytes + 1)
                    target[t] = 1
                    for i in 0..<rowBytes {
                        let left: UInt8 = i >= channels ? source[s + i - channels] : 0
                        target[t + 1 + i] = source[s + i] &- left
                    }
                }
            }
        }
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header += [8, colorType, 0, 0, 0]
        appendChunk("IHDR", header, to: &out)
        appendChunk("IDAT", try deflate(filtered), to: &out)
        appendChunk("IEND", [], to: &out)
        return out
    }

    // MARK: Reading

    /// Reads an 8-bit PNG as RGB. Gray is expanded; alpha is composited onto white (Tessera's background colour).
    public static func readRGB(from url: URL) throws -> RGBImage {
        let png = try read(from: url)
        let count = png.width * png.height
        var rgb = [UInt8](repeating: 255, count: count * 3)
        let source = png.pixels
        for i in 0..<count {
            let r, g, b: Int
            var alpha = 255
            switch png.channels {
            case 1: r = Int(source[i]); g = r; b = r
            case 2: r = Int(source[2 * i]); g = r; b = r; alpha = Int(source[2 * i + 1])
            case 3: r = Int(source[3 * i]); g = Int(source[3 * i + 1]); b = Int(source[3 * i + 2])
            default:
                r = Int(source[4 * i]); g = Int(source[4 * i + 1]); b = Int(source[4 * i + 2])
                alpha = Int(source[4 * i + 3])
            }
            rgb[3 * i] = compositeOnWhite(r, alpha)
            rgb[3 * i + 1] = compositeOnWhite(g, alpha)
            rgb[3 * i + 2] = compositeOnWhite(b, alpha)
        }
        return RGBImage(width: png.width, height: png.height, pixels: rgb)
    }

    /// Reads an 8-bit, non-interlaced gray, gray+alpha, RGB or RGBA PNG with its own channel count.
    public static func read(from url: URL) throws -> DecodedPNG {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw PNGError(kind: .io, message: "cannot read the file: \(SystemErrorText.describe(error))", path: url.path)
        }
        do {
            return try decode([UInt8](data))
        } catch let error as PNGError {
            throw PNGError(kind: error.kind, message: error.message, path: url.path)
        }
    }

    public static func decode(_ bytes: [UInt8]) throws -> DecodedPNG {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw PNGError(kind: .malformed, message: "not a PNG file (bad signature)", path: nil)
        }
        var offset = 8
        var width = 0, height = 0, channels = 0
        var sawHeader = false
        var compressed: [UInt8] = []
        chunks: while offset + 12 <= bytes.count {
            let length = Int(bytes.readBigEndianUInt32(at: offset))
            let typeStart = offset + 4
            guard length <= bytes.count - typeStart - 8 else {
                throw PNGError(kind: .malformed, message: "chunk at byte \(offset) runs past the end", path: nil)
            }
            let type = String(decoding: bytes[typeStart..<typeStart + 4], as: UTF8.self)
            let body = Array(bytes[(typeStart + 4)..<(typeStart + 4 + length)])
            let storedCRC = bytes.readBigEndianUInt32(at: typeStart + 4 + length)
            guard crc(bytes[typeStart..<(typeStart + 4 + length)]) == storedCRC else {
                throw PNGError(kind: .malformed, message: "CRC mismatch in \(type) chunk", path: nil)
            }
            offset = typeStart + 4 + length + 4
            switch type {
            case "IHDR":
                guard body.count == 13 else { throw PNGError(kind: .malformed, message: "short IHDR", path: nil) }
                width = Int(body.readBigEndianUInt32(at: 0))
                height = Int(body.readBigEndianUInt32(at: 4))
                let bitDepth = body[8], colorType = body[9], interlace = body[12]
                guard bitDepth == 8 else {
                    throw PNGError(kind: .unsupported, message: "bit depth \(bitDepth); only 8-bit PNGs are read",
                                   path: nil)
                }
                guard interlace == 0 else {
                    throw PNGError(kind: .unsupported, message: "interlaced PNGs are not read", path: nil)
                }
                switch colorType {
                case 0: channels = 1
                case 4: channels = 2
                case 2: channels = 3
                case 6: channels = 4
                default:
                    throw PNGError(kind: .unsupported,
                                   message: "colour type \(colorType) (palette?); only gray, RGB and RGBA are read",
                                   path: nil)
                }
                guard width > 0, height > 0 else {
                    throw PNGError(kind: .malformed, message: "image size \(width)x\(height)", path: nil)
                }
                sawHeader = true
            case "IDAT":
                compressed += body
            case "IEND":
                break chunks
            default:
                continue
            }
        }
        guard sawHeader else { throw PNGError(kind: .malformed, message: "no IHDR chunk", path: nil) }
        let rowBytes = width * channels
        let raw = try inflate(compressed, expectedSize: height * (rowBytes + 1))
        return DecodedPNG(width: width, height: height, channels: channels,
                          pixels: try unfilter(raw, width: width, height: height, channels: channels))
    }

    // MARK: Internals

    private static func colorType(forChannels channels: Int) -> UInt8? {
        switch channels {
        case 1: 0
        case 2: 4
        case 3: 2
        case 4: 6
        default: nil
        }
    }

    @inline(__always)
    private static func compositeOnWhite(_ value: Int, _ alpha: Int) -> UInt8 {
        UInt8((value * alpha + 255 * (255 - alpha) + 127) / 255)
    }

    private static func write(bytes: [UInt8], to url: URL) throws {
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw PNGError(kind: .io, message: "cannot write the file: \(SystemErrorText.describe(error))", path: url.path)
        }
    }

    private static func appendChunk(_ type: String, _ body: [UInt8], to out: inout [UInt8]) {
        out.appendBigEndian(UInt32(body.count))
        let typeAndBody = Array(type.utf8) + body
        out += typeAndBody
        out.appendBigEndian(crc(typeAndBody[...]))
    }

    private static func crc(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(crc32(crc32(0, nil, 0), buffer.baseAddress, uInt(buffer.count)))
        }
    }

    private static func deflate(_ input: [UInt8]) throws -> [UInt8] {
        var outputSize = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(outputSize))
        let status = output.withUnsafeMutableBufferPointer { target in
            input.withUnsafeBufferPointer { source in
                compress2(target.baseAddress, &outputSize, source.baseAddress, uLong(source.count), 6)
            }
        }
        guard status == Z_OK else {
            throw PNGError(kind: .compression, message: "zlib compress2 failed with status \(status)", path: nil)
        }
        output.removeLast(output.count - Int(outputSize))
        return output
    }

    private static func inflate(_ input: [UInt8], expectedSize: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: expectedSize)
        var outputSize = uLong(expectedSize)
        let status = output.withUnsafeMutableBufferPointer { target in
            input.withUnsafeBufferPointer { source in
                uncompress(target.baseAddress, &outputSize, source.baseAddress, uLong(source.count))
            }
        }
        guard status == Z_OK, Int(outputSize) == expectedSize else {
            throw PNGError(kind: .malformed,
                           message: "image data does not inflate to \(expectedSize) bytes (zlib status \(status))",
                           path: nil)
        }
        return output
    }

    private static func unfilter(_ raw: [UInt8], width: Int, height: Int, channels: Int) throws -> [UInt8] {
        let rowBytes = width * channels
        var out = [UInt8](repeating: 0, count: height * rowBytes)
        try raw.withUnsafeBufferPointer { source in
            try out.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    let filter = source[y * (rowBytes + 1)]
                    let s = y * (rowBytes + 1) + 1, t = y * rowBytes
                    for i in 0..<rowBytes {
                        let a = i >= channels ? Int(target[t + i - channels]) : 0
                        let b = y > 0 ? Int(target[t + i - rowBytes]) : 0
                        let c = (i >= channels && y > 0) ? Int(target[t + i - rowBytes - channels]) : 0
                        let predictor: Int
                        switch filter {
                        case 0: predictor = 0
                        case 1: predictor = a
                        case 2: predictor = b
                        case 3: predictor = (a + b) / 2
                        case 4:
                            let p = a + b - c
                            let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                            predictor = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c)
                        default:
                            throw PNGError(kind: .malformed, message: "unknown row filter \(filter) in row \(y)",
                                           path: nil)
                        }
                        target[t + i] = source[s + i] &+ UInt8(truncatingIfNeeded: predictor)
                    }
                }
            }
        }
        return out
    }
}

extension [UInt8] {
    fileprivate mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(value >> 24)); append(UInt8((value >> 16) & 0xFF))
        append(UInt8((value >> 8) & 0xFF)); append(UInt8(value & 0xFF))
    }

    fileprivate func readBigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8
            | UInt32(self[offset + 3])
    }
}
