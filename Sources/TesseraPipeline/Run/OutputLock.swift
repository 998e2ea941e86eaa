import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive flock(2) on a lock file, so two runs writing the same output never overlap: `tessera run` and
/// `tessera pipeline run` take the same one (`<output>/.tessera.lock` unless a pipeline names another).
///
/// The kernel releases the lock when the holding process exits or dies, so a crashed run leaves no stale lock;
/// the file itself stays and only carries who held it last (`Holder`, as JSON), for the message the next run prints.
/// Owns its file descriptor; closing it (`release()` or deinit) releases the lock.
public final class OutputLock {
    /// Who holds (or last held) a lock: written into the lock file.
    public struct Holder: Sendable, Codable, Equatable, CustomStringConvertible {
        public var pid: Int32
        public var host: String
        public var startedAt: Date
        /// The pipeline being run, and its file; nil for a bare `tessera run`.
        public var pipeline: String?
        public var pipelineFile: String?
        /// The command line of a bare `tessera run` (nil for a pipeline).
        public var command: String?

        public init(pid: Int32, host: String, startedAt: Date, pipeline: String? = nil, pipelineFile: String? = nil,
                    command: String? = nil) {
            self.pid = pid
            self.host = host
            self.startedAt = startedAt
            self.pipeline = pipeline
            self.pipelineFile = pipelineFile
            self.command = command
        }

        /// This process, running `pipeline`.
        public static func current(pipeline: String, pipelineFile: String, startedAt: Date = Date()) -> Holder {
            Holder(pid: getpid(), host: ProcessInfo.processInfo.hostName, startedAt: startedAt,
                   pipeline: pipeline, pipelineFile: pipelineFile)
        }

        /// This process, running the command line it was started with.
        public static func current(startedAt: Date = Date()) -> Holder {
            Holder(pid: getpid(), host: ProcessInfo.processInfo.hostName, startedAt: startedAt,
                   command: CommandLine.arguments.joined(separator: " "))
        }

        public var description: String {
            let what = if let pipeline { "pipeline \"\(pipeline)\" (\(pipelineFile ?? "?"))" }
                       else { "`\(command ?? "tessera run")`" }
            return "pid \(pid) on \(host), running \(what) since " + ISO8601DateFormatter().string(from: startedAt)
        }
    }

    public let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Takes the lock at once or throws: `.lockHeld` naming the holder when another process has it,
    /// `.lockUnavailable` when the file cannot be created or locked.
    public static func acquire(path: String, holder: Holder) throws(PipelineError) -> OutputLock {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if descriptor < 0 {
            throw failure(.lockUnavailable, path, "cannot open the lock file", errno: errno,
                          advice: "check that its directory exists and is writable")
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK {
                let holderText = readHolder(path: path).map(\.description) ?? "a process that has not yet written its details"
                throw PipelineError(kind: .lockHeld, file: path,
                                    message: "another Tessera run holds this lock: \(holderText). This run exits "
                                        + "without doing anything; the lock is released when that process ends.")
            }
            throw failure(.lockUnavailable, path, "cannot lock the lock file", errno: code,
                          advice: "use a local file system or set outputs.lock to a path on one")
        }
        let lock = OutputLock(path: path, descriptor: descriptor)
        try lock.write(holder)
        return lock
    }

    /// Who holds or last held the lock at `path`, from the details its holder wrote (nil when none are readable).
    public static func readHolder(path: String) -> Holder? {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(Holder.self, from: data)
    }

    /// Releases the lock now (it is also released when this object goes away or the process exits).
    public func release() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    private func write(_ holder: Holder) throws(PipelineError) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(holder)) ?? Data()
        let written = data.withUnsafeBytes { bytes -> Int in
            guard ftruncate(descriptor, 0) == 0 else { return -1 }
            return pwrite(descriptor, bytes.baseAddress, bytes.count, 0)
        }
        if written != data.count {
            throw Self.failure(.lockUnavailable, path, "cannot write the holder's details into the lock file",
                               errno: errno, advice: "check free space and permissions")
        }
    }

    private static func failure(_ kind: PipelineError.Kind, _ path: String, _ what: String, errno code: Int32,
                                advice: String) -> PipelineError {
        PipelineError(kind: kind, file: path, message: "\(what): \(String(cString: strerror(code))); \(advice)")
    }
}
