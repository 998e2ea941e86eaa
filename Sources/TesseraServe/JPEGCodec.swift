import CJPEG
import TesseraCore

/// libjpeg failed to encode or decode an image.
public struct JPEGError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "JPEG: \(message)" }
}

/// JPEG through libjpeg(-turbo). The C side (CJPEG/shim.h) runs each whole call between setjmp and libjpeg's
/// error exit, so a libjpeg error comes back here as a status and a message; this is the one place they are checked.
public enum JPEGCodec {
    /// Encodes an RGB image at `quality` (1...100; libjpeg's default 4:2:0 chroma subsampling).
    public static func encode(_ image: RGBImage, quality: Int) throws(JPEGError) -> [UInt8] {
        guard image.width > 0, image.height > 0 else { throw JPEGError(message: "cannot encode an empty image") }
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: 256)
        let messageCapacity = message.count
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            CJPEG_compress(pixels.baseAddress, UInt32(image.width), UInt32(image.height), 3, image.width * 3,
                           Int32(max(1, min(100, quality))), &output, &size, &message, messageCapacity)
        }
        guard status == 0, let output else { throw JPEGError(message: text(message)) }
        defer { CJPEG_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }

    /// Decodes a JPEG into RGB (grey JPEGs are expanded by libjpeg).
    public static func decode(_ bytes: [UInt8]) throws(JPEGError) -> RGBImage {
        var width: UInt32 = 0, height: UInt32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let messageCapacity = message.count
        let header = bytes.withUnsafeBufferPointer {
            CJPEG_decompress($0.baseAddress, UInt(bytes.count), &width, &height, nil, 0, &message, messageCapacity)
        }
        guard header == 0 else { throw JPEGError(message: text(message)) }
        var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * 3)
        let capacity = pixels.count
        let status = bytes.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                CJPEG_decompress(source.baseAddress, UInt(bytes.count), &width, &height, target.baseAddress, capacity,
                                 &message, messageCapacity)
            }
        }
        guard status == 0 else { throw JPEGError(message: text(message)) }
        return RGBImage(width: Int(width), height: Int(height), pixels: pixels)
    }

    private static func text(_ message: [CChar]) -> String {
        let decoded = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return decoded.isEmpty ? "libjpeg reported an error without a message" : decoded
    }
}
