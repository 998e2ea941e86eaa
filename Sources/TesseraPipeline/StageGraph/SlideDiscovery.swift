import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Expands a run's inputs (files, directories, glob patterns) into a sorted, de-duplicated list of slide files.
public enum SlideDiscovery {
    /// File extensions OpenSlide 3.4 reads (lower-cased, without the dot). DICOM is left out: it needs OpenSlide 4.
    public static let slideExtensions: Set<String> = ["svs", "tif", "tiff", "ndpi", "vms", "vmu", "scn", "mrxs",
                                                      "svslide", "bif"]

    public struct Error: Swift.Error, CustomStringConvertible {
        public let input: String
        public let reason: String
        public var description: String { "input '\(input)': \(reason)" }
    }

    /// - Parameter excluding: directories never searched (the run's own output, whose heatmap TIFFs would
    ///   otherwise be picked up as slides by the next run).
    public static func slides(in inputs: [String], excluding excluded: [URL] = []) throws -> [URL] {
        let excludedPaths = excluded.map { $0.standardizedFileURL.resolvingSymlinksInPath().path }
        var found = Set<String>()
        for input in inputs {
            if input.contains(where: { "*?[".contains($0) }) {
                let matches = try glob(input)
                for match in matches { try collect(match, into: &found, excluding: excludedPaths, explicit: false) }
                continue
            }
            try collect(input, into: &found, excluding: excludedPaths, explicit: true)
        }
        return found.sorted().map { URL(fileURLWithPath: $0) }
    }

    private static func collect(_ path: String, into found: inout Set<String>, excluding: [String],
                                explicit: Bool) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            // A missing slide named explicitly is one bad slide: it fails on its own (recorded with its error) and
            // the batch goes on. A missing folder or other path is a mistake in the command.
            if explicit && isSlideFile(URL(fileURLWithPath: path)) {
                found.insert(URL(fileURLWithPath: path).standardizedFileURL.path)
                return
            }
            throw Error(input: path, reason: "no such file or directory")
        }
        let url = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
        if !isDirectory.boolValue {
            // A file named explicitly is taken whatever its extension: OpenSlide decides whether it can read it.
            if explicit || isSlideFile(url) { found.insert(url.path) }
            return
        }
        if isExcluded(url.path, excluding) { return }
        guard let enumerator = FileManager.default.enumerator(
            at: url, includingPropertiesForKeys: [.isRegularFileKey, .isDirectoryKey],
            options: [.skipsHiddenFiles]) else {
            throw Error(input: path, reason: "directory cannot be listed")
        }
        for case let child as URL in enumerator {
            let values = try? child.resourceValues(forKeys: [.isDirectoryKey, .isRegularFileKey])
            if values?.isDirectory == true {
                if isExcluded(child.resolvingSymlinksInPath().path, excluding) { enumerator.skipDescendants() }
                continue
            }
            if values?.isRegularFile == true, isSlideFile(child) {
                found.insert(child.standardizedFileURL.resolvingSymlinksInPath().path)
            }
        }
    }

    static func isSlideFile(_ url: URL) -> Bool {
        slideExtensions.contains(url.pathExtension.lowercased())
    }

    private static func isExcluded(_ path: String, _ excluded: [String]) -> Bool {
        excluded.contains { path == $0 || path.hasPrefix($0 + "/") }
    }

    private static func glob(_ pattern: String) throws -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        let status = Glibc.glob(pattern, 0, nil, &result)
        if status == GLOB_NOMATCH { return [] }
        guard status == 0 else { throw Error(input: pattern, reason: "glob pattern could not be expanded (\(status))") }
        return (0..<Int(result.gl_pathc)).compactMap { index in
            result.gl_pathv[index].map { String(cString: $0) }
        }
    }
}
