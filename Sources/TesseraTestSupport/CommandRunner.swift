import Foundation

/// What a run of the `tessera` binary printed and how it ended.
public struct CommandOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs the built `tessera` binary for end-to-end tests.
public enum TesseraCLI {
    /// Runs `tessera arguments...` and waits for it.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandOutput {
        try start(arguments, environment: environment).wait()
    }

    /// Starts `tessera` without waiting, for tests that signal or kill it.
    public static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> RunningCommand {
        try RunningCommand(arguments: arguments, environment: environment)
    }

    /// `tessera query DB SQL --format csv`, failing loudly when the query fails.
    public static func csv(_ database: String, _ sql: String) throws -> String {
        let output = try run(["query", database, sql, "--format", "csv"])
        guard output.status == 0 else {
            throw CLIError(message: "tessera query failed (\(output.status)): \(output.stderr)")
        }
        return output.stdout
    }

    public struct CLIError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}

/// A `tessera` child process. Its standard output and error go to files, so neither can fill a pipe and block the
/// child while the test waits.
public final class RunningCommand {
    public let process: Process
    private let outputURL: URL
    private let errorURL: URL

    init(arguments: [String], environment: [String: String], executable: URL = Fixtures.tesseraExecutable) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let stem = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-\(UUID().uuidString)")
        outputURL = stem.appendingPathExtension("out")
        errorURL = stem.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    public var isRunning: Bool { process.isRunning }

    public func wait() -> CommandOutput {
        process.waitUntilExit()
        defer {
            try? FileManager.default.removeItem(at: outputURL)
            try? FileManager.default.removeItem(at: errorURL)
        }
        let read = { (url: URL) in String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self) }
        return CommandOutput(status: process.terminationStatus, stdout: read(outputURL), stderr: read(errorURL))
    }
}
