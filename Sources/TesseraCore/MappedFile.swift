import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file (or anonymous memory) mapped read-write and shared: the one owner of the descriptor and the mapping.
///
/// Large rasters that must outlive a crash (a slide's heatmap canvas) live in a file-backed mapping: the kernel
/// writes dirty pages back on its own, `synchronize()` makes them durable, and `releaseResidentPages` drops pages
/// from this process's resident set without losing their contents (they stay in the page cache and on disk), so a
/// raster of any size costs only the pages touched since the last release.
///
/// `@unchecked Sendable`: the mapping is plain memory. Callers own the discipline of who writes which bytes when;
/// `synchronize` and `releaseResidentPages` are safe to call while another thread writes (the mapping is shared,
/// so a page dropped while written is faulted back from the page cache with its contents).
public final class MappedFile: @unchecked Sendable {
    /// The file, or nil for anonymous memory.
    public let path: String?
    public let byteCount: Int
    /// The first mapped byte.
    public let bytes: UnsafeMutableRawPointer
    private let descriptor: Int32

    /// Anonymous, zero-filled memory (for rasters that need no file: tests, small previews).
    public init(anonymousByteCount byteCount: Int) throws(MappedFileError) {
        precondition(byteCount > 0, "MappedFile: empty mapping")
        let address = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)
        guard let address, address != MAP_FAILED else {
            throw MappedFileError(path: nil, operation: "map \(byteCount) bytes of memory", code: errno)
        }
        self.path = nil
        self.byteCount = byteCount
        self.bytes = address
        self.descriptor = -1
    }

    /// Creates (or truncates) `url` to `byteCount` zero bytes and maps it. The blocks are allocated up front
    /// (`posix_fallocate`), so a full disk is an error here rather than a SIGBUS on a later write to the mapping.
    public convenience init(creating url: URL, byteCount: Int) throws(MappedFileError) {
        try self.init(url: url, byteCount: byteCount, create: true)
    }

    /// Maps an existing file that must be exactly `byteCount` bytes long.
    public convenience init(openingExisting url: URL, byteCount: Int) throws(MappedFileError) {
        try self.init(url: url, byteCount: byteCount, create: false)
    }

    private init(url: URL, byteCount: Int, create: Bool) throws(MappedFileError) {
        precondition(byteCount > 0, "MappedFile: empty mapping")
        let path = url.path
        let descriptor = create ? open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                                : open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw MappedFileError(path: path, operation: create ? "create" : "open", code: errno)
        }
        func fail(_ operation: String, _ code: Int32) -> MappedFileError {
            close(descriptor)
            return MappedFileError(path: path, operation: operation, code: code)
        }
        if create {
            // posix_fallocate returns the error instead of setting errno.
            let result = posix_fallocate(descriptor, 0, off_t(byteCount))
            if result != 0 { throw fail("allocate \(byteCount) bytes", result) }
        } else {
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { throw fail("stat", errno) }
            guard Int(status.st_size) == byteCount else {
                throw fail("map: the file is \(status.st_size) bytes, \(byteCount) expected", 0)
            }
        }
        let address = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0)
        guard let address, address != MAP_FAILED else { throw fail("map \(byteCount) bytes", errno) }
        self.path = path
        self.byteCount = byteCount
        self.bytes = address
        self.descriptor = descriptor
    }

    deinit {
        munmap(bytes, byteCount)
        if descriptor >= 0 { close(descriptor) }
    }

    /// Sets `range` to `value`. For a file, written through the descriptor in chunks, so the pages never become
    /// part of this process's resident set.
    public func fill(_ range: Range<Int>, with value: UInt8) throws(MappedFileError) {
        precondition(range.lowerBound >= 0 && range.upperBound <= byteCount, "MappedFile.fill: \(range) outside \(byteCount)")
        guard let path, descriptor >= 0 else {
            (bytes + range.lowerBound).initializeMemory(as: UInt8.self, repeating: value, count: range.count)
            return
        }
        let chunk = [UInt8](repeating: value, count: Swift.min(range.count, 1 << 20))
        var offset = range.lowerBound
        while offset < range.upperBound {
            let count = Swift.min(chunk.count, range.upperBound - offset)
            let written = chunk.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, count, off_t(offset)) }
            guard written > 0 else {
                throw MappedFileError(path: path, operation: "write at offset \(offset)", code: errno)
            }
            offset += written
        }
    }

    /// Makes every change written through the mapping so far durable (msync).
    public func synchronize() throws(MappedFileError) {
        guard path != nil else { return }
        guard msync(bytes, byteCount, MS_SYNC) == 0 else {
            throw MappedFileError(path: path, operation: "synchronize", code: errno)
        }
    }

    /// Drops the whole pages inside `range` (all of the mapping by default) from this process's resident set.
    /// The contents stay in the file; the next access faults them back in. Does nothing for anonymous memory,
    /// where dropping a page would lose it.
    public func releaseResidentPages(_ range: Range<Int>? = nil) {
        guard path != nil else { return }
        let range = range ?? 0..<byteCount
        let page = Self.pageSize
        let start = (range.lowerBound + page - 1) / page * page
        let end = range.upperBound == byteCount ? byteCount : range.upperBound / page * page
        guard start < end else { return }
        // Advice only: a failure leaves the pages resident, which costs memory, never data.
        _ = madvise(bytes + start, end - start, MADV_DONTNEED)
    }

    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// A file could not be created, mapped or synchronised.
public struct MappedFileError: Error, Sendable, Equatable, CustomStringConvertible, SystemCodedError {
    /// The file, or nil for anonymous memory.
    public var path: String?
    public var operation: String
    /// The system's message for the error number ("No space left on device"), or nil.
    public var systemMessage: String?
    public var systemErrorCode: Int32?

    public init(path: String?, operation: String, code: Int32) {
        self.path = path
        self.operation = operation
        self.systemMessage = code == 0 ? nil : String(cString: strerror(code))
        self.systemErrorCode = code == 0 ? nil : code
    }

    public var description: String {
        "\(path ?? "memory"): could not \(operation)" + (systemMessage.map { ": \($0)" } ?? "")
            + (path == nil ? "" : "; check free disk space and that the directory is writable")
    }
}
