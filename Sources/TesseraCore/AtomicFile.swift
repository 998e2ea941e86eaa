import Foundation

/// Files that appear under their final name complete or not at all: written to a hidden temporary file beside the
/// final one, flushed, then linked into place. A full disk or a crash leaves no empty or truncated file under the
/// final name (a report a cron job would read as written), only the temporary file, which is removed on failure.
public enum AtomicFile {
    /// Writes `data` to `url`, which must not exist yet (`EEXIST` otherwise: nothing is overwritten).
    public static func create(_ data: Data, at url: URL) throws {
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())-\(UUID().uuidString.prefix(8))")
        defer { unlink(temporary.path) }
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw posixError(errno, temporary) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        try handle.write(contentsOf: data)
        try handle.synchronize()
        try handle.close()
        // link(2), unlike rename(2), fails rather than replace a file of the final name.
        guard link(temporary.path, url.path) == 0 else { throw posixError(errno, url) }
    }

    private static func posixError(_ code: Int32, _ url: URL) -> CocoaError {
        CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path,
                                                 NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(code))])
    }
}
