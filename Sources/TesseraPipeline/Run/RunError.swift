import Foundation

/// Why a run could not start. Errors of the slide, store and network modules pass through as they are: they name
/// the file and say what to do.
public enum RunError: Error, CustomStringConvertible {
    case noSlides(inputs: [String])
    /// Every slide the run was given is missing: nothing was created.
    case missingSlides([String])
    case invalidParameter(String)
    case cannotCreateDirectory(path: String, reason: String)

    public var description: String {
        switch self {
        case .noSlides(let inputs): "no slide files found in \(inputs.joined(separator: ", "))"
        case .missingSlides(let paths): "no such file: \(paths.joined(separator: ", ")); check the path (nothing was written)"
        case .invalidParameter(let message): message
        case .cannotCreateDirectory(let path, let reason): "cannot create the output folder \(path): \(reason)"
        }
    }

    /// Creates `url` and its parents, or says in plain words why not (a file in the way, permissions, a full disk).
    static func creatingDirectory(_ url: URL) throws(RunError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return }
            throw .cannotCreateDirectory(path: url.path, reason: "a file of that name is in the way")
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            throw .cannotCreateDirectory(path: url.path, reason: underlying?.localizedDescription ?? error.localizedDescription)
        }
    }
}
