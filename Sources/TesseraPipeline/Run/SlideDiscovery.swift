import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Expands a run's inputs (files, directories, glob patterns) into a sorted, de-duplicated list of slide files: the
/// one expansion `tessera run` and pipeline files share.
///
/// - A directory is searched recursively for files with a slide extension.
/// - A pattern matches path components with `*`, `?` and `[...]` (as the shell does: not across `/`, not hidden
///   names unless the pattern starts with a dot), and `**` matches zero or more directories. A directory a pattern
///   matches is searched like a directory input; a file it matches is taken when it has a slide extension.
/// - Symbolic links to slides and to folders are followed (labs keep slides as links into archives). A folder
///   reached again through a link (a cycle, or two links to one folder) is searched once.
/// - Hidden files and folders are skipped, and so are the `excluding` folders (the run's own output).
/// - Slides are identified by their real path (links resolved): one slide reached twice is run once.
public enum SlideDiscovery {
    /// File extensions OpenSlide 3.4 reads (lower-cased, without the dot). DICOM is left out: it needs OpenSlide 4.
    public static let slideExtensions: Set<String> = ["svs", "tif", "tiff", "ndpi", "vms", "vmu", "scn", "mrxs",
                                                      "svslide", "bif"]

    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        public enum Kind: Sendable, Equatable {
            /// The input, or the folder a pattern starts from, does not exist (an unmounted share, a typo).
            case missing
            /// A folder that exists but cannot be listed, or a pattern that cannot be expanded.
            case unreadable
        }
        public let kind: Kind
        public let input: String
        /// The path that is missing or unreadable (the pattern's starting folder for a pattern).
        public let path: String
        public let reason: String
        public var description: String { "input '\(input)': \(reason)" }
    }

    /// - Parameter excluding: directories never searched (the run's own output, whose heatmap TIFFs would
    ///   otherwise be picked up as slides by the next run).
    public static func slides(in inputs: [String], excluding excluded: [URL] = []) throws(Error) -> [URL] {
        var walk = Walk(excluded: Set(excluded.map { realPath($0.path) ?? $0.standardizedFileURL.path }))
        for input in inputs {
            if isPattern(input) {
                let components = input.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
                let literalCount = components.prefix { !isPattern($0) }.count
                let base = (input.hasPrefix("/") ? "/" : "") + components.prefix(literalCount).joined(separator: "/")
                let start = base.isEmpty ? "." : base
                guard isDirectory(start) else {
                    throw Error(kind: .missing, input: input, path: start,
                                reason: "the folder the pattern starts from, \(start), does not exist")
                }
                try walk.match(directory: start, pattern: components.dropFirst(literalCount), input: input)
                continue
            }
            var status = stat()
            guard stat(input, &status) == 0 else {
                // A missing slide named explicitly is one bad slide: it fails on its own (recorded with its error)
                // and the batch goes on. A missing folder or other path is a mistake in the command.
                if isSlideFile(input) {
                    walk.found.insert(URL(fileURLWithPath: input).standardizedFileURL.path)
                    continue
                }
                throw Error(kind: .missing, input: input, path: input, reason: "no such file or directory")
            }
            if status.st_mode & S_IFMT == S_IFDIR {
                try walk.search(directory: input, input: input)
            } else if let real = realPath(input) {
                // A file named explicitly is taken whatever its extension: OpenSlide decides whether it can read it.
                walk.found.insert(real)
            }
        }
        return walk.found.sorted().map { URL(fileURLWithPath: $0) }
    }

    static func isSlideFile(_ path: String) -> Bool {
        slideExtensions.contains(URL(fileURLWithPath: path).pathExtension.lowercased())
    }

    private static func isPattern(_ text: String) -> Bool { text.contains { "*?[".contains($0) } }

    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// One expansion's state: the slides found and the folders already searched (by device and inode, so a folder
    /// reached through a link is recognised).
    private struct Walk {
        struct FolderID: Hashable { var device: UInt64; var inode: UInt64 }
        let excluded: Set<String>
        var found = Set<String>()
        /// Folders searched whole (a directory input or a pattern's match), and, per pattern position, folders a
        /// pattern was matched in: a cycle of links ends when a folder comes round again.
        var searched = Set<FolderID>()
        var matched = Set<String>()

        init(excluded: Set<String>) { self.excluded = excluded }

        /// Every slide file below `directory`.
        mutating func search(directory: String, input: String) throws(Error) {
            guard let folder = folderID(directory), searched.insert(folder).inserted, !isExcluded(directory) else { return }
            for (name, path, isFolder) in try entries(directory, input: input) where !name.hasPrefix(".") {
                if isFolder {
                    try search(directory: path, input: input)
                } else if isSlideFile(name), let real = realPath(path) {
                    found.insert(real)
                }
            }
        }

        /// Matches the pattern's remaining components below `directory`.
        mutating func match(directory: String, pattern: ArraySlice<String>, input: String) throws(Error) {
            guard let head = pattern.first else { return try search(directory: directory, input: input) }
            guard let folder = folderID(directory), !isExcluded(directory),
                  matched.insert("\(folder.device):\(folder.inode):\(pattern.joined(separator: "/"))").inserted else { return }
            if head == "**" {
                // Zero directories here, or one more and `**` again below.
                try match(directory: directory, pattern: pattern.dropFirst(), input: input)
                for (name, path, isFolder) in try entries(directory, input: input) where isFolder && !name.hasPrefix(".") {
                    try match(directory: path, pattern: pattern, input: input)
                }
                return
            }
            for (name, path, isFolder) in try entries(directory, input: input)
            where fnmatch(head, name, FNM_PERIOD) == 0 {
                if isFolder {
                    try match(directory: path, pattern: pattern.dropFirst(), input: input)
                } else if pattern.count == 1, isSlideFile(name), let real = realPath(path) {
                    found.insert(real)
                }
            }
        }

        /// The folder's entries, links followed: (name, path, whether it is a folder). Broken links are left out.
        private func entries(_ directory: String, input: String) throws(Error) -> [(String, String, Bool)] {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: directory)
            } catch {
                throw Error(kind: .unreadable, input: input, path: directory,
                            reason: "the folder \(directory) cannot be listed (\(error.localizedDescription))")
            }
            return names.sorted().compactMap { name in
                let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
                var status = stat()
                guard stat(path, &status) == 0 else { return nil }
                return (name, path, status.st_mode & S_IFMT == S_IFDIR)
            }
        }

        private func folderID(_ path: String) -> FolderID? {
            var status = stat()
            guard stat(path, &status) == 0 else { return nil }
            return FolderID(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        }

        private func isExcluded(_ directory: String) -> Bool {
            guard !excluded.isEmpty, let real = realPath(directory) else { return false }
            return excluded.contains { real == $0 || real.hasPrefix($0 + "/") }
        }
    }
}
