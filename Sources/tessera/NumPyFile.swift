import Foundation
import TesseraCore

/// A problem reading or writing a .npy file.
struct NumPyFileError: Error, CustomStringConvertible, Sendable {
    var file: String
    var message: String
    var description: String { "\(file): \(message)" }
}

/// NumPy .npy files (format version 1.0), little-endian.
enum NumPyFile {
    /// Writes a float32 array of the given shape (C order).
    static func writeFloat32(_ url: URL, shape: [Int], values: [Float]) throws {
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
            throw NumPyFileError(file: url.path, message: "cannot write: \(SystemErrorText.describe(error))")
        }
    }

    /// Reads a uint8 array (N x H x W x 3 tiles for benchmarks); returns its shape and bytes.
    static func readUInt8(_ url: URL) throws -> (shape: [Int], values: [UInt8]) {
        let fail = { (message: String) in NumPyFileError(file: url.path, message: message) }
        guard let data = try? Data(contentsOf: url), data.count > 10, data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)) else {
            throw fail("not a .npy file")
        }
        let major = data[6]
        guard data.count >= (major == 1 ? 10 : 12) else { throw fail("header is truncated") }
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
        let shape = try shape(header[open.upperBound..<close], fail: fail)
        // The header is the file's word only: a negative or overflowing shape is refused here, before it sizes a read.
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw fail("the header's shape \(shape) has more elements than can be addressed") }
            count = product
        }
        let available = data.count - (start + headerLength)
        guard count <= available else {
            throw fail("the header's shape \(shape) needs \(count) bytes of data but the file holds \(available)")
        }
        return (shape, [UInt8](data[(start + headerLength)..<(start + headerLength + count)]))
    }

    /// The dimensions between the shape's parentheses ("4, 256, 256, 3" or "5,"): each a whole number, at least 0.
    private static func shape(_ text: Substring, fail: (String) -> NumPyFileError) throws -> [Int] {
        var parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count > 1, parts.last == "" { parts.removeLast() }   // "(5,)": a one-element tuple
        if parts == [""] { return [] }                                 // "()": a scalar
        return try parts.map { part in
            guard let dimension = Int(part) else { throw fail("the header's shape (\(text)) has \"\(part)\", not a whole number") }
            guard dimension >= 0 else { throw fail("the header's shape (\(text)) has the negative dimension \(dimension)") }
            return dimension
        }
    }
}
