import Foundation

/// Runs the built `tessera` binary for end-to-end tests and captures what it printed.
public struct CommandResult: Sendable {
    public let status: Int32
    public let standardOutput: String
    public let standardError: String
}

public enum Tessera {
    /// Runs `tessera` with `arguments` and waits for it.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String] = [:],
                           currentDirectory: URL? = nil) throws -> CommandResult {
        let process = try start(arguments, environment: environment, currentDirectory: currentDirectory)
        return process.wait()
    }

    /// Starts `tessera` without waiting, for tests that signal or kill it.
    public static func start(_ arguments: [String], environment: [String: String] = [:],
                             currentDirectory: URL? = nil) throws -> RunningCommand {
        let process = Process()
        process.executableURL = Fixtures.tesseraExecutable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return RunningCommand(process: process, output: output, error: error)
    }
}

public final class RunningCommand: @unchecked Sendable {
    public let process: Process
    private let outputReader: Task<Data, Never>
    private let errorReader: Task<Data, Never>

    init(process: Process, output: Pipe, error: Pipe) {
        self.process = process
        // Drain both pipes as the child writes, so a chatty child never blocks on a full pipe.
        let outputHandle = output.fileHandleForReading, errorHandle = error.fileHandleForReading
        outputReader = Task.detached { outputHandle.readDataToEndOfFile() }
        errorReader = Task.detached { errorHandle.readDataToEndOfFile() }
    }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    public func wait() -> CommandResult {
        process.waitUntilExit()
        let semaphore = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var output = Data(), error = Data()
        Task.detached { [outputReader, errorReader] in
            output = await outputReader.value
            error = await errorReader.value
            semaphore.signal()
        }
        semaphore.wait()
        return CommandResult(status: process.terminationStatus,
                             standardOutput: String(decoding: output, as: UTF8.self),
                             standardError: String(decoding: error, as: UTF8.self))
    }
}
