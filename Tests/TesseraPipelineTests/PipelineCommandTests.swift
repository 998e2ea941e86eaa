import Foundation
import Testing
import TesseraPipeline
import TesseraTestSupport

// End-to-end: the built `tessera pipeline ...` binary, its messages and exit statuses.

private let root = Fixtures.repositoryRoot

@Test func validatePrintsEveryProblemWithFileLineAndKeyPathAndExitsTwo() throws {
    let invalid = root.appendingPathComponent("fixtures/pipelines/invalid/numbers-out-of-range.yaml").path
    let valid = root.appendingPathComponent("pipelines/default.yaml").path
    let result = try TesseraCLI.run(["pipeline", "validate", invalid, valid])
    #expect(result.status == 2)
    let lines = result.stderr.split(separator: "\n").map(String.init)
    #expect(lines.count == 7)
    #expect(lines.allSatisfy { $0.hasPrefix("\(invalid):") })
    #expect(lines.contains("\(invalid):8: tiling.overlap: must be a multiple of 2 (got 65)"))
    // The valid file in the same call is still reported valid.
    #expect(result.stdout.contains("\(valid): valid"))
}

@Test func validateOfValidPipelinesExitsZeroAndPrintsTheirHashes() throws {
    let nightlyPath = root.appendingPathComponent("pipelines/nightly.yaml").path
    let result = try TesseraCLI.run(["pipeline", "validate", root.appendingPathComponent("pipelines/default.yaml").path,
                                     nightlyPath])
    #expect(result.status == 0)
    let nightly = try PipelineDefinition.load(file: URL(fileURLWithPath: nightlyPath))
    #expect(result.stdout.contains("\(nightlyPath): valid (pipeline \"nightly\", hash \(nightly.hash))"))
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
    try FileManager.default.createDirectory(atPath: pipeline.settings.outputDirectory,
                                            withIntermediateDirectories: true)
    let lock = try OutputLock.acquire(path: pipeline.lockPath,
                                        holder: .current(pipeline: "holder-of-the-lock", pipelineFile: "/x/holder.yaml"))
    let result = try TesseraCLI.run(["pipeline", "run", file.path])
    #expect(result.status == 2)
    #expect(result.stderr.contains("another Tessera run holds this lock: pid \(getpid()) on "))
    #expect(result.stderr.contains("running pipeline \"holder-of-the-lock\" (/x/holder.yaml)"))
    #expect(!FileManager.default.fileExists(atPath: pipeline.reportsDirectory))
    lock.release()
}

@Test func runWithAMissingModelExitsTwoAndReportsWhy() throws {
    let file = try temporaryPipeline("model: no-such-model.safetensors")
    let pipeline = try PipelineDefinition.load(file: file)
    let result = try TesseraCLI.run(["pipeline", "run", file.path, "--json"])
    #expect(result.status == 2)
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    let report = try decoder.decode(PipelineRunReport.self, from: Data(result.stdout.utf8))
    #expect(report.outcome == .couldNotRun)
    #expect(report.pipelineHash == pipeline.hash)
    #expect(report.error?.contains("no-such-model.safetensors") == true)
    #expect(try FileManager.default.contentsOfDirectory(atPath: pipeline.reportsDirectory).count == 2)
}

@Test func runOfAnInvalidPipelineExitsTwoWithItsProblems() throws {
    let file = try temporaryPipeline("concurrency: {threads: 0}")
    let result = try TesseraCLI.run(["pipeline", "run", file.path])
    #expect(result.status == 2)
    #expect(result.stderr.contains("job.yaml:6: concurrency.threads: must be >= 1 (got 0)"))
}
