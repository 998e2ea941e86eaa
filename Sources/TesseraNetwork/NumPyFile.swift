import Foundation
import TesseraCore

/// A problem reading or writing a .npy file.
public struct ImageFileError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
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
            throw ImageFileError(file: url.path, message: "cannot write: \(SystemErrorText.describe(error))")
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
