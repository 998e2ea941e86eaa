import CTIFF
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Owns one libtiff `TIFF*` handle and the message log its error handler writes into.
///
/// Not Sendable: a libtiff handle keeps a current directory and buffers, so it belongs to one thread at a time.
/// Every libtiff call whose result matters goes through `check`, the one place that turns failures into
/// `HeatmapError`s carrying what libtiff reported for this handle.
final class TIFFFile {
    enum Mode {
        case read
        /// Classic TIFF (offsets up to 4 GiB) or BigTIFF (64-bit offsets).
        case write(bigTIFF: Bool)

        var libtiffMode: String {
            switch self {
            case .read: "r"
            case .write(let bigTIFF): bigTIFF ? "w8" : "w4"
            }
        }
    }

    /// The file on disk (for a heatmap being written, its temporary name).
    let path: String
    /// The name errors report: the final heatmap path the user asked for.
    let reportedPath: String
    private var handle: OpaquePointer?
    private let log: UnsafeMutablePointer<CTIFF_MessageLog>

    init(path: String, mode: Mode, reportedPath: String? = nil) throws(HeatmapError) {
        self.path = path
        self.reportedPath = reportedPath ?? path
        log = .allocate(capacity: 1)
        CTIFF_MessageLogReset(log)
        errno = 0
        handle = CTIFF_open(path, mode.libtiffMode, log)
        if handle == nil {
            let error = makeError(kind: .cannotOpen, systemError: errno,
                                  message: "cannot \(mode.isWrite ? "create" : "open") the TIFF file"
                                      + (mode.isWrite ? "; check that the directory is writable and has space"
                                                      : "; check that it exists and is a TIFF"))
            throw error // deinit frees the log: every stored property is initialised by now
        }
    }

    deinit {
        if let handle { TIFFClose(handle) }
        log.deallocate()
    }

    /// The underlying handle, for calls made through `check`.
    var tiff: OpaquePointer {
        guard let handle else { preconditionFailure("TIFF handle of \(path) used after close()") }
        return handle
    }

    /// Flushes and closes the file, reporting a failure to write the last buffered data.
    func close() throws(HeatmapError) {
        guard let handle else { return }
        errno = 0
        let flushed = TIFFFlush(handle) == 1
        let savedErrno = errno
        TIFFClose(handle)
        self.handle = nil
        if !flushed || log.pointee.errorCount > 0 {
            throw makeError(kind: .writeFailed, systemError: savedErrno,
                            message: "could not finish writing the file; check free disk space")
        }
    }

    /// The one place libtiff results are checked: a failed call, or an error libtiff logged during it, throws.
    func check(_ succeeded: Bool, kind: HeatmapError.Kind, _ message: @autoclosure () -> String,
               context: @autoclosure () -> String? = nil, systemError: Int32 = 0) throws(HeatmapError) {
        if succeeded && log.pointee.errorCount == 0 { return }
        throw makeError(kind: kind, systemError: systemError, message: message(), context: context())
    }

    /// Runs a libtiff call that reports failure through its return value and errno (writes, reads).
    func call<Result>(kind: HeatmapError.Kind, _ message: @autoclosure () -> String,
                      context: @autoclosure () -> String? = nil,
                      succeeded: (Result) -> Bool, _ body: (OpaquePointer) -> Result) throws(HeatmapError) -> Result {
        errno = 0
        let result = body(tiff)
        let savedErrno = errno
        try check(succeeded(result), kind: kind, message(), context: context(), systemError: savedErrno)
        return result
    }

    /// Warnings libtiff reported so far (unknown tags and the like); they never fail an operation.
    var warnings: String {
        withUnsafeBytes(of: &log.pointee.warnings) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
    }

    private func makeError(kind: HeatmapError.Kind, systemError: Int32, message: String,
                           context: String? = nil) -> HeatmapError {
        var reported = withUnsafeBytes(of: &log.pointee.errors) {
            String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if systemError != 0 {
            reported += (reported.isEmpty ? "" : "; ") + "system: " + String(cString: strerror(systemError))
        }
        CTIFF_MessageLogReset(log)
        // Name the temporary file too when it differs: that is the name in libtiff's messages.
        let fullContext = path == reportedPath
            ? context : [context, "while writing \(path)"].compactMap { $0 }.joined(separator: ", ")
        return HeatmapError(kind: kind, path: reportedPath, message: message,
                            libraryMessages: reported.isEmpty ? nil : reported, context: fullContext,
                            systemErrorCode: systemError == 0 ? nil : systemError)
    }
}

extension TIFFFile.Mode {
    var isWrite: Bool { if case .write = self { true } else { false } }
}

// Field access, each checked in the one place.
extension TIFFFile {
    func set(_ tag: Int32, uint16 value: Int) throws(HeatmapError) {
        try check(CTIFF_setUInt16(tiff, UInt32(tag), UInt16(value)) == 1, kind: .writeFailed, "libtiff refused tag \(tag) = \(value)")
    }

    func set(_ tag: Int32, uint32 value: Int) throws(HeatmapError) {
        try check(CTIFF_setUInt32(tiff, UInt32(tag), UInt32(value)) == 1, kind: .writeFailed, "libtiff refused tag \(tag) = \(value)")
    }

    func set(_ tag: Int32, double value: Double) throws(HeatmapError) {
        try check(CTIFF_setDouble(tiff, UInt32(tag), value) == 1, kind: .writeFailed, "libtiff refused tag \(tag) = \(value)")
    }

    func set(_ tag: Int32, string value: String) throws(HeatmapError) {
        try check(CTIFF_setString(tiff, UInt32(tag), value) == 1, kind: .writeFailed, "libtiff refused tag \(tag) = \(value)")
    }

    func setExtraSamples(_ types: [UInt16]) throws(HeatmapError) {
        try check(CTIFF_setExtraSamples(tiff, UInt16(types.count), types) == 1, kind: .writeFailed, "libtiff refused ExtraSamples \(types)")
    }

    /// Declares that the next `count` directories written are SubIFDs of the current one (OME-TIFF's pyramid).
    func setSubIFDs(count: Int) throws(HeatmapError) {
        try check(CTIFF_setSubIFDs(tiff, UInt16(count)) == 1, kind: .writeFailed, "libtiff refused SubIFDs (\(count))")
    }

    /// Sets a palette of 256 colours (8-bit samples, Photometric = palette).
    func setColourMap(_ colours: [ClassColour]) throws(HeatmapError) {
        precondition(colours.count == 256, "a palette of 8-bit samples has 256 colours")
        let red = colours.map { UInt16($0.red) * 257 }, green = colours.map { UInt16($0.green) * 257 }
        let blue = colours.map { UInt16($0.blue) * 257 }
        try check(CTIFF_setColorMap(tiff, red, green, blue) == 1, kind: .writeFailed, "libtiff refused the ColorMap")
    }

    /// The current directory's SubIFD offsets (empty when it has none).
    func subIFDOffsets() -> [UInt64] {
        var count: UInt16 = 0
        var offsets: UnsafePointer<UInt64>?
        guard CTIFF_getSubIFDs(tiff, &count, &offsets) == 1, let offsets else { return [] }
        return Array(UnsafeBufferPointer(start: offsets, count: Int(count)))
    }

    /// The current directory's palette, when it has one.
    func colourMap() -> [ClassColour]? {
        var red: UnsafePointer<UInt16>?, green: UnsafePointer<UInt16>?, blue: UnsafePointer<UInt16>?
        guard CTIFF_getColorMap(tiff, &red, &green, &blue) == 1, let red, let green, let blue else { return nil }
        return (0..<256).map { (UInt8(red[$0] >> 8), UInt8(green[$0] >> 8), UInt8(blue[$0] >> 8)) }
    }

    func uint16(_ tag: Int32) -> UInt16? {
        var value: UInt16 = 0
        return CTIFF_getUInt16(tiff, UInt32(tag), &value) == 1 ? value : nil
    }

    func uint32(_ tag: Int32) -> UInt32? {
        var value: UInt32 = 0
        return CTIFF_getUInt32(tiff, UInt32(tag), &value) == 1 ? value : nil
    }

    func float(_ tag: Int32) -> Float? {
        var value: Float = 0
        return CTIFF_getFloat(tiff, UInt32(tag), &value) == 1 ? value : nil
    }

    func string(_ tag: Int32) -> String? {
        var value: UnsafePointer<CChar>?
        guard CTIFF_getString(tiff, UInt32(tag), &value) == 1, let value else { return nil }
        return String(cString: value)
    }

    func extraSamples() -> [UInt16] {
        var count: UInt16 = 0
        var types: UnsafePointer<UInt16>?
        guard CTIFF_getExtraSamples(tiff, &count, &types) == 1, let types else { return [] }
        return Array(UnsafeBufferPointer(start: types, count: Int(count)))
    }
}
