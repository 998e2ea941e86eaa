import Foundation
import Logging
import Testing
@testable import TesseraPipeline
import TesseraTestSupport

/// A pipeline file in a fresh directory, writing into `out/` there.
private func makePipeline(model: String? = nil, extra: String = "") throws -> (PipelineDefinition, URL) {
    let directory = try Fixtures.temporaryDirectory("pipeline-run")
    var text = """
        version: 1
        name: nightly-test
        inputs: [slides]
        outputs:
          directory: out
        """
    if let model { text += "\nmodel: \(model)" }
    text += extra
    let file = directory.appendingPathComponent("job.yaml")
    try text.write(to: file, atomically: true, encoding: .utf8)
    return (try PipelineDefinition.load(file: file), directory)
}

private let logger = Logger(label: "test.pipeline") { _ in SwiftLogNoOpLogHandler() }

/// Records what the pipeline runner handed to the batch runner.
private actor BatchCalls {
    var configurations: [RunSettings] = []
    var lockHolders: [OutputLock.Holder?] = []
    func record(_ configuration: RunSettings, holder: OutputLock.Holder?) {
        configurations.append(configuration)
        lockHolders.append(holder)
    }
}

private func summary(_ outcomes: [SlideOutcome], interrupted: Bool = false) -> RunSummary {
    RunSummary(runUID: "run-1", resultsDatabase: "/x/results.sqlite", startedAt: Date(), finishedAt: Date(),
               interrupted: interrupted, slides: outcomes)
}

private func runner(_ pipeline: PipelineDefinition, calls: BatchCalls, returning result: RunSummary) -> PipelineRunner {
    PipelineRunner(definition: pipeline, logger: logger) { configuration, _ in
        await calls.record(configuration, holder: OutputLock.readHolder(path: pipeline.lockPath))
        return result
    }
}

@Test func allDoneRunExitsZeroHoldsTheLockWhileRunningAndWritesBothReports() async throws {
    let (pipeline, _) = try makePipeline()
    let calls = BatchCalls()
    let report = await runner(pipeline, calls: calls, returning: summary([
        SlideOutcome(path: "/s/a.svs", status: .done, tilesPlanned: 12, tilesProcessed: 12),
        SlideOutcome(path: "/s/b.svs", status: .skipped),
    ])).run()
    #expect(report.outcome == .allDone)
    #expect(report.exitCode == 0)
    #expect(report.counts == PipelineRunReport.Counts(slides: 2, done: 1, skipped: 1, failed: 0, interrupted: 0))

    // The batch runner got the pipeline's configuration, provenance included, while this process held the lock.
    let configurations = await calls.configurations
    #expect(configurations == [pipeline.settings])
    #expect(configurations.first?.pipeline?.hash == pipeline.hash)
    let holder = await calls.lockHolders.first ?? nil
    #expect(holder?.pid == ProcessInfo.processInfo.processIdentifier)
    #expect(holder?.pipeline == "nightly-test")
    #expect(holder?.pipelineFile == pipeline.file.path)

    #expect(report.reportFiles.count == 2)
    let json = try #require(report.reportFiles.first { $0.hasSuffix(".json") })
    #expect(URL(fileURLWithPath: json).deletingLastPathComponent().path == pipeline.reportsDirectory)
    #expect(URL(fileURLWithPath: json).lastPathComponent.hasSuffix("-nightly-test.json"))
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    let stored = try decoder.decode(PipelineRunReport.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
    #expect(stored.outcome == .allDone)
    #expect(stored.pipelineHash == pipeline.hash)
    #expect(stored.summary?.slides.map(\.path) == ["/s/a.svs", "/s/b.svs"])
    let text = try String(contentsOfFile: report.reportFiles[1], encoding: .utf8)
    #expect(text.contains("slides: 2 found, 1 processed, 1 already done, 0 failed"))
    #expect(text.hasSuffix("outcome: all-done (exit 0)\n"))

    // Released afterwards: the next run can take it.
    _ = try OutputLock.acquire(path: pipeline.lockPath, holder: .current(pipeline: "next", pipelineFile: "x"))
}

@Test func failedSlidesExitOneAndAreListedInTheSummary() async throws {
    let (pipeline, _) = try makePipeline()
    let report = await runner(pipeline, calls: BatchCalls(), returning: summary([
        SlideOutcome(path: "/s/a.svs", status: .done),
        SlideOutcome(path: "/s/bad.svs", status: .failed, error: "read_region failed: Bogus marker length"),
    ])).run()
    #expect(report.outcome == .someFailed)
    #expect(report.exitCode == 1)
    #expect(report.humanSummary.contains("FAILED /s/bad.svs: read_region failed: Bogus marker length"))
    #expect(report.humanSummary.contains("1 failed"))
}

@Test func interruptedRunExitsThree() async throws {
    let (pipeline, _) = try makePipeline()
    let report = await runner(pipeline, calls: BatchCalls(), returning: summary([
        SlideOutcome(path: "/s/a.svs", status: .done),
        SlideOutcome(path: "/s/b.svs", status: .interrupted, tilesPlanned: 40, tilesProcessed: 17),
    ], interrupted: true)).run()
    #expect(report.outcome == .interrupted)
    #expect(report.exitCode == 3)
}

@Test func secondRunExitsAtOnceNamingTheHolder() async throws {
    let (pipeline, _) = try makePipeline()
    try FileManager.default.createDirectory(atPath: pipeline.settings.outputDirectory, withIntermediateDirectories: true)
    let started = Date(timeIntervalSince1970: 1_800_000_000)
    let holder = OutputLock.Holder(pid: 4242, host: "slide-server-1", startedAt: started, pipeline: "nightly",
                                     pipelineFile: "/etc/tessera/nightly.yaml")
    let lock = try OutputLock.acquire(path: pipeline.lockPath, holder: holder)
    let calls = BatchCalls()
    let report = await runner(pipeline, calls: calls, returning: summary([])).run()
    #expect(report.outcome == .couldNotRun)
    #expect(report.exitCode == 2)
    let error = try #require(report.error)
    #expect(error.contains("another Tessera run holds this lock"))
    #expect(error.contains("pid 4242 on slide-server-1, running pipeline \"nightly\" (/etc/tessera/nightly.yaml) "
                           + "since 2027-01-15T08:00:00Z"))
    #expect(await calls.configurations.isEmpty)
    #expect(report.reportFiles.isEmpty)
    lock.release()
    // Once the holder lets go, a run goes ahead. A child process that another test is spawning at this moment shares
    // the lock's open file until its exec closes it (O_CLOEXEC), which on a loaded machine can take a while; so a
    // refusal naming the lock is retried for up to 5 s.
    var next = await runner(pipeline, calls: calls, returning: summary([])).run()
    for _ in 0..<250 where next.outcome == .couldNotRun && next.error?.contains("holds this lock") == true {
        try await Task.sleep(for: .milliseconds(20))
        next = await runner(pipeline, calls: calls, returning: summary([])).run()
    }
    #expect(next.outcome == .allDone, "\(next.error ?? "no error")")
    #expect(await calls.configurations.count == 1)
}

@Test func missingModelCannotRunAndSaysWhich() async throws {
    let (pipeline, directory) = try makePipeline(model: "models/absent.safetensors")
    let calls = BatchCalls()
    let report = await runner(pipeline, calls: calls, returning: summary([])).run()
    #expect(report.outcome == .couldNotRun)
    #expect(report.exitCode == 2)
    #expect(report.error?.contains(directory.appendingPathComponent("models/absent.safetensors").standardizedFileURL.path) == true)
    #expect(await calls.configurations.isEmpty)
    #expect(report.reportFiles.count == 2)
}

@Test func runnerErrorCannotRunAndIsReported() async throws {
    let (pipeline, _) = try makePipeline()
    let report = await PipelineRunner(definition: pipeline, logger: logger) { _, _ in
        throw CocoaError(.fileReadNoPermission)
    }.run()
    #expect(report.outcome == .couldNotRun)
    #expect(report.exitCode == 2)
    #expect(report.error?.contains("the run stopped before processing slides") == true)
    let text = try String(contentsOfFile: report.reportFiles[1], encoding: .utf8)
    #expect(text.contains("could not run: "))
}

@Test func reportsOfRunsInTheSameSecondDoNotOverwriteEachOther() async throws {
    let (pipeline, _) = try makePipeline()
    var files: Set<String> = []
    for _ in 0..<3 {
        let report = await runner(pipeline, calls: BatchCalls(), returning: summary([])).run()
        files.formUnion(report.reportFiles)
    }
    let written = try FileManager.default.contentsOfDirectory(atPath: pipeline.reportsDirectory)
    #expect(files.count == 6)
    #expect(written.count == 6)
}

@Test func aMissingInputFolderCannotRunAndNamesIt() async throws {
    let (pipeline, directory) = try makePipeline()
    let text = pipeline.text.replacingOccurrences(of: "inputs: [slides]", with: "inputs: [not-mounted/**/*.svs]")
    let missing = try PipelineDefinition.parse(text: text, file: pipeline.file)
    // The real discovery, as the batch runner does it, with the model and network replaced.
    let report = await PipelineRunner(definition: missing, logger: logger) { settings, _ in
        _ = try SlideDiscovery.slides(in: settings.inputs)
        Issue.record("a missing input folder was accepted")
        return summary([])
    }.run()
    #expect(report.outcome == .couldNotRun)
    #expect(report.error?.contains(directory.appendingPathComponent("not-mounted").standardizedFileURL.path) == true)
    #expect(report.error?.contains("does not exist") == true)
    #expect(report.reportFiles.count == 2)
}

@Test func aReportThatCannotBeWrittenSaysSoAndKeepsTheOutcome() async throws {
    let (pipeline, _) = try makePipeline()
    // A file where the reports folder should be: the folder cannot be made.
    try FileManager.default.createDirectory(atPath: pipeline.settings.outputDirectory, withIntermediateDirectories: true)
    try Data().write(to: URL(fileURLWithPath: pipeline.reportsDirectory))
    let report = await runner(pipeline, calls: BatchCalls(), returning: summary([
        SlideOutcome(path: "/s/a.svs", status: .done),
    ])).run()
    #expect(report.outcome == .allDone)
    #expect(report.reportFiles.isEmpty)
    #expect(report.reportWriteError?.contains(pipeline.reportsDirectory) == true)
}
