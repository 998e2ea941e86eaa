import Foundation
import Testing
import TesseraPipeline
import TesseraTestSupport

// End-to-end: the built `tessera pipeline ...` binary, its messages and exit statuses.

private let root = Fixtures.repositoryRoot

/// Runs the built binary with its output sent to files, not pipes: nothing here depends on other tasks being
/// scheduled while this thread waits (TesseraTestSupport's pipe readers need free cooperative threads, and on a
/// 2-core machine parallel tests can take them all).
private func tessera(_ arguments: [String], in directory: URL? = nil) throws -> (status: Int32, standardOutput: String,
                                                                                standardError: String) {
    let scratch = try Fixtures.temporaryDirectory("pipeline-cli-output")
    let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    let process = Process()
    process.executableURL = Fixtures.tesseraExecutable
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    return (process.terminationStatus, try String(contentsOf: outURL, encoding: .utf8),
            try String(contentsOf: errURL, encoding: .utf8))
}

@Test func validatePrintsEveryProblemWithFileLineAndKeyPathAndExitsTwo() throws {
    let invalid = "fixtures/pipelines/invalid/numbers-out-of-range.yaml"
    let result = try tessera(["pipeline", "validate", invalid, "pipelines/default.yaml"], in: root)
    #expect(result.status == 2)
    let lines = result.standardError.split(separator: "\n").map(String.init)
    #expect(lines.count == 7)
    #expect(lines.allSatisfy { $0.hasPrefix("\(invalid):") })
    #expect(lines.contains("\(invalid):8: tiling.overlap: must be a multiple of 2 (got 65)"))
    // The valid file in the same call is still reported valid.
    #expect(result.standardOutput.contains("pipelines/default.yaml: valid"))
}

@Test func validateOfValidPipelinesExitsZeroAndPrintsTheirHashes() throws {
    let result = try tessera(["pipeline", "validate", "pipelines/default.yaml", "pipelines/nightly.yaml"], in: root)
    #expect(result.status == 0)
    let nightly = try PipelineDefinition.load(file: root.appendingPathComponent("pipelines/nightly.yaml"))
    #expect(result.standardOutput.contains("pipelines/nightly.yaml: valid (pipeline \"nightly\", hash \(nightly.hash))"))
}

/// A pipeline in a fresh directory writing to `out/` there.
private func temporaryPipeline(_ extra: String = "") throws -> URL {
    let directory = try Fixtures.temporaryDirectory("pipeline-cli")
    let file = directory.appendingPathComponent("job.yaml")
    try """
        version: 1
        name: cli-test
        inputs: [\(Fixtures.slide("small.svs").path)]
        outputs:
          directory: out
        \(extra)
        """.write(to: file, atomically: true, encoding: .utf8)
    return file
}

@Test func runExitsTwoAtOnceNamingTheRunThatHoldsTheLock() throws {
    let file = try temporaryPipeline()
    let pipeline = try PipelineDefinition.load(file: file)
    try FileManager.default.createDirectory(atPath: pipeline.configuration.outputDirectory,
                                            withIntermediateDirectories: true)
    let lock = try PipelineLock.acquire(path: pipeline.lockPath,
                                        holder: .current(pipeline: "holder-of-the-lock", pipelineFile: "/x/holder.yaml"))
    let result = try tessera(["pipeline", "run", file.path])
    #expect(result.status == 2)
    #expect(result.standardError.contains("another Tessera run holds this lock: pid \(getpid()) on "))
    #expect(result.standardError.contains("running pipeline \"holder-of-the-lock\" (/x/holder.yaml)"))
    #expect(!FileManager.default.fileExists(atPath: pipeline.reportsDirectory))
    lock.release()
}

@Test func runWithAMissingModelExitsTwoAndReportsWhy() throws {
    let file = try temporaryPipeline("model: no-such-model.safetensors")
    let pipeline = try PipelineDefinition.load(file: file)
    let result = try tessera(["pipeline", "run", file.path, "--json"])
    #expect(result.status == 2)
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    let report = try decoder.decode(PipelineRunReport.self, from: Data(result.standardOutput.utf8))
    #expect(report.outcome == .couldNotRun)
    #expect(report.pipelineHash == pipeline.hash)
    #expect(report.error?.contains("no-such-model.safetensors") == true)
    #expect(try FileManager.default.contentsOfDirectory(atPath: pipeline.reportsDirectory).count == 2)
}

@Test func runOfAnInvalidPipelineExitsTwoWithItsProblems() throws {
    let file = try temporaryPipeline("concurrency: {threads: 0}")
    let result = try tessera(["pipeline", "run", file.path])
    #expect(result.status == 2)
    #expect(result.standardError.contains("job.yaml:6: concurrency.threads: must be >= 1 (got 0)"))
}
