import Foundation
import TesseraCore

/// A problem reading or writing a PNG or .npy file.
public struct ImageFileError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}

/// PNG reading (8-bit grey, grey+alpha, RGB, RGBA, palette; not interlaced) and writing (8-bit grey or RGB), in
/// Swift so that the network's CLI needs no image library. Writing uses stored (uncompressed) deflate blocks.
public enum PNGFile {
    public static func read(_ url: URL) throws -> RGBImage {
        let fail = { (message: String) in ImageFileError(file: url.path, message: message) }
        guard let data = try? Data(contentsOf: url) else { throw fail("cannot read the file") }
        let bytes = [UInt8](data)
        guard bytes.count > 8, bytes.prefix(8).elementsEqual([137, 80, 78, 71, 13, 10, 26, 10]) else { throw fail("not a PNG file") }
        var position = 8
        var width = 0, height = 0, bitDepth = 0, colourType = 0, interlace = 0
        var palette: [UInt8] = []
        var compressed: [UInt8] = []
        while position + 8 <= bytes.count {
            let length = Int(bytes[position]) << 24 | Int(bytes[position + 1]) << 16 | Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            let type = String(decoding: bytes[(position + 4)..<(position + 8)], as: UTF8.self)
            guard position + 12 + length <= bytes.count else { throw fail("chunk \(type) runs past the end; the file is truncated") }
            let body = Array(bytes[(position + 8)..<(position + 8 + length)])
            switch type {
            case "IHDR":
                guard body.count == 13 else { throw fail("bad IHDR") }
                width = Int(body[0]) << 24 | Int(body[1]) << 16 | Int(body[2]) << 8 | Int(body[3])
                height = Int(body[4]) << 24 | Int(body[5]) << 16 | Int(body[6]) << 8 | Int(body[7])
                bitDepth = Int(body[8]); colourType = Int(body[9]); interlace = Int(body[12])
            case "PLTE": palette = body
            case "IDAT": compressed.append(contentsOf: body)
            default: break
            }
            position += 12 + length
            if type == "IEND" { break }
        }
        guard width > 0, height > 0 else { throw fail("no image header") }
        guard bitDepth == 8, interlace == 0 else { throw fail("only 8-bit, non-interlaced PNGs are supported (bit depth \(bitDepth), interlace \(interlace))") }
        let channels: Int
        switch colourType {
        case 0: channels = 1
        case 2: channels = 3
        case 3: channels = 1
        case 4: channels = 2
        case 6: channels = 4
        default: throw fail("colour type \(colourType) is not supported")
        }
        guard compressed.count > 2 else { throw fail("no image data") }
        var inflater = Inflater(Array(compressed.dropFirst(2)))
        let raw = try inflater.inflate(fail)
        let stride = width * channels
        guard raw.count >= height * (stride + 1) else { throw fail("image data is short; the file is truncated") }
        var pixels = [UInt8](repeating: 0, count: height * stride)
        for y in 0..<height {
            let filter = raw[y * (stride + 1)]
            let source = y * (stride + 1) + 1, row = y * stride
            for i in 0..<stride {
                let x = raw[source + i]
                let a = i >= channels ? Int(pixels[row + i - channels]) : 0
                let b = y > 0 ? Int(pixels[row - stride + i]) : 0
                let c = (i >= channels && y > 0) ? Int(pixels[row - stride + i - channels]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw fail("unknown filter \(filter) in row \(y)")
                }
                pixels[row + i] = x &+ UInt8(truncatingIfNeeded: predictor)
            }
        }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for p in 0..<(width * height) {
            switch colourType {
            case 0, 4:
                let v = pixels[p * channels]
                rgb[3 * p] = v; rgb[3 * p + 1] = v; rgb[3 * p + 2] = v
            case 3:
                let index = Int(pixels[p]) * 3
                guard index + 2 < palette.count else { throw fail("palette index out of range") }
                rgb[3 * p] = palette[index]; rgb[3 * p + 1] = palette[index + 1]; rgb[3 * p + 2] = palette[index + 2]
            default:
                rgb[3 * p] = pixels[p * channels]; rgb[3 * p + 1] = pixels[p * channels + 1]; rgb[3 * p + 2] = pixels[p * channels + 2]
            }
        }
        return RGBImage(width: width, height: height, pixels: rgb)
    }

    /// Writes an 8-bit image with 1 (grey) or 3 (RGB) channels per pixel.
    public static func write(_ url: URL, width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        precondition(channels == 1 || channels == 3, "PNG writer: 1 or 3 channels")
        precondition(pixels.count == width * height * channels, "PNG writer: pixel count")
        var raw = [UInt8]()
        raw.reserveCapacity(height * (width * channels + 1))
        for y in 0..<height {
            raw.append(0)
            raw.append(contentsOf: pixels[(y * width * channels)..<((y + 1) * width * channels)])
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let count = min(65535, raw.count - offset)
            zlib.append(offset + count == raw.count ? 1 : 0)
            zlib.append(UInt8(count & 0xff)); zlib.append(UInt8(count >> 8))
            zlib.append(UInt8(~count & 0xff)); zlib.append(UInt8((~count >> 8) & 0xff))
            zlib.append(contentsOf: raw[offset..<(offset + count)])
            offset += count
        } while offset < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        zlib.append(contentsOf: bigEndian(b << 16 | a))
        var file: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
        func chunk(_ type: String, _ body: [UInt8]) {
            file.append(contentsOf: bigEndian(UInt32(body.count)))
            let typed = Array(type.utf8) + body
            file.append(contentsOf: typed)
            file.append(contentsOf: bigEndian(crc32(typed)))
        }
        chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, channels == 1 ? 0 : 2, 0, 0, 0])
        chunk("IDAT", zlib)
        chunk("IEND", [])
        do { try Data(file).write(to: url) } catch {
            throw ImageFileError(file: url.path, message: "cannot write (\(error.localizedDescription))")
        }
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xff)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

/// RFC 1951 inflate (stored, fixed and dynamic Huffman blocks).
private struct Inflater {
    let input: [UInt8]
    var bitPosition = 0
    var output: [UInt8] = []

    init(_ input: [UInt8]) { self.input = input }

    mutating func bits(_ count: Int) throws -> Int {
        var value = 0
        for i in 0..<count {
            let byte = bitPosition >> 3
            guard byte < input.count else { throw InflateError() }
            value |= Int((input[byte] >> UInt8(bitPosition & 7)) & 1) << i
            bitPosition += 1
        }
        return value
    }

    struct InflateError: Error {}

    /// Canonical Huffman code: counts per length and symbols in code order.
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []
        init(lengths: [Int]) {
            for l in lengths { counts[l] += 1 }
            counts[0] = 0
            var offsets = [Int](repeating: 0, count: 16)
            for l in 1..<16 { offsets[l] = offsets[l - 1] + counts[l - 1] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, l) in lengths.enumerated() where l != 0 { symbols[offsets[l]] = symbol; offsets[l] += 1 }
        }
    }

    mutating func decode(_ h: Huffman) throws -> Int {
        var code = 0, first = 0, index = 0
        for length in 1..<16 {
            code |= try bits(1)
            let count = h.counts[length]
            if code - count < first { return h.symbols[index + (code - first)] }
            index += count; first += count
            first <<= 1; code <<= 1
        }
        throw InflateError()
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    mutating func inflate(_ fail: (String) -> ImageFileError) throws -> [UInt8] {
        do {
            var last = 0
            repeat {
                last = try bits(1)
                let type = try bits(2)
                switch type {
                case 0:
                    bitPosition = (bitPosition + 7) & ~7
                    let byte = bitPosition >> 3
                    guard byte + 4 <= input.count else { throw InflateError() }
                    let length = Int(input[byte]) | Int(input[byte + 1]) << 8
                    guard byte + 4 + length <= input.count else { throw InflateError() }
                    output.append(contentsOf: input[(byte + 4)..<(byte + 4 + length)])
                    bitPosition = (byte + 4 + length) * 8
                case 1:
                    let literal = Huffman(lengths: (0..<288).map { $0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8 })
                    let distance = Huffman(lengths: [Int](repeating: 5, count: 30))
                    try codes(literal, distance)
                case 2:
                    let literalCount = try bits(5) + 257, distanceCount = try bits(5) + 1, codeCount = try bits(4) + 4
                    let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
                    var codeLengths = [Int](repeating: 0, count: 19)
                    for i in 0..<codeCount { codeLengths[order[i]] = try bits(3) }
                    let codeHuffman = Huffman(lengths: codeLengths)
                    var lengths: [Int] = []
                    while lengths.count < literalCount + distanceCount {
                        let symbol = try decode(codeHuffman)
                        switch symbol {
                        case 0..<16: lengths.append(symbol)
                        case 16:
                            guard let previous = lengths.last else { throw InflateError() }
                            lengths.append(contentsOf: repeatElement(previous, count: 3 + (try bits(2))))
                        case 17: lengths.append(contentsOf: repeatElement(0, count: 3 + (try bits(3))))
                        default: lengths.append(contentsOf: repeatElement(0, count: 11 + (try bits(7))))
                        }
                    }
                    try codes(Huffman(lengths: Array(lengths[0..<literalCount])),
                              Huffman(lengths: Array(lengths[literalCount..<(literalCount + distanceCount)])))
                default: throw InflateError()
                }
            } while last == 0
            return output
        } catch is InflateError {
            throw fail("compressed image data is corrupt or truncated")
        }
    }

    mutating func codes(_ literal: Huffman, _ distance: Huffman) throws {
        while true {
            let symbol = try decode(literal)
            if symbol < 256 { output.append(UInt8(symbol)); continue }
            if symbol == 256 { return }
            let index = symbol - 257
            guard index < 29 else { throw InflateError() }
            let length = Self.lengthBase[index] + (try bits(Self.lengthExtra[index]))
            let distanceSymbol = try decode(distance)
            guard distanceSymbol < 30 else { throw InflateError() }
            let back = Self.distanceBase[distanceSymbol] + (try bits(Self.distanceExtra[distanceSymbol]))
            guard back <= output.count else { throw InflateError() }
            let start = output.count - back
            for i in 0..<length { output.append(output[start + i]) }
        }
    }
}

/// NumPy .npy files (format version 1.0), little-endian.
public enum NumPyFile {
    /// Writes a float32 array of the given shape (C order).
    public static func writeFloat32(_ url: URL, shape: [Int], values: [Float]) throws {
        precondition(shape.reduce(1, *) == values.count, "npy writer: shape and count")
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: UInt8.self), count: values.count * 4)) }
        do { try data.write(to: url) } catch {
            throw ImageFileError(file: url.path, message: "cannot write (\(error.localizedDescription))")
        }
    }

    /// Reads a uint8 array (N x H x W x 3 tiles for benchmarks); returns its shape and bytes.
    public static func readUInt8(_ url: URL) throws -> (shape: [Int], values: [UInt8]) {
        let fail = { (message: String) in ImageFileError(file: url.path, message: message) }
        guard let data = try? Data(contentsOf: url), data.count > 10, data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)) else {
            throw fail("not a .npy file")
        }
        let major = data[6]
        let headerLength = major == 1 ? Int(data[8]) | Int(data[9]) << 8
                                      : Int(data[8]) | Int(data[9]) << 8 | Int(data[10]) << 16 | Int(data[11]) << 24
        let start = major == 1 ? 10 : 12
        guard start + headerLength <= data.count else { throw fail("header is truncated") }
        let header = String(decoding: data[start..<(start + headerLength)], as: UTF8.self)
        guard header.contains("'|u1'") || header.contains("'<u1'"), header.contains("'fortran_order': False") else {
            throw fail("expected a C-order uint8 array, header \(header)")
        }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw fail("no shape in header")
        }
        let shape = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let count = shape.reduce(1, *)
        guard start + headerLength + count <= data.count else { throw fail("data is truncated") }
        return (shape, [UInt8](data[(start + headerLength)..<(start + headerLength + count)]))
    }
}
