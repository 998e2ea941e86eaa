import Foundation
import Testing
import TesseraTestSupport

/// `tessera --version`: the version, the commit the binary was built from and its build date, one per line.
@Test func binaryPrintsItsVersionCommitAndBuildDate() throws {
    let output = try TesseraCLI.run(["--version"])
    #expect(output.status == 0)
    let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines.count == 4 && lines[3].isEmpty, "three lines: \(output.stdout)")
    guard lines.count >= 3 else { return }
    #expect(lines[0] == "0.1.0")
    #expect(lines[1].wholeMatch(of: /commit ([0-9a-f]{40}(-dirty)?|unknown \(not built from a git checkout\))/) != nil)
    #expect(lines[2].wholeMatch(of: /built \d{4}-\d{2}-\d{2}/) != nil)
}

/// The commit `--version` prints is the one every run records in its provenance.
@Test func runsRecordTheCommitThatVersionPrints() throws {
    let directory = try Fixtures.temporaryDirectory("version-provenance")
    defer { try? FileManager.default.removeItem(at: directory) }
    let version = try TesseraCLI.run(["--version"])
    let commit = version.stdout.split(separator: "\n").first { $0.hasPrefix("commit ") }.map { String($0.dropFirst(7)) }
    let run = try TesseraCLI.run([
        "run", Fixtures.slide("small.svs").path, "--out", directory.path,
        "--model", Fixtures.referenceModel.path, "--quiet",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let recorded = try TesseraCLI.csv(directory.appendingPathComponent("results.sqlite").path,
                                      "SELECT COALESCE(git_commit, 'NULL') AS c FROM runs")
    let value = recorded.split(whereSeparator: \.isNewline).dropFirst().first.map(String.init)
    if commit?.hasPrefix("unknown") == true {
        #expect(value == "NULL")
    } else {
        #expect(value == commit)
    }
}
