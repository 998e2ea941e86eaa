import Crypto
import Foundation

/// SHA-256 of `data` as 64 lowercase hexadecimal digits: model hashes, pipeline and parameter hashes, file
/// fingerprints.
public func sha256Hex(_ data: some DataProtocol) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text = [UInt8]()
    text.reserveCapacity(2 * SHA256.byteCount)
    for byte in SHA256.hash(data: data) {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: text, as: UTF8.self)
}

/// SHA-256 of data given in pieces (a file read in chunks), as `sha256Hex` gives it.
public struct StreamingSHA256 {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ data: some DataProtocol) { hasher.update(data: data) }

    public func finalizeHex() -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        for byte in hasher.finalize() {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The size and SHA-256 of the file at `path`, read in 1 MiB pieces; nil when it cannot be read.
    public static func file(atPath path: String) -> (size: Int64, sha256: String)? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hasher = StreamingSHA256()
        var size: Int64 = 0
        while true {
            // nil (or empty) at the end of the file; a read error throws.
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch { return nil }
            if chunk.isEmpty { break }
            hasher.update(chunk)
            size += Int64(chunk.count)
        }
        return (size, hasher.finalizeHex())
    }
}
