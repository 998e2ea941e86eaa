import Foundation

/// Runs `tessera` commands with a folder on a real, small file system (a tmpfs of a given size), so that a test sees
/// a full disk exactly as a run does: ENOSPC from write(2), SQLite and libtiff. The tmpfs is mounted inside a private
/// mount namespace (`unshare --mount`), so it exists only for those commands and nothing is left mounted; what they
/// left on it is copied to `copy` before it goes.
public enum SmallDisk {
    /// The exit status the wrapper uses when it cannot mount the tmpfs.
    public static let setupFailed: Int32 = 97

    /// One command: the tmpfs is resized to `size` before it runs, and `shell` (if any) runs first.
    public struct Step: Sendable {
        /// As `mount -o size=` takes it ("64m", "600k"), or shell text that gives it (`usedPlus`).
        public var size: String
        public var arguments: [String]
        /// A shell command run before `tessera` (say, a slide copied into the inputs), or nil.
        public var shell: String?
        /// `tessera arguments` runs in the background, and this shell command runs once `shell` (here a wait, say
        /// for a checkpoint file) returns: a signal, for instance (`$tessera` is its pid).
        public var whileRunning: String?
        public init(size: String, _ arguments: [String], shell: String? = nil, whileRunning: String? = nil) {
            self.size = size
            self.arguments = arguments
            self.shell = shell
            self.whileRunning = whileRunning
        }
    }

    /// A size of what the tmpfs at `directory` holds now plus `kilobytes`: a disk that fills after that much more.
    public static func usedPlus(_ kilobytes: Int, on directory: URL) -> String {
        "$(( $(df --output=used -k '\(directory.path)' | tail -1) + \(kilobytes) ))k"
    }

    /// Runs each step's `tessera arguments...` in turn with `directory` (created if needed) on a tmpfs, and copies the
    /// tmpfs's content into `copy` at the end. Returns one output per step; a single output with status
    /// `setupFailed` means the machine allows no mount namespace (it needs root, or unprivileged user namespaces).
    public static func run(_ directory: URL, steps: [Step], copy: URL) throws -> [CommandOutput] {
        func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let logs = try Fixtures.temporaryDirectory("small-disk-logs")
        defer { try? FileManager.default.removeItem(at: logs) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        let folder = quoted(directory.path)
        var script = "mount -t tmpfs -o size=\(steps.first?.size ?? "1m") tmpfs \(folder) || exit \(setupFailed)\n"
        for (index, step) in steps.enumerated() {
            let command = ([Fixtures.tesseraExecutable.path] + step.arguments).map(quoted).joined(separator: " ")
            let log = quoted(logs.appendingPathComponent("\(index)").path)
            script += "mount -o remount,size=\(step.size) \(folder) || exit \(setupFailed)\n"
            if let whileRunning = step.whileRunning {
                script += "\(command) >\(log).out 2>\(log).err & tessera=$!\n"
                script += "\(step.shell ?? "true")\n\(whileRunning)\n"
                script += "wait $tessera; echo $? >\(log).status\n"
            } else {
                if let shell = step.shell { script += "\(shell)\n" }
                script += "\(command) >\(log).out 2>\(log).err; echo $? >\(log).status\n"
            }
        }
        script += "cp -a \(folder)/. \(quoted(copy.path))/\n"
        let namespace = getuid() == 0 ? ["--mount"] : ["--mount", "--map-root-user"]
        // The steps' `tessera` runs get what every test run gets (TesseraCLI.defaultEnvironment: auto precision told
        // int8 is slower), so a resumed run makes the same precision choice as the run it resumes.
        let wrapper = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/unshare"), namespace + ["/bin/sh", "-c", script],
                                           environment: TesseraCLI.defaultEnvironment)
        if wrapper.status == setupFailed { return [wrapper] }
        return steps.indices.map { index in
            let read = { (suffix: String) in
                String(decoding: (try? Data(contentsOf: logs.appendingPathComponent("\(index).\(suffix)"))) ?? Data(), as: UTF8.self)
            }
            let status = Int32(read("status").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            return CommandOutput(status: status, stdout: read("out"), stderr: read("err"))
        }
    }
}
