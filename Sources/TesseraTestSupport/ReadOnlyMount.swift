import Foundation

/// Runs the `tessera` binary with a folder mounted read-only: a real read-only file system (as on an archive share or
/// a snapshot), not permission bits, which root ignores. The mount is a bind mount of the folder onto itself inside a
/// private mount namespace (`unshare --mount`), so it exists only for that one command and nothing is left mounted.
public enum ReadOnlyMount {
    /// The exit status the wrapper uses when it cannot make the read-only mount.
    public static let setupFailed: Int32 = 97

    /// Runs `tessera arguments...` with `directory` read-only. A status of `setupFailed` means the machine allows no
    /// mount namespace (it needs root, or unprivileged user namespaces); stderr says why.
    public static func run(_ directory: String, _ arguments: [String]) throws -> CommandOutput {
        func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let folder = quoted(directory)
        let command = ([Fixtures.tesseraExecutable.path] + arguments).map(quoted).joined(separator: " ")
        let script = """
            mount --bind \(folder) \(folder) && mount -o remount,ro,bind \(folder) || exit \(setupFailed)
            if touch \(folder)/.tessera-write-probe 2>/dev/null; then echo "the bind mount is still writable" >&2; exit \(setupFailed); fi
            exec \(command)
            """
        let namespace = getuid() == 0 ? ["--mount"] : ["--mount", "--map-root-user"]
        return try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/unshare"), namespace + ["/bin/sh", "-c", script],
                                    environment: TesseraCLI.defaultEnvironment)
    }
}
