import ArgumentParser
import Foundation
import Logging
import TesseraCore
import TesseraNetwork
import TesseraPipeline

/// Exit statuses of `tessera run` (and `tessera pipeline run`), documented in the README.
enum RunExitCode {
    static let allDone: Int32 = 0
    static let someSlidesFailed: Int32 = 1
    static let couldNotRun: Int32 = 2
    static let interrupted: Int32 = 3
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Segment slides: tissue detection, tiled inference, results in SQLite, heatmap TIFFs.",
        discussion: """
            PATH may be slide files, directories (searched recursively for slide extensions) or glob patterns.
            Results go to DIR/results.sqlite and heatmaps to DIR/heatmaps/. Running again skips slides already done
            with the same model and parameters and continues interrupted ones.
            Exit status: 0 all slides done (or already done), 1 some slides failed, 2 could not run, 3 interrupted.
            """)

    @Argument(help: "Slide files, directories or glob patterns.")
    var paths: [String]

    @Option(name: .long, help: "Output directory.")
    var out: String

    @OptionGroup var options: RunOptions

    @Flag(name: .long, help: "Print a JSON summary on standard output.")
    var json = false

    /// Runs before `run`: oneDNN's OpenMP threads must sleep, not spin, while the slide readers share the cores;
    /// and the allocator must give large blocks back, so memory stays flat from slide to slide.
    func validate() throws {
        OpenMPEnvironment.reexecWithPassiveWaitPolicyIfUnset()
        MallocPolicy.useFixedMmapThreshold()
    }

    func run() async throws {
        let configuration = options.configuration(inputs: paths, outputDirectory: out)
        let logger = makeRunLogger(quiet: options.quiet)
        let summary: RunSummary
        do {
            summary = try await BatchRunner(configuration: configuration, logger: logger).run()
        } catch {
            FileHandle.standardError.write(Data("tessera run: \(error)\n".utf8))
            throw ExitCode(RunExitCode.couldNotRun)
        }
        if json {
            print(try summary.jsonString())
        } else {
            print(summary.humanReport(outputDirectory: out))
        }
        throw ExitCode(summary.exitCode)
    }
}

/// The tiling, model and concurrency options shared by `tessera run` and friends.
struct RunOptions: ParsableArguments {
    @Option(name: .long, help: "Model weights (smp safetensors). Default: the bundled demonstration model.")
    var model: String?

    @Option(name: .long, help: "Target resolution in µm/px. Default: the model's (0.5).")
    var mpp: Double?

    @Option(name: .long, help: "Tile edge in pixels at the target resolution, margins included (multiple of 16).")
    var tile: Int?

    @Option(name: .long, help: "Pixels shared by neighbouring tiles (even).")
    var overlap: Int = 64

    @Option(name: .customLong("slide-mpp"), help: "The slides' own resolution in µm/px, for files that do not state it.")
    var slideMPP: Double?

    @Option(name: .customLong("min-tissue"), help: "Skip tiles with less tissue than this fraction of their own window.")
    var minimumTissue: Double = 0.05

    @Option(name: .long, help: "Compute threads for the network.")
    var threads: Int = 2

    @Option(name: .long, help: "Parallel slide readers.")
    var readers: Int = 2

    @Option(name: .long, help: "Tiles per inference batch.")
    var batch: Int = 4

    @Option(name: .customLong("results"), help: "Results database. Default: OUT/results.sqlite.")
    var resultsDatabase: String?

    @Flag(name: .customLong("no-heatmaps"), help: "Do not write heatmap TIFFs.")
    var noHeatmaps = false

    @Option(name: .customLong("heatmap-pixel"), help: "Heatmap pixel edge in model pixels (8 at 0.5 µm/px = 4 µm).")
    var heatmapModelPixels: Double = 8

    @Option(name: .long, help: "Stain normalisation: none, reinhard or macenko. Default: the model's stain_reference method (none when it declares none).")
    var stain: StainOption?

    @Option(name: .customLong("stain-estimate"), help: "Stain statistics per slide (one transform for every tile) or per tile (for comparison).")
    var stainEstimate: StainEstimationMode = .slide

    @Flag(name: .long, help: "Log warnings and errors only.")
    var quiet = false

    func configuration(inputs: [String], outputDirectory: String) -> RunConfiguration {
        var tissue = TissueSettings()
        tissue.minimumTissueFraction = minimumTissue
        return RunConfiguration(inputs: inputs, modelPath: model, outputDirectory: outputDirectory,
                                resultsDatabase: resultsDatabase, writeHeatmaps: !noHeatmaps,
                                heatmapModelPixels: heatmapModelPixels, targetMPP: mpp, tileSize: tile,
                                overlap: overlap, tissue: tissue, slideMPP: slideMPP, threads: threads,
                                readers: readers, batchSize: batch, stain: stain, stainEstimation: stainEstimate)
    }
}

extension StainOption: ExpressibleByArgument {}
extension StainEstimationMode: ExpressibleByArgument {}

/// Log lines go to standard error, so that `--json` output on standard output stays clean.
func makeRunLogger(quiet: Bool) -> Logger {
    var logger = Logger(label: "tessera") { label in StreamLogHandler.standardError(label: label) }
    logger.logLevel = quiet ? .warning : .info
    return logger
}

extension RunSummary {
    var exitCode: Int32 {
        if interrupted { return RunExitCode.interrupted }
        return failedCount > 0 ? RunExitCode.someSlidesFailed : RunExitCode.allDone
    }

    func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func humanReport(outputDirectory: String) -> String {
        var lines: [String] = []
        for slide in slides {
            var line = "\(slide.status.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(slide.path)"
            if slide.status == .done || slide.status == .interrupted {
                line += String(format: "  (%d/%d tiles, %.1f s)", slide.tilesProcessed, slide.tilesPlanned, slide.seconds)
            }
            if let error = slide.error { line += "\n            error: \(error)" }
            if let warning = slide.warning { line += "\n            warning: \(warning)" }
            lines.append(line)
        }
        let seconds = finishedAt.timeIntervalSince(startedAt)
        let tiles = slides.reduce(0) { $0 + $1.tilesProcessed }
        lines.append("")
        lines.append("\(slides.count) slides: \(doneCount) done, \(skippedCount) already done, \(failedCount) failed"
                     + (interrupted ? ", run interrupted" : "")
                     + String(format: "; %d tiles in %.1f s (%.2f tiles/s)", tiles, seconds,
                              seconds > 0 ? Double(tiles) / seconds : 0))
        if !stages.isEmpty {
            lines.append("")
            lines.append("stage     items     busy s   wait-in s  wait-out s")
            for stage in stages {
                lines.append(stage.stage.padding(toLength: 8, withPad: " ", startingAt: 0)
                             + String(format: " %6d %10.2f %11.2f %11.2f", stage.items, stage.busySeconds,
                                      stage.waitingOnInputSeconds, stage.waitingOnOutputSeconds))
            }
        }
        lines.append("")
        lines.append("results:  \(resultsDatabase)")
        lines.append("heatmaps: \(URL(fileURLWithPath: outputDirectory).appendingPathComponent("heatmaps").path)")
        lines.append("try:      tessera query \(resultsDatabase) --named slide-summary")
        return lines.joined(separator: "\n")
    }
}
