import Foundation

/// Where this build came from, for run provenance.
public enum BuildInfo {
    /// The git commit of the checkout this binary was built from (with "-dirty" when it had uncommitted changes),
    /// or nil for a build outside a checkout. Read at run time from the source directory recorded at compile time,
    /// since SwiftPM has no build-time hook for it without a plugin.
    public static let gitCommit: String? = {
        if let stated = ProcessInfo.processInfo.environment["TESSERA_GIT_COMMIT"], !stated.isEmpty { return stated }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent(".git").path),
              let commit = git(["rev-parse", "HEAD"], in: root) else { return nil }
        let dirty = git(["status", "--porcelain", "--untracked-files=no"], in: root).map { !$0.isEmpty } ?? false
        return dirty ? commit + "-dirty" : commit
    }()

    private static func git(_ arguments: [String], in directory: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
