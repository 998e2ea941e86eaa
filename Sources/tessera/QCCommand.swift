import ArgumentParser
import Foundation
import TesseraPipeline
import TesseraStore

/// `tessera qc`: the slide quality control alone, for screening an archive before analysis.
struct QCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qc",
        abstract: "Slide quality control alone: pen marks, blur, folds and bubble edges, no network.",
        discussion: """
            Finds each slide's tissue and runs the QC checks on a low-resolution image of it (README, "Slide quality \
            control"), as `tessera run` does, but reads and infers no tile. Writes the same records (slide_qc, \
            tile_qc, slide_runs.qc_verdict) into DIR/results.sqlite, under a parameters hash of their own: a later \
            `tessera run` into the same DIR analyses every slide. Prints each slide's verdict and artefact areas.
            Exit status: 0 all slides checked, 1 some slides failed, 2 could not run, 3 interrupted.
            """)

    @Argument(help: "Slide files, directories or glob patterns.")
    var paths: [String]

    @Option(name: .long, help: "Output directory.")
    var out: String

    @Option(name: .customLong("qc-mpp"), help: "Resolution of the QC image in µm/px. Default: 2.")
    var qcMPP: Double?

    @OptionGroup var tiling: TilingOptions

    @Option(name: .customLong("results"), help: "Results database. Default: OUT/results.sqlite.")
    var resultsDatabase: String?

    @Flag(name: .long, help: "Print a JSON summary on standard output.")
    var json = false

    @Flag(name: .long, help: "Log warnings and errors only.")
    var quiet = false

    func validate() throws {
        RunProcess.prepare()
    }

    func run() async throws {
        var settings = RunSettings(inputs: paths, outputDirectory: out)
        tiling.apply(to: &settings)
        settings.qcOnly = true
        settings.qc.enabled = true
        if let qcMPP { settings.qc.micronsPerPixel = qcMPP }
        // No tile is read: no stain estimate, heatmaps, nuclei or precision measurement.
        settings.stain = StainOption.none
        settings.writeHeatmaps = false
        settings.countNuclei = false
        settings.precision = .fp32
        settings.precisionIsAutomatic = false
        if let resultsDatabase { settings.resultsDatabase = resultsDatabase }
        let runner = BatchRunner(settings: settings, logger: RunProcess.logger(level: quiet ? .warning : .info),
                                 engines: BatchRunner.networkEngines(defaultModelOverride: RunProcess.defaultModelOverride))
        let summary: RunSummary
        do {
            summary = try await RunProcess.run(runner, logger: runner.logger) { try await runner.run() }
        } catch {
            RunProcess.printError("tessera qc: \(error)")
            throw ExitCode(RunOutcome.couldNotRun.exitCode)
        }
        if json {
            print(try summary.jsonString())
        } else {
            var lines: [String] = []
            for slide in summary.slides {
                var line = "\(slide.status.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(slide.path)"
                if let qc = slide.areas?.qc {
                    line += "\n            QC \(qc.verdict.uppercased()): \(qc.reason)"
                    for kind in qc.kinds {
                        line += String(format: "\n              %@: %.4f mm² (%.4f mm² in tissue, %.1f%% of it)", kind.kind,
                                       kind.areaMM2, kind.tissueAreaMM2, kind.tissueFraction * 100)
                    }
                }
                if let map = slide.artefacts.first(where: { $0.kind == "qc_mask" }) {
                    line += "\n            QC map: \(map.path)"
                }
                if let error = slide.error { line += "\n            error: \(error)" }
                lines.append(line)
            }
            let checked = summary.slides.compactMap { $0.areas?.qc }
            lines.append("")
            lines.append("\(summary.slides.count) slide\(summary.slides.count == 1 ? "" : "s"): "
                         + "\(checked.filter { $0.verdict == "pass" }.count) pass, "
                         + "\(checked.filter { $0.verdict == "review" }.count) review, "
                         + "\(checked.filter { $0.verdict == "fail" }.count) fail, \(summary.counts.failed) failed to open")
            if let qc = summary.stages.first(where: { $0.stage == "qc" }) {
                lines.append(String(format: "QC %.2f s for %d slides", qc.busySeconds, qc.items))
            }
            print(lines.joined(separator: "\n"))
        }
        throw ExitCode(summary.outcome.exitCode)
    }
}
