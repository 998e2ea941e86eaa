import Foundation

/// An error of Tessera's own that records the system error number behind it (errno from a write, libtiff's call),
/// so that callers decide by the code (a full disk is resumable) rather than by matching the message.
public protocol SystemCodedError: Error {
    /// The POSIX error number (ENOSPC, EIO...), or nil when the failure was not the system's.
    var systemErrorCode: Int32? { get }
}

/// Plain words for errors from Foundation and the C library, which on Linux describe themselves as
/// `Error Domain=NSCocoaErrorDomain Code=512 "(null)"`. Every message that passes such an error on to a person goes
/// through `describe`: it gives what went wrong (from the POSIX error underneath when there is one), the file when the
/// error names it, and what to do.
public enum SystemErrorText {
    /// "no space left on the device (/data/out/x.tif); free space or choose another output folder". Errors that are
    /// not Foundation's or POSIX's (Tessera's own, which already say all this) come back as their description.
    public static func describe(_ error: any Error) -> String {
        guard let (code, domain, path) = details(of: error) else { return String(describing: error) }
        let place = path.map { " (\($0))" } ?? ""
        if domain == NSPOSIXErrorDomain {
            return posix(Int32(code)) + place + advice(posix: Int32(code))
        }
        let (what, todo) = cocoa(code)
        return what + place + todo
    }

    /// The POSIX error code underneath an error (ENOSPC, EIO...), when there is one: a Foundation or POSIX error's,
    /// or the one a Tessera error recorded (`SystemCodedError`). Foundation's "out of space" with no POSIX error
    /// under it counts as ENOSPC.
    public static func posixCode(of error: any Error) -> Int32? {
        if let coded = error as? any SystemCodedError { return coded.systemErrorCode }
        guard let (code, domain, _) = details(of: error) else { return nil }
        if domain == NSPOSIXErrorDomain { return Int32(code) }
        return code == CocoaError.fileWriteOutOfSpace.rawValue ? ENOSPC : nil
    }

    /// Whether `error` is a full disk or an exhausted quota (ENOSPC, EDQUOT), told by its code, never by its text.
    public static func isOutOfSpace(_ error: any Error) -> Bool {
        posixCode(of: error).map { [ENOSPC, EDQUOT].contains($0) } ?? false
    }

    /// True for errors whose own description would be Foundation's raw text.
    public static func isFoundationError(_ error: any Error) -> Bool { details(of: error) != nil }

    /// The POSIX code (from the underlying error when Foundation wraps one), its domain and the file it names.
    private static func details(of error: any Error) -> (code: Int, domain: String, path: String?)? {
        let nsError: NSError
        if let cocoa = error as? CocoaError {
            nsError = cocoa as NSError
        } else if let posix = error as? POSIXError {
            return (Int(posix.code.rawValue), NSPOSIXErrorDomain, nil)
        } else if type(of: error) is NSError.Type {
            nsError = error as NSError
        } else {
            return nil
        }
        guard nsError.domain == NSCocoaErrorDomain || nsError.domain == NSPOSIXErrorDomain else { return nil }
        let path = nsError.userInfo[NSFilePathErrorKey] as? String
            ?? (nsError.userInfo[NSURLErrorKey] as? URL)?.path
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return (underlying.code, NSPOSIXErrorDomain, path)
        }
        return (nsError.code, nsError.domain, path)
    }

    private static func posix(_ code: Int32) -> String {
        String(cString: strerror(code)).lowercased()
    }

    private static func advice(posix code: Int32) -> String {
        switch code {
        case ENOSPC, EDQUOT: "; free space or choose another folder"
        case EACCES, EPERM: "; check the file's and its folder's permissions"
        case EROFS: "; the storage is read-only: choose a writable folder"
        case ENOENT, ENOTDIR: "; check the path"
        case EIO: "; the disk or share reported an I/O error: check it and try again"
        case EMFILE, ENFILE: "; too many open files: raise the limit (ulimit -n)"
        default: ""
        }
    }

    private static func cocoa(_ code: Int) -> (String, String) {
        switch CocoaError.Code(rawValue: code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: ("no such file", "; check the path")
        case .fileReadNoPermission: ("permission denied reading the file", "; check its permissions")
        case .fileWriteNoPermission: ("permission denied writing the file", "; check the folder's permissions")
        case .fileReadCorruptFile: ("the file is damaged or not in the expected format", "")
        case .fileReadInapplicableStringEncoding: ("the file is not UTF-8 text", "; save it as UTF-8")
        case .fileReadTooLarge: ("the file is too large to read", "")
        case .fileWriteOutOfSpace: ("no space left on the device", "; free space or choose another folder")
        case .fileWriteVolumeReadOnly: ("the storage is read-only", "; choose a writable folder")
        case .fileWriteFileExists: ("a file of that name is in the way", "; move it or choose another name")
        case .fileWriteInvalidFileName, .fileReadInvalidFileName: ("the file name is not valid", "")
        case .fileReadUnknown: ("the file could not be read", "; check that it exists and is readable")
        case .fileWriteUnknown: ("the file could not be written", "; check free space and the folder's permissions")
        default: ("a file operation failed (Foundation error \(code))", "")
        }
    }
}
