import COpenSlide

extension Slide {
    /// The OpenSlide library's version, recorded with every run.
    public static var libraryVersion: String { openslide_get_version().map { String(cString: $0) } ?? "unknown" }
}
