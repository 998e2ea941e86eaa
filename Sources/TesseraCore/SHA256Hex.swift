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
