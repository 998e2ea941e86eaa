import CDNNL

extension Segmenter {
    /// The oneDNN library's version and CPU runtime, recorded with every run.
    public static var libraryVersion: String {
        guard let version = dnnl_version()?.pointee else { return "unknown" }
        return "\(version.major).\(version.minor).\(version.patch)"
    }
}
