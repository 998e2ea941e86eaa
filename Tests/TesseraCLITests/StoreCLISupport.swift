import Foundation
import TesseraTestSupport

/// Runs the built `tessera` binary for the store's end-to-end tests.
enum StoreCLI {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = Fixtures.tesseraExecutable
        process.arguments = arguments
        // stderr goes to a file, so neither stream can fill a pipe and block the child while we read the other.
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errData = try Data(contentsOf: errURL)
        return Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// `tessera query DB SQL --format csv`, failing loudly when the query fails.
    static func csv(_ database: String, _ sql: String) throws -> String {
        let output = try run(["query", database, sql, "--format", "csv"])
        guard output.status == 0 else {
            throw CLIError(message: "tessera query failed (\(output.status)): \(output.stderr)")
        }
        return output.stdout
    }

    struct CLIError: Error, CustomStringConvertible { var message: String; var description: String { message } }
}
