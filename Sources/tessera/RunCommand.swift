import ArgumentParser
import Foundation
import Logging
import TesseraCore
import TesseraExport
import TesseraNetwork
import TesseraPipeline
import TesseraSlide

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Segment slides: tissue detection, tiled inference, results in SQLite, heatmap TIFFs.",
        discussion: """
            PATH may be slide files, directories (searched recursively for slide files; links to slides and \
            folders are followed) or glob patterns (`**` spans folders; quote them).
            Results go to DIR/results.sqlite and heatmaps to DIR/heatmaps/. Running again skips slides already done \
            with the same model and parameters and continues interrupted ones. Two runs into one DIR never overlap: \
            the second exits at once naming the first (DIR/.tessera.lock, as `tessera pipeline run`).
            Exit status: 0 all slides done (or already done), 1 some slides failed, 2 could not run, 3 interrupted.
            """)

    @Argument(help: "Slide files, directories or glob patterns.")
    var paths: [String]

    @Option(name: .long, help: "Output directory.")
    var out: String

    @OptionGroup var options: RunOptions

    @Flag(name: .long, help: "Print a JSON summary on standard output.")
    var json = false

    /// Runs before `run`: the process settings a run needs (RunProcess).
    func validate() throws {
        RunProcess.prepare()
    }

    func run() async throws {
        var settings = RunSettings(inputs: paths, outputDirectory: out)
        settings.precisionIsAutomatic = true
        options.apply(to: &settings)
        let runner = BatchRunner(settings: settings, logger: RunProcess.logger(level: options.quiet ? .warning : .info),
                                 engines: BatchRunner.networkEngines(defaultModelOverride: RunProcess.defaultModelOverride))
        let summary: RunSummary
        do {
            summary = try await RunProcess.run(runner, logger: runner.logger) { try await runner.run() }
        } catch {
            RunProcess.printError("tessera run: \(error)")
            throw ExitCode(RunOutcome.couldNotRun.exitCode)
        }
        if json {
            print(try summary.jsonString())
        } else {
            print(summary.humanReport(heatmapDirectory: settings.heatmapDirectory
                ?? URL(fileURLWithPath: out).appendingPathComponent("heatmaps").path))
        }
        throw ExitCode(summary.outcome.exitCode)
    }
}

/// The options that decide which tiles a slide gets: shared by `tessera plan` and `tessera run`, so that both plan
/// the same tiles for the same slide and model. Each one left out keeps `RunSettings`' default.
struct TilingOptions: ParsableArguments {
    @Option(name: .long, help: "Model weights (smp safetensors). Default: the bundled demonstration model.")
    var model: String?

    @Option(name: .long, help: "Target resolution in µm/px. Default: the model's (0.5).")
    var mpp: Double?

    @Option(name: .long, help: "Tile edge in pixels at the target resolution, margins included (multiple of 16). Default: the model's (512 when it states none).")
    var tile: Int?

    @Option(name: .long, help: "Pixels shared by neighbouring tiles (even). Default: 64.")
    var overlap: Int?

    @Option(name: .customLong("slide-mpp"), help: "The slides' own resolution in µm/px, for files that do not state it (a file's own resolution wins).")
    var slideMPP: Double?

    @Option(name: .customLong("override-slide-mpp"), help: "Replace the resolution every slide's file states with this (µm/px), e.g. for a scanner known to write a wrong value. Recorded per slide.")
    var overrideSlideMPP: Double?

    @Option(name: .customLong("min-tissue"), help: "Skip tiles with less tissue than this fraction of their own window. Default: 0.05.")
    var minimumTissue: Double?

    @Option(name: .customLong("thumbnail-mpp"), help: "Resolution of the tissue-detection thumbnail in µm/px. Default: 8.")
    var thumbnailMPP: Double?

    @Option(name: .customLong("min-region-mm2"), help: "Tissue regions smaller than this (mm²) are dropped. Default: 0.01.")
    var minimumRegionMM2: Double?

    @Option(name: .customLong("min-saturation"), help: "Floor of the tissue saturation threshold (0-255). Default: 20.")
    var minimumSaturation: UInt8?

    @Option(name: .customLong("min-brightness"), help: "Pixels darker than this (0-255) are never tissue. Default: 30.")
    var minimumBrightness: UInt8?

    func apply(to settings: inout RunSettings) {
        if let model { settings.modelPath = model }
        if let mpp { settings.targetMPP = mpp }
        if let tile { settings.tileSize = tile }
        if let overlap { settings.overlap = overlap }
        if let slideMPP { settings.slideMPP = slideMPP }
        if let overrideSlideMPP { settings.overrideSlideMPP = overrideSlideMPP }
        if let minimumTissue { settings.tissue.minimumTissueFraction = minimumTissue }
        if let thumbnailMPP { settings.tissue.thumbnailMPP = thumbnailMPP }
        if let minimumRegionMM2 { settings.tissue.minimumRegionAreaMM2 = minimumRegionMM2 }
        if let minimumSaturation { settings.tissue.minimumSaturation = minimumSaturation }
        if let minimumBrightness { settings.tissue.minimumBrightness = minimumBrightness }
    }
}

/// `tessera run`'s options: tiling, concurrency and outputs.
struct RunOptions: ParsableArguments {
    @OptionGroup var tiling: TilingOptions

    @Option(name: .long, help: "Compute threads for the network. Default: 2.")
    var threads: Int?

    @Option(name: .long, help: "Parallel slide readers. Default: 2.")
    var readers: Int?

    @Option(name: .long, help: "Tiles per inference batch. Default: 4.")
    var batch: Int?

    @Option(name: .customLong("results"), help: "Results database. Default: OUT/results.sqlite.")
    var resultsDatabase: String?

    @Flag(name: .customLong("no-heatmaps"), help: "Do not write heatmap TIFFs.")
    var noHeatmaps = false

    @Flag(name: .long, help: "Also write each slide's class regions as QuPath GeoJSON into OUT/geojson (see `tessera export geojson`).")
    var geojson = false

    @Option(name: .customLong("heatmap-format"), help: "Heatmap files: tiff (pyramidal TIFF for OpenSlide, vips) or ome-tiff (.ome.tif for QuPath through Bio-Formats: SubIFD pyramid, physical pixel sizes, channel names, class colours). Default: tiff.")
    var heatmapFormat: HeatmapFormat?

    @Option(name: .customLong("heatmap-pixel"), help: "Heatmap pixel edge in model pixels (8 at 0.5 µm/px = 4 µm).")
    var heatmapModelPixels: Double?

    @Option(name: .long, help: "Stain normalisation: none, reinhard or macenko. Default: the model's stain_reference method (none when it declares none).")
    var stain: StainOption?

    @Option(name: .customLong("stain-estimate"), help: "Stain statistics per slide (one transform for every tile) or per tile (for comparison). Default: slide.")
    var stainEstimate: StainEstimationMode?

    @Option(name: .long, help: "The network's arithmetic: fp32, int8 or auto. Default: auto: an int8 file (written by `tessera model quantize`) runs int8; an fp32 model runs int8 only where int8 measured faster on this machine (a few seconds, cached per machine in $XDG_CACHE_HOME/tessera). int8 with an fp32 model quantises it first from tissue tiles of the first slides.")
    var precision: PrecisionOption?

    @Option(name: .customLong("calibration-tiles"), help: "Tiles an fp32 model run at int8 is calibrated on (from the first slides, fixed seed). Default: 64.")
    var calibrationTiles: Int?

    @Option(name: .long, help: "Nuclei as objects: auto, on or off. Default: auto: at the model's own resolution, each nucleus of the model's nucleus class (the bundled model's nuclei) is separated, measured and stored in the results file's nuclei table.")
    var nuclei: NucleiOption?

    @Flag(name: .customLong("refine-nuclei"), help: "Redraw each nucleus from the image's haematoxylin within the model's outline (the model proposes, the image refines): outlines within about 5% of the drawn nuclei's area on the synthetic slide, against about 20% from the probability alone, at about three times the nucleus stage's time (README, \"Nuclei as objects\"). Off by default. At the model's own resolution only.")
    var refineNuclei = false

    @Flag(name: .customLong("no-qc"), help: "Do not run the slide quality control (pen, blur, folds, bubble edges): no verdict, no artefact areas.")
    var noQC = false

    @Flag(name: .customLong("exclude-artefacts"), help: "Report class areas and shares without the tissue the slide QC flagged. Default: flag artefacts but keep them in the figures (the results file holds both).")
    var excludeArtefacts = false

    @Option(name: .customLong("qc-mpp"), help: "Resolution of the QC image in µm/px. Default: 2.")
    var qcMPP: Double?

    @Flag(name: .long, help: "Log warnings and errors only.")
    var quiet = false

    func apply(to settings: inout RunSettings) {
        tiling.apply(to: &settings)
        if let stain { settings.stain = stain }
        if let stainEstimate { settings.stainEstimation = stainEstimate }
        if let precision {
            settings.precision = precision.precision
            settings.precisionIsAutomatic = precision == .auto
        }
        if let calibrationTiles { settings.calibrationTiles = calibrationTiles }
        if let nuclei { settings.countNuclei = nuclei.countNuclei }
        if refineNuclei { settings.nucleusSegmentation.refinesWithHaematoxylin = true }
        if let threads { settings.threads = threads }
        if let readers { settings.readers = readers }
        if let batch { settings.batchSize = batch }
        if let resultsDatabase { settings.resultsDatabase = resultsDatabase }
        if noHeatmaps { settings.writeHeatmaps = false }
        if let heatmapModelPixels { settings.heatmapModelPixels = heatmapModelPixels }
        if let heatmapFormat { settings.heatmapFormat = heatmapFormat }
        if geojson { settings.geojson = GeoJSONExportOptions() }
        if noQC { settings.qc.enabled = false }
        if excludeArtefacts { settings.qc.excludeArtefacts = true }
        if let qcMPP { settings.qc.micronsPerPixel = qcMPP }
    }
}

/// `--nuclei`: auto counts nuclei when the model names a nucleus class.
enum NucleiOption: String, ExpressibleByArgument, CaseIterable {
    case auto, on, off

    var countNuclei: Bool? {
        switch self {
        case .auto: nil
        case .on: true
        case .off: false
        }
    }
}

extension RunSummary {
    func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func humanReport(heatmapDirectory: String) -> String {
        var lines: [String] = []
        if let calibrationReport { lines += [calibrationReport, ""] }
        for slide in slides {
            var line = "\(slide.status.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(slide.path)"
            if slide.status == .done || slide.status == .interrupted {
                line += String(format: "  (%d/%d tiles, %.1f s)", slide.tilesProcessed, slide.tilesPlanned, slide.seconds)
            }
            if let error = slide.error { line += "\n            error: \(error)" }
            if let warning = slide.warning { line += "\n            warning: \(warning)" }
            if let first = slide.duplicateOf { line += "\n            same content as \(first) (analysed there)" }
            if let areas = slide.areas {
                line += String(format: "\n            tissue %.4f mm² of %.4f mm² analysed", areas.tissueMM2 ?? 0,
                               areas.analysedMM2 ?? 0)
                    + (areas.artefactsExcluded ? " (artefact-flagged tissue left out)" : "")
                if let qc = areas.qc {
                    // The slide QC's verdict and the artefact areas it found (slide_qc).
                    let found = qc.kinds.filter { $0.areaMM2 > 0 }
                        .map { String(format: "%@ %.4f mm²", $0.kind, $0.areaMM2) }.joined(separator: ", ")
                    line += "\n            QC \(qc.verdict.uppercased()): \(qc.reason)" + (found.isEmpty ? "" : " [\(found)]")
                }
                for area in areas.classes {
                    // The class inside the tissue and its share of the tissue (slide_class_areas): shares add up to 100%.
                    let inside = area.tissueMM2.map { String(format: "%.4f mm²", $0) } ?? "-"
                    let share = area.fractionOfTissue.map { String(format: " (%.1f%% of tissue)", $0 * 100) } ?? ""
                    line += "\n              \(area.name): \(inside)\(share)"
                }
                if let nuclei = areas.nuclei {
                    // Counted in the tissue (slide_nuclei, slide_nuclei_by_region).
                    line += "\n            nuclei \(nuclei.nuclei)"
                        + (nuclei.perMM2OfTissue.map { String(format: " (%.0f per mm² of tissue)", $0) } ?? "")
                    for region in nuclei.regions where region.nuclei > 0 {
                        line += "\n              in \(region.name): \(region.nuclei)"
                            + (region.perMM2.map { String(format: " (%.0f per mm²)", $0) } ?? "")
                    }
                }
            }
            if slide.needsReview {
                line += "\n            NEEDS REVIEW: " + slide.review.map { "\($0.code.rawValue): \($0.message)" }
                    .joined(separator: "\n                          ")
            }
            if slide.contentChanged {
                line += "\n            content changed since the last analysis: the earlier results of this path are "
                    + "superseded (kept; `tessera prune --superseded` removes their files)"
            }
            lines.append(line)
        }
        let seconds = finishedAt.timeIntervalSince(startedAt)
        let tiles = slides.reduce(0) { $0 + $1.tilesProcessed }
        let counts = counts
        lines.append("")
        let review = slides.filter(\.needsReview).count
        let qcFlagged = slides.filter { ($0.areas?.qc?.verdict ?? "pass") != "pass" }.count
        lines.append("\(counts.slides) slide\(counts.slides == 1 ? "" : "s"): \(counts.done) done, \(counts.skipped) already done, "
                     + "\(counts.failed) failed"
                     + (review > 0 ? ", \(review) need\(review == 1 ? "s" : "") review" : "")
                     + (qcFlagged > 0 ? ", \(qcFlagged) with QC review or fail" : "")
                     + (counts.duplicates > 0 ? ", \(counts.duplicates) duplicates" : "")
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
        if let stopReason {
            lines.append("the run stopped: \(stopReason); run it again once that is fixed: it resumes where it stopped")
        }
        lines.append("")
        if let precision {
            lines.append("precision: \(precision)" + (quantizedModelSHA256.map { " (quantised model sha256 \($0))" } ?? ""))
        }
        lines.append("results:  \(resultsDatabase)")
        lines.append("heatmaps: \(heatmapDirectory)")
        lines.append("try:      tessera query \(resultsDatabase) --named slide-summary")
        return lines.joined(separator: "\n")
    }
}

extension StainOption: ExpressibleByArgument {}
extension HeatmapFormat: ExpressibleByArgument {}
extension StainEstimationMode: ExpressibleByArgument {}

/// `--precision`: a precision, or auto (`RunSettings.precision` nil: `AutomaticPrecision`).
enum PrecisionOption: String, ExpressibleByArgument, CaseIterable {
    case fp32, int8, auto

    var precision: Precision? { self == .auto ? nil : Precision(rawValue: rawValue) }
}
