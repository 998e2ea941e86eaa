import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A pyramid level on its way to the TIFF: written band by band while the level above it is written, then read
/// back band by band as the next level's source. Kept in a hidden file beside the heatmap, removed when the raster is released, so
/// a level of any size costs disk, not memory.
///
/// Owns the file descriptor; the file is removed when the raster is released.
final class ScratchRaster: HeatmapRaster {
    let width: Int
    let height: Int
    let channels: Int
    private let path: String
    /// The heatmap errors name.
    private let reportedPath: String
    private let descriptor: Int32
    private var rowsWritten = 0

    init(width: Int, height: Int, channels: Int, directory: URL, reportedPath: String) throws(HeatmapError) {
        self.width = width
        self.height = height
        self.channels = channels
        self.reportedPath = reportedPath
        path = directory.appendingPathComponent(
            ".\(URL(fileURLWithPath: reportedPath).lastPathComponent).level-\(getpid())-\(UUID().uuidString.prefix(8))").path
        descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw HeatmapError(kind: .cannotOpen, path: reportedPath,
                               message: "cannot create a scratch file for the pyramid; check that the directory is writable",
                               libraryMessages: "system: " + String(cString: strerror(errno)), context: path,
                               systemErrorCode: errno)
        }
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// Appends the next rows, top to bottom.
    func append(_ band: HeatmapImage) throws(HeatmapError) {
        precondition(band.width == width && band.channels == channels && rowsWritten + band.height <= height)
        let offset = rowsWritten * width * channels
        try band.pixels.withUnsafeBufferPointer { (buffer) throws(HeatmapError) in
            let bytes = UnsafeRawBufferPointer(buffer)
            var done = 0
            while done < bytes.count {
                let written = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
                guard written > 0 else {
                    throw HeatmapError(kind: .writeFailed, path: reportedPath,
                                       message: "could not write a pyramid level's scratch data; check free disk space",
                                       libraryMessages: "system: " + String(cString: strerror(errno)), context: path,
                                       systemErrorCode: errno)
                }
                done += written
            }
        }
        rowsWritten += band.height
    }

    func copyRows(_ rows: Range<Int>, into destination: UnsafeMutableRawBufferPointer) throws(HeatmapError) {
        precondition(rows.upperBound <= rowsWritten, "ScratchRaster: rows \(rows) not written yet")
        let rowBytes = width * channels
        var done = 0
        while done < destination.count {
            let read = pread(descriptor, destination.baseAddress! + done, destination.count - done,
                             off_t(rows.lowerBound * rowBytes + done))
            guard read > 0 else {
                throw HeatmapError(kind: .readFailed, path: reportedPath,
                                   message: "could not read back a pyramid level's scratch data",
                                   libraryMessages: read == 0 ? "unexpected end of file"
                                       : "system: " + String(cString: strerror(errno)), context: path)
            }
            done += read
        }
        // Read once, written to the TIFF, never read again: keep it out of the page cache's working set.
        _ = posix_fadvise(descriptor, off_t(rows.lowerBound * rowBytes), off_t(destination.count), POSIX_FADV_DONTNEED)
    }
}
