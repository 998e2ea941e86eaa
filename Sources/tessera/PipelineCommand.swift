import ArgumentParser
import Foundation
import Logging
import TesseraCore
import TesseraNetwork
import TesseraPipeline

/// `tessera pipeline validate|run`: pipeline files (pipelines/*.yaml). Parses and prints; the work is in
/// TesseraPipeline (PipelineDefinition, PipelineRunner).
struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Check and run pipeline files (pipelines/*.yaml).",
        subcommands: [Validate.self, Run.self]
    )

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check pipeline files against the pipeline schema.",
            discussion: """
                Prints every problem as FILE:LINE: KEY.PATH: message. Exits 0 when every file is valid, \
                2 when any is not (or cannot be read).
                """
        )

        @Argument(help: "Pipeline files (YAML).")
        var files: [String]

        @Flag(help: "Also print each pipeline's normalised content (defaults filled in) as canonical JSON.")
        var normalised = false

        func run() throws {
            var anyInvalid = false
            for file in files {
                do {
                    let definition = try PipelineDefinition.load(file: URL(fileURLWithPath: file))
                    print("\(file): valid (pipeline \"\(definition.name)\", hash \(definition.hash))")
                    if normalised { print(PipelineDefinition.canonicalJSON(definition.normalised)) }
                } catch {
                    anyInvalid = true
                    PipelineCommand.printError(error.description)
                }
            }
            if anyInvalid { throw ExitCode(RunOutcome.couldNotRun.exitCode) }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a pipeline file: only slides not yet done under it, one run at a time.",
            discussion: """
                Takes a lock on the output (a second run exits at once naming the holder), processes slides that \
                are new, changed or not yet done under this pipeline's hash, and writes a run report to \
                <output>/reports/<timestamp>-<name>.json and .txt.
                Exit codes: 0 every slide done (or already done), 1 some slides failed, 2 could not run \
                (invalid pipeline, lock held, model missing, output not writable), 3 interrupted by a signal.
                """
        )

        @Argument(help: "The pipeline file (YAML).")
        var file: String

        @Flag(help: "Print the run report as JSON on standard output instead of the short summary.")
        var json = false

        @Option(help: "Log level on standard error: trace, debug, info, notice, warning, error, critical.")
        var logLevel: String = "info"

        func validate() throws {
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("unknown log level \"\(logLevel)\"; use one of "
                                      + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
            }
            RunProcess.prepare()
        }

        func run() async throws {
            let definition: PipelineDefinition
            do {
                definition = try PipelineDefinition.load(file: URL(fileURLWithPath: file))
            } catch {
                PipelineCommand.printError(error.description)
                throw ExitCode(RunOutcome.couldNotRun.exitCode)
            }
            let logger = RunProcess.logger(label: "tessera.pipeline", level: Logger.Level(rawValue: logLevel) ?? .info)
            // Signals stop the batch runner the pipeline runner makes, once it has made it.
            let target = LateStopTarget()
            let runner = PipelineRunner(definition: definition, logger: logger,
                                        runBatch: PipelineRunner.batchRunner(defaultModelOverride: RunProcess.defaultModelOverride) { batch in
                                            target.register(batch)
                                            if isatty(STDERR_FILENO) == 1 {
                                                Task { await ProgressLine.draw(batch.progress.updates) }
                                            }
                                        })
            let report = try await RunProcess.run(progress: nil, logger: logger, stop: target.requestStop) {
                await runner.run()
            }
            if let error = report.error { PipelineCommand.printError(error) }
            if let error = report.reportWriteError { PipelineCommand.printError("the run report was not written: \(error)") }
            if json {
                let encoder = JSONEncoder()
                encoder.dateEncodingStrategy = .iso8601
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(report.humanSummary, terminator: "")
                if !report.reportFiles.isEmpty { print("report: \(report.reportFiles.joined(separator: ", "))") }
            }
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }
    }

    /// Messages for people go to standard error; standard output carries results (and the JSON report).
    static func printError(_ message: String) { RunProcess.printError(message) }
}
