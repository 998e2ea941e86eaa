import Foundation
import Testing
import TesseraTestSupport

/// `tessera serve` owns the process's signals (the TesseraServe library installs none): SIGINT and SIGTERM shut the
/// server down gracefully and the command exits 0.
@Suite struct ServeCommandTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func serveStopsCleanlyOnSignal(signal: Int32) throws {
        let directory = try Fixtures.temporaryDirectory("serve-signal")
        defer { try? FileManager.default.removeItem(at: directory) }
        let written = try TesseraDevCLI.run(["write-store", directory.appendingPathComponent("results.sqlite").path,
                                             "--slides", "1", "--tiles", "4", "--classes", "2"])
        #expect(written.status == 0, "\(written.stderr)")
        let server = try TesseraCLI.start(["serve", directory.path, "--port", "0"])
        defer { if server.isRunning { server.signal(SIGKILL); _ = server.wait() } }
        let deadline = Date().addingTimeInterval(60)
        while server.isRunning, !server.stdoutSoFar.contains("serving "), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(server.stdoutSoFar.contains(" at http://127.0.0.1:"), "\(server.stdoutSoFar)")
        server.signal(signal)
        let stopDeadline = Date().addingTimeInterval(10)
        while server.isRunning, Date() < stopDeadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!server.isRunning, "still running 10 s after signal \(signal)")
        let output = server.wait()
        #expect(output.status == 0, "exit \(output.status) after signal \(signal): \(output.stderr)")
        #expect(server.process.terminationReason == .exit)
    }
}
