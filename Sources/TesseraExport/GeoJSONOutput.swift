import CZlib
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An export could not be made: names the file and the problem.
public struct ExportError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// What the user asked for does not exist or does not fit (unknown slide or run, no class map, bad option).
        case invalidInput
        /// The output could not be created or written.
        case cannotWrite
        /// A heatmap or the results file could not be read.
        case cannotRead
    }

    public var kind: Kind
    public var message: String
    public var path: String?

    public init(_ kind: Kind, _ message: String, path: String? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
    }

    public var description: String { path.map { "\($0): \(message)" } ?? message }
}

/// A file written through a buffer, optionally gzip-compressed, under a hidden temporary name in its directory and
/// moved to its final name by `commit()`; released without `commit()`, it leaves nothing behind.
///
/// Not Sendable: one writer, one thread.
final class AtomicOutputFile {
    let finalPath: String
    let temporaryPath: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private let bufferLimit = 1 << 20
    private var zstream: UnsafeMutablePointer<z_stream>?
    private var compressed = [UInt8](repeating: 0, count: 1 << 18)
    private var committed = false
    /// Bytes written to the file so far (compressed when gzip).
    private(set) var bytesWritten = 0

    /// Removes the temporaries (`.<name>.partial-PID-XXXXXXXX`) that killed exports left in `directory`: those whose
    /// process no longer runs (a live one may be another export writing now). Returns the names removed.
    @discardableResult
    static func removeAbandoned(in directory: URL) -> [String] {
        var removed: [String] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
            guard let pid = partialPID(name), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            if unlink(directory.appendingPathComponent(name).path) == 0 { removed.append(name) }
        }
        return removed
    }

    /// The PID in a temporary's name `.<name>.partial-PID-XXXXXXXX`; nil for any other name.
    static func partialPID(_ name: String) -> Int32? {
        guard name.hasPrefix("."), let marker = name.range(of: ".partial-", options: .backwards) else { return nil }
        let parts = name[marker.upperBound...].split(separator: "-")
        guard parts.count == 2, parts[1].count == 8, parts[1].allSatisfy(\.isHexDigit),
              let pid = Int32(parts[0]), pid > 0 else { return nil }
        return pid
    }

    init(path: String, gzip: Bool) throws {
        finalPath = path
        let url = URL(fileURLWithPath: path)
        temporaryPath = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())-\(UUID().uuidString.prefix(8))").path
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ExportError(.cannotWrite, "cannot create the output file: \(String(cString: strerror(errno))); "
                              + "check that the folder exists and is writable", path: path)
        }
        buffer.reserveCapacity(bufferLimit + 65536)
        if gzip {
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            // windowBits 15 + 16: a gzip header and trailer rather than zlib's.
            let status = deflateInit2_(stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                                       Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else {
                stream.deallocate()
                close(descriptor)
                unlink(temporaryPath)
                throw ExportError(.cannotWrite, "zlib could not start compressing (status \(status))", path: path)
            }
            zstream = stream
        }
    }

    deinit {
        if let zstream {
            deflateEnd(zstream)
            zstream.deallocate()
        }
        if descriptor >= 0 { close(descriptor) }
        if !committed { unlink(temporaryPath) }
    }

    func write(_ text: String) throws {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= bufferLimit { try flushBuffer(finish: false) }
    }

    func write(bytes: UnsafeRawBufferPointer) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= bufferLimit { try flushBuffer(finish: false) }
    }

    /// Writes out what is buffered, closes the file and moves it to its final name.
    func commit() throws {
        try flushBuffer(finish: true)
        if fsync(descriptor) != 0 { throw failure("could not write the output file") }
        if close(descriptor) != 0 { descriptor = -1; throw failure("could not write the output file") }
        descriptor = -1
        if rename(temporaryPath, finalPath) != 0 { throw failure("could not move the finished file into place") }
        committed = true
    }

    private func failure(_ message: String) -> ExportError {
        ExportError(.cannotWrite, "\(message): \(String(cString: strerror(errno))); check free disk space",
                    path: finalPath)
    }

    private func flushBuffer(finish: Bool) throws {
        if let zstream {
            let compressedCapacity = compressed.count
            try buffer.withUnsafeMutableBufferPointer { (input) throws in
                zstream.pointee.next_in = input.baseAddress
                zstream.pointee.avail_in = uInt(input.count)
                while true {
                    let (status, produced) = compressed.withUnsafeMutableBufferPointer { output in
                        zstream.pointee.next_out = output.baseAddress
                        zstream.pointee.avail_out = uInt(compressedCapacity)
                        let status = deflate(zstream, finish ? Z_FINISH : Z_NO_FLUSH)
                        return (status, compressedCapacity - Int(zstream.pointee.avail_out))
                    }
                    guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                        throw ExportError(.cannotWrite, "zlib failed while compressing (status \(status))", path: finalPath)
                    }
                    try compressed.withUnsafeBytes { (bytes) throws in
                        try writeAll(UnsafeRawBufferPointer(rebasing: bytes[0..<produced]))
                    }
                    if finish ? status == Z_STREAM_END : zstream.pointee.avail_in == 0 && produced < compressedCapacity {
                        break
                    }
                }
            }
        } else {
            try buffer.withUnsafeBytes { (bytes) throws in try writeAll(bytes) }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw failure("could not write the output file") }
            done += written
        }
        bytesWritten += bytes.count
    }
}

/// JSON number text: integers without a fraction, other values in Swift's shortest round-trip form (valid JSON),
/// non-finite values as null.
enum JSONNumber {
    static func text(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Coordinates: whole pixels as integers, anything else to 1/1000 of a pixel.
    static func coordinate(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return text((value * 1000).rounded() / 1000)
    }
}
