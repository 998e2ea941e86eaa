import Foundation
import Logging
import TesseraStore

/// Runs a pipeline file's job once, as a nightly timer does: takes the output's lock (or stops at once when another
/// run holds it), checks the model is there, hands the run to `BatchRunner` (which finds the slides as
/// `tessera run` does and skips those already done under the same model, parameters and pipeline hash), and writes
/// the run report.
public struct PipelineRunner: Sendable {
    public typealias BatchFunction = @Sendable (RunSettings, Logger) async throws -> RunSummary

    public let definition: PipelineDefinition
    public let logger: Logger
    private let runBatch: BatchFunction

    /// The real runner, under the lock `run()` holds. `register` receives the runner before it starts, so that
    /// the caller can stop it (`requestStop()`) or follow its progress.
    public static func batchRunner(defaultModelOverride: String? = nil,
                                   register: @escaping @Sendable (BatchRunner) -> Void = { _ in }) -> BatchFunction {
        { settings, logger in
            let runner = BatchRunner(settings: settings, logger: logger, locking: .heldByCaller,
                                     engines: BatchRunner.networkEngines(defaultModelOverride: defaultModelOverride))
            register(runner)
            return try await runner.run()
        }
    }

    /// `runBatch` is the batch runner; tests pass another to check locking, reports and exit codes on their own.
    public init(definition: PipelineDefinition, logger: Logger,
                runBatch: @escaping BatchFunction = PipelineRunner.batchRunner()) {
        self.definition = definition
        self.logger = logger
        self.runBatch = runBatch
    }

    /// Runs the pipeline. Never throws: every way it can end is an outcome in the report (and its exit code).
    public func run() async -> PipelineRunReport {
        let startedAt = Date()
        let settings = definition.settings
        var logger = logger
        logger[metadataKey: "pipeline.name"] = "\(definition.name)"
        logger[metadataKey: "pipeline.hash"] = "\(definition.hash.prefix(12))"

        func couldNotRun(_ error: PipelineError) -> PipelineRunReport {
            // Info, not error: the caller gets the error in the report and decides how loudly to say it.
            logger.info("pipeline could not run", metadata: ["error": "\(error)"])
            return PipelineRunReport(definition: definition, startedAt: startedAt, finishedAt: Date(),
                                     outcome: .couldNotRun, error: error.description, summary: nil)
        }

        do {
            try RunError.creatingDirectory(URL(fileURLWithPath: settings.outputDirectory))
            try RunError.creatingDirectory(URL(fileURLWithPath: definition.lockPath).deletingLastPathComponent())
        } catch {
            return couldNotRun(PipelineError(kind: .outputNotWritable, file: settings.outputDirectory,
                                             message: "\(error); check outputs.directory and its permissions"))
        }

        let lock: OutputLock
        do {
            lock = try OutputLock.acquire(
                path: definition.lockPath,
                holder: .current(pipeline: definition.name, pipelineFile: definition.file.path, startedAt: startedAt))
        } catch {
            // No report file: another run owns this output right now, and the lock's own message says who.
            return couldNotRun(error)
        }
        defer { lock.release() }
        logger.info("pipeline lock taken", metadata: ["lock.path": "\(definition.lockPath)"])

        var report: PipelineRunReport
        if let model = settings.modelPath, !FileManager.default.fileExists(atPath: model) {
            report = couldNotRun(PipelineError(kind: .modelMissing, file: model,
                                               message: "the model file named by the pipeline's `model` key does not "
                                                   + "exist; fix the path in \(definition.file.path)"))
        } else {
            do {
                let summary = try await runBatch(settings, logger)
                report = PipelineRunReport(definition: definition, startedAt: startedAt, finishedAt: Date(),
                                           outcome: summary.outcome, error: nil, summary: summary)
            } catch let error as SlideDiscovery.Error where error.kind == .missing {
                report = couldNotRun(PipelineError(kind: .inputMissing, file: error.path,
                                                   message: "\(error.reason); check the pipeline's `inputs` (and "
                                                       + "that the share is mounted)"))
            } catch {
                report = couldNotRun(PipelineError(kind: .runnerFailed, file: definition.file.path,
                                                   message: "the run stopped before processing slides: \(describe(error))"))
            }
        }
        writeReport(&report, logger: logger)
        return report
    }

    /// Records the report files as the run's artefacts in its results file, so that the record of what the run wrote
    /// is whole. A failure loses nothing written (the report is on disk) and is logged.
    private func recordReport(_ report: PipelineRunReport, logger: Logger) {
        guard let summary = report.summary, FileManager.default.fileExists(atPath: summary.resultsDatabase) else { return }
        let layout = OutputLayout(outputDirectory: URL(fileURLWithPath: definition.settings.outputDirectory),
                                  resultsFile: summary.resultsDatabase)
        do {
            let store = try ResultsStore(path: summary.resultsDatabase, logger: logger)
            defer { try? store.close() }
            try store.recordRunArtefacts(report.reportFiles.map { ArtefactFile(kind: .report, url: URL(fileURLWithPath: $0)) },
                                         runUID: summary.runUID, layout: layout)
        } catch {
            logger.warning("could not record the run report in the results file", metadata: ["error": "\(error)"])
        }
    }

    private func writeReport(_ report: inout PipelineRunReport, logger: Logger) {
        do {
            try report.write(into: definition.reportsDirectory)
            logger.info("pipeline run report written", metadata: ["report.path": "\(report.reportFiles[0])"])
            recordReport(report, logger: logger)
        } catch {
            report.reportFiles = []
            report.reportWriteError = error.description
            logger.info("could not write the run report", metadata: ["error": "\(error)"])
        }
    }
}
