import Foundation
import Testing
import TesseraTestSupport

/// The synthetic workloads and benchmark drivers live in `tessera-dev`, which scripts/install and scripts/package-deb
/// never ship: the installed `tessera` has none of them.
@Suite struct DevToolsTests {
    @Test(arguments: ["debug-write-store", "debug-synthetic-results", "bench-read", "write-store", "synthetic-results"])
    func shippedBinaryHasNoDevelopmentCommands(command: String) throws {
        let output = try TesseraCLI.run([command])
        // A bad argument exits 2, as every usage error does (README).
        #expect(output.status == 2, "tessera \(command) exited \(output.status): \(output.stdout)")
        #expect(output.stderr.contains("Unexpected argument '\(command)'"), "\(output.stderr)")
    }

    @Test func devBinaryWritesASyntheticRun() throws {
        let directory = try Fixtures.temporaryDirectory("dev-tools")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("results.sqlite").path
        let output = try TesseraDevCLI.run(["write-store", database, "--slides", "2", "--tiles", "5", "--classes", "2"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.hasPrefix("wrote 10 tiles and 20 prediction rows (0 slides already done)"), "\(output.stdout)")
        #expect(try TesseraCLI.csv(database, "SELECT COUNT(*) AS n FROM tiles") == "n\r\n10\r\n")
    }
}
