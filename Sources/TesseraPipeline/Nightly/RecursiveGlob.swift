import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Expands `**` in pipeline inputs (`/data/slides/incoming/**/*.svs`): `**` matches zero or more directories.
///
/// The runner expands the other glob patterns with glob(3), which reads `**` as `*` (one directory level), so a
/// nightly job's "every slide below incoming/" would quietly miss slides two folders down. Inputs without `**` are
/// passed through untouched. Hidden files and folders are not matched (as the shell does).
enum RecursiveGlob {
    /// Each `**` pattern replaced by the files it matches (sorted); a pattern that matches nothing is kept as written,
    /// so the runner treats it as it treats any pattern that matches nothing.
    /// Throws `.inputMissing` when the directory a `**` pattern starts from does not exist (an unmounted share must
    /// not look like a night with no new slides).
    static func expand(_ inputs: [String]) throws(PipelineError) -> [String] {
        var expanded: [String] = []
        for input in inputs {
            guard input.split(separator: "/").contains("**") else {
                expanded.append(input)
                continue
            }
            let matches = try files(matching: input)
            expanded.append(contentsOf: matches.isEmpty ? [input] : matches)
        }
        return expanded
    }

    static func files(matching pattern: String) throws(PipelineError) -> [String] {
        let components = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let literalCount = components.prefix { !isWildcard($0) }.count
        let base = (pattern.hasPrefix("/") ? "/" : "") + components.prefix(literalCount).joined(separator: "/")
        let rest = Array(components.dropFirst(literalCount))
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: base, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PipelineError(kind: .inputMissing, file: base,
                                message: "the directory the input pattern \(pattern) starts from does not exist; "
                                    + "check the pipeline's `inputs` (and that the share is mounted)")
        }
        let baseURL = URL(fileURLWithPath: base, isDirectory: true).standardizedFileURL
        guard let walker = FileManager.default.enumerator(
            at: baseURL, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else { return [] }
        var found: [String] = []
        let prefix = baseURL.path.hasSuffix("/") ? baseURL.path : baseURL.path + "/"
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(prefix) else { continue }
            let relative = path.dropFirst(prefix.count).split(separator: "/").map(String.init)
            if match(relative[...], rest[...]) { found.append(path) }
        }
        return found.sorted()
    }

    static func match(_ path: ArraySlice<String>, _ pattern: ArraySlice<String>) -> Bool {
        guard let head = pattern.first else { return path.isEmpty }
        if head == "**" {
            var remaining = path
            while true {
                if match(remaining, pattern.dropFirst()) { return true }
                guard !remaining.isEmpty else { return false }
                remaining = remaining.dropFirst()
            }
        }
        guard let component = path.first, fnmatch(head, component, FNM_PERIOD) == 0 else { return false }
        return match(path.dropFirst(), pattern.dropFirst())
    }

    private static func isWildcard(_ component: String) -> Bool {
        component.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }
}
