import Foundation
import Logging

/// Runs a pipeline file's job once, as a nightly timer does: takes the output's lock (or stops at once when another
/// run holds it), expands `**` inputs, checks the model is there, hands the run to `BatchRunner` (which skips slides
/// already done under the same model, parameters and pipeline hash), and writes the run report.
public struct PipelineRunner: Sendable {
    public typealias BatchFunction = @Sendable (RunConfiguration, Logger) async throws -> RunSummary

    public let definition: PipelineDefinition
    public let logger: Logger
    private let runBatch: BatchFunction

    /// The real runner.
    public static let batchRunner: BatchFunction = { configuration, logger in
        try await BatchRunner(configuration: configuration, logger: logger).run()
    }

    /// `runBatch` is the batch runner; tests pass another to check locking, reports and exit codes on their own.
    public init(definition: PipelineDefinition, logger: Logger, runBatch: @escaping BatchFunction = PipelineRunner.batchRunner) {
        self.definition = definition
        self.logger = logger
        self.runBatch = runBatch
    }

    /// Runs the pipeline. Never throws: every way it can end is an outcome in the report (and its exit code).
    public func run() async -> PipelineRunReport {
        let startedAt = Date()
        let configuration = definition.configuration
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
            try FileManager.default.createDirectory(atPath: configuration.outputDirectory,
                                                    withIntermediateDirectories: true)
            let lockDirectory = URL(fileURLWithPath: definition.lockPath).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: lockDirectory, withIntermediateDirectories: true)
        } catch {
            return couldNotRun(PipelineError(kind: .outputNotWritable, file: configuration.outputDirectory,
                                             message: "cannot create the output directory (\(error.localizedDescription)); "
                                                 + "check outputs.directory and its permissions"))
        }

        let lock: PipelineLock
        do {
            lock = try PipelineLock.acquire(
                path: definition.lockPath,
                holder: .current(pipeline: definition.name, pipelineFile: definition.file.path, startedAt: startedAt))
        } catch {
            // No report file: another run owns this output right now, and the lock's own message says who.
            return couldNotRun(error)
        }
        defer { lock.release() }
        logger.info("pipeline lock taken", metadata: ["lock.path": "\(definition.lockPath)"])

        var report: PipelineRunReport
        var batchConfiguration = configuration
        do {
            batchConfiguration.inputs = try RecursiveGlob.expand(configuration.inputs)
        } catch {
            report = couldNotRun(error)
            writeReport(&report, logger: logger)
            return report
        }
        if let model = configuration.modelPath, !FileManager.default.fileExists(atPath: model) {
            report = couldNotRun(PipelineError(kind: .modelMissing, file: model,
                                               message: "the model file named by the pipeline's `model` key does not "
                                                   + "exist; fix the path in \(definition.file.path)"))
        } else {
            do {
                let summary = try await runBatch(batchConfiguration, logger)
                report = PipelineRunReport(definition: definition, startedAt: startedAt, finishedAt: Date(),
                                           outcome: PipelineOutcome(summary: summary), error: nil, summary: summary)
            } catch {
                report = couldNotRun(PipelineError(kind: .runnerFailed, file: definition.file.path,
                                                   message: "the run stopped before processing slides: \(error)"))
            }
        }
        writeReport(&report, logger: logger)
        return report
    }

    private func writeReport(_ report: inout PipelineRunReport, logger: Logger) {
        do {
            try report.write(into: definition.reportsDirectory)
            logger.info("pipeline run report written", metadata: ["report.path": "\(report.reportFiles[0])"])
        } catch {
            report.reportFiles = []
            report.reportWriteError = error.description
            logger.info("could not write the run report", metadata: ["error": "\(error)"])
        }
    }
}
