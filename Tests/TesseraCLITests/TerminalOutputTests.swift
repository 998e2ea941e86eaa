import Foundation
import Testing
import TesseraTestSupport

/// On a terminal, the live progress line and log lines never share a line (issue 24). The run is started under a
/// pseudo-terminal by util-linux's `script`, and each line of what it wrote is read as a terminal shows it: the
/// text after the line's last carriage return.
@Suite(.serialized) struct TerminalOutputTests {
    @Test func progressAndLogLinesNeverShareALine() throws {
        let script = try #require(ChildProcess.onPath("script"), "util-linux's script is not on PATH")
        let out = try Fixtures.temporaryDirectory("terminal").appendingPathComponent("out")
        let command = [Fixtures.tesseraExecutable.path, "run", Fixtures.slide("CMU-1-Small-Region.svs").path,
                       Fixtures.slide("test3-DAPI-2-387.ndpi").path, "--out", out.path,
                       "--mpp", "1", "--tile", "128", "--overlap", "16"]
            .map { "'\($0)'" }.joined(separator: " ")
        let run = try ChildProcess.run(script, ["-qec", command, "/dev/null"], environment: TesseraCLI.defaultEnvironment)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        // The terminal turns each "\n" into "\r\n": that carriage return ends the line, it does not rewrite it.
        let lines = run.stdout.replacingOccurrences(of: "\u{1B}[K", with: "").replacingOccurrences(of: "\r\n", with: "\n")
            .components(separatedBy: "\n")
        let visible = lines.map { $0.components(separatedBy: "\r").last ?? "" }
        // The progress line was drawn and log lines were written during the run.
        #expect(run.stdout.contains("tiles/s  ETA"))
        #expect(visible.contains { $0.contains("[TesseraPipeline]") })
        for line in visible where line.contains("tiles/s  ETA") {
            #expect(!line.contains("[Tessera"), "a log line shares the progress line: \(line)")
        }
        for line in visible where line.contains("[Tessera") {
            #expect(!line.contains("ETA"), "the progress line shares a log line: \(line)")
        }
    }
}

/// Exit codes as the README says, and a mistyped path leaves nothing behind (issue 24).
@Suite struct CommandLineMistakesTests {
    @Test func aMissingSlideCreatesNothingAndExits2() throws {
        let out = try Fixtures.temporaryDirectory("mistyped").appendingPathComponent("out")
        let run = try TesseraCLI.run(["run", "/nonexistent/slide-17.svs", "--out", out.path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("/nonexistent/slide-17.svs") && run.stderr.contains("no such file"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func aBadOptionExits2WithUsage() throws {
        let run = try TesseraCLI.run(["run", "--no-such-option"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("Usage: tessera run"), "\(run.stderr)")
        #expect(try TesseraCLI.run(["run", "--help"]).status == 0)
    }
}
