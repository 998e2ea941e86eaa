import Foundation
import TesseraCore

/// A heatmap could not be written (or read back). Names the file, what failed, and what libtiff said.
public struct HeatmapError: Error, Sendable, Equatable, CustomStringConvertible, SystemCodedError {
    public enum Kind: String, Sendable, Equatable {
        /// The image or class table handed to the writer is inconsistent (wrong sizes, channel counts).
        case invalidInput
        /// The output directory does not exist or is not a directory.
        case outputDirectoryMissing
        /// libtiff could not create or open the file (permissions, read-only file system, bad path).
        case cannotOpen
        /// Writing tiles or directories failed (often a full disk); the partial file has been removed.
        case writeFailed
        /// The finished temporary file could not be moved to its final name.
        case cannotRename
        /// Reading a TIFF back failed (used by the read-back helpers).
        case readFailed
    }

    public var kind: Kind
    /// The file the operation was about: the final heatmap path (never only the temporary name).
    public var path: String
    /// What went wrong and what to do about it.
    public var message: String
    /// What libtiff and the system reported, verbatim ("TIFFWriteEncodedTile: ...; system: No space left on device").
    public var libraryMessages: String?
    /// Where in the file it happened, for example "level 2 tile (3, 1)".
    public var context: String?
    /// The system's error number behind the failure (ENOSPC on a full disk), when the system reported one.
    public var systemErrorCode: Int32?

    public init(kind: Kind, path: String, message: String, libraryMessages: String? = nil, context: String? = nil,
                systemErrorCode: Int32? = nil) {
        self.systemErrorCode = systemErrorCode
        self.kind = kind
        self.path = path
        self.message = message
        self.libraryMessages = libraryMessages
        self.context = context
    }

    public var description: String {
        var text = "heatmap \(path): \(message)"
        if let context { text += " (\(context))" }
        if let libraryMessages, !libraryMessages.isEmpty { text += " [libtiff: \(libraryMessages)]" }
        return text
    }
}

extension HeatmapError: LocalizedError {
    public var errorDescription: String? { description }
}
