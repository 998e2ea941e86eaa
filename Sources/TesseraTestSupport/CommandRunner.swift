import Foundation

/// What a child process printed and how it ended.
public struct CommandOutput: Sendable {
    /// The exit status, or the signal number when a signal ended it.
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs programs for tests: the built `tessera`, Python, vips. The one place tests start processes.
public enum ChildProcess {
    /// Runs `executable arguments...` and waits for it.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                           unsetting unset: [String] = [], currentDirectory: URL? = nil) throws -> CommandOutput {
        try start(executable, arguments, environment: environment, unsetting: unset, currentDirectory: currentDirectory).wait()
    }

    /// Starts `executable arguments...` without waiting, for tests that watch, signal or kill it. The child gets this
    /// process's environment with `environment` added and the variables in `unset` removed.
    public static func start(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                             unsetting unset: [String] = [], currentDirectory: URL? = nil) throws -> RunningCommand {
        try RunningCommand(executable: executable, arguments: arguments, environment: environment, unset: unset,
                           currentDirectory: currentDirectory)
    }

    /// A program on PATH.
    public static func onPath(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

/// Whether the tests run in CI (CI=true), where a check that cannot run must fail rather than skip.
public enum TestEnvironment {
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
}

/// Runs the built `tessera` binary for end-to-end tests.
public enum TesseraCLI {
    /// What every test run of `tessera` gets unless the test says otherwise: `--precision auto` (the default of `run`
    /// and pipelines) given figures with int8 slower, so that runs are fp32, as the tests expect, on every machine kind
    /// (measured, auto would pick int8 on VNNI Xeons). RunPrecisionTests gives other figures.
    public static let defaultEnvironment = ["TESSERA_PRECISION_AUTO_MEASUREMENT": "fp32=2,int8=1"]

    /// Runs `tessera arguments...` and waits for it.
    public static func run(_ arguments: [String], environment: [String: String] = [:], unsetting unset: [String] = []) throws -> CommandOutput {
        try ChildProcess.run(Fixtures.tesseraExecutable, arguments, environment: defaultEnvironment.merging(environment) { $1 },
                             unsetting: unset)
    }

    /// Starts `tessera` without waiting, for tests that signal or kill it.
    public static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> RunningCommand {
        try ChildProcess.start(Fixtures.tesseraExecutable, arguments, environment: defaultEnvironment.merging(environment) { $1 })
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
        public init(message: String) { self.message = message }
    }
}

/// Runs the built `tessera-dev` binary: `write-store` (a synthetic run written the way the runner writes it).
public enum TesseraDevCLI {
    public static func run(_ arguments: [String]) throws -> CommandOutput {
        try ChildProcess.run(Fixtures.tesseraDevExecutable, arguments)
    }

    /// Starts `tessera-dev` without waiting, for tests that kill it mid-write.
    public static func start(_ arguments: [String]) throws -> RunningCommand {
        try ChildProcess.start(Fixtures.tesseraDevExecutable, arguments)
    }
}

/// A child process. Its standard output and error go to files, so neither can fill a pipe and block the child
/// while the test waits, and the test can read what it has printed so far.
public final class RunningCommand {
    public let process: Process
    private let outputURL: URL
    private let errorURL: URL

    init(executable: URL, arguments: [String], environment: [String: String], unset: [String], currentDirectory: URL?) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        for key in unset { merged[key] = nil }
        process.environment = merged
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
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

    /// What the child has written to its standard output so far.
    public var stdoutSoFar: String { String(decoding: (try? Data(contentsOf: outputURL)) ?? Data(), as: UTF8.self) }

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
