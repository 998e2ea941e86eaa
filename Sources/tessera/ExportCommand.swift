import ArgumentParser
import Foundation
import Logging
import TesseraCore
import TesseraExport
import TesseraStore

/// `tessera export geojson RESULTS --out DIR`: results as objects QuPath opens over the slide.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export results in other tools' formats.",
        subcommands: [GeoJSONExportCommand.self])
}

extension ExportedObjects: ExpressibleByArgument {}

struct GeoJSONExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geojson",
        abstract: "Write QuPath GeoJSON: class regions traced from the class maps, and tiles as detections.",
        discussion: """
            One file per slide run, <slide file name>.sr<slide run>.geojson (or .geojson.gz), for the latest finished \
            run of each slide (or of --run), traced from the heatmaps the results file records for that slide run. Regions are 4-connected areas of one class in the class-map heatmap, with their holes, in \
            level-0 pixels of the slide; tiles are the analysed tiles' own windows with their class fractions and mean \
            probabilities. Open the files in QuPath by dragging them onto the slide or with File > Import objects.
            Exit status: 0 every slide written, 1 some slides failed (the others were written), 2 nothing could be done \
            (unknown slide or run, no class maps, output folder not writable, bad option).
            Example:
              tessera export geojson out/results.sqlite --out out/geojson --objects both --simplify-um 2 --min-area-um2 50
            """)

    @Argument(help: "The results file (results.sqlite).")
    var results: String

    @Option(help: "Folder for the GeoJSON files (created when missing).")
    var out: String

    @Option(name: .customLong("slide"), help: ArgumentHelp("Only this slide: its file name, path or fingerprint (repeatable).",
                                                            valueName: "name|fingerprint"))
    var slides: [String] = []

    @Option(name: .customLong("run"), help: ArgumentHelp("Only this run (its run_uid); default: each slide's latest finished run.",
                                                          valueName: "uid"))
    var runUID: String?

    @Option(help: "What to write: regions, tiles or both.")
    var objects: ExportedObjects = .regions

    @Option(help: ArgumentHelp("Classes whose regions are written, comma-separated (default: every class but background).",
                               valueName: "a,b"))
    var classes: String?

    @Option(name: .customLong("min-area-um2"), help: ArgumentHelp("Leave out regions smaller than this many µm² (and count them).",
                                                                   valueName: "A"))
    var minimumArea: Double = 0

    @Option(name: .customLong("simplify-um"), help: ArgumentHelp("Simplify region outlines to within this many µm, keeping them valid (0: exact pixel outlines).",
                                                                  valueName: "S"))
    var simplify: Double = 0

    @Flag(help: "Write gzip-compressed .geojson.gz files (QuPath reads them).")
    var gzip = false

    @Flag(help: "One MultiPolygon feature per class instead of one feature per region.")
    var multipolygonPerClass = false

    @Option(help: ArgumentHelp("A folder the run's heatmaps were moved to, where each recorded file is looked for by its name (default: where the results file records them).",
                               valueName: "dir"))
    var heatmaps: String?

    @Flag(help: "Print the summary as JSON on standard output.")
    var json = false

    func validate() throws {
        guard minimumArea >= 0, minimumArea.isFinite else { throw ValidationError("--min-area-um2 must be 0 or more") }
        guard simplify >= 0, simplify.isFinite else { throw ValidationError("--simplify-um must be 0 or more") }
        if let classes, classes.split(separator: ",").isEmpty { throw ValidationError("--classes names no class") }
    }

    func run() throws {
        let options = GeoJSONExportOptions(
            objects: objects,
            classNames: classes.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } },
            minimumAreaMicrons2: minimumArea, simplifyMicrons: simplify, gzip: gzip,
            multipolygonPerClass: multipolygonPerClass)
        let layout = OutputLayout(resultsFile: results)
        let outputDirectory = URL(fileURLWithPath: out, isDirectory: true)

        let exporter: GeoJSONExporter
        let selected: [StoredSlideRun]
        do {
            // A results file of an earlier Tessera gets its files recorded first (they are found from the records).
            ResultsStore.bringUpToDate(layout: layout, logger: Logger(label: "tessera.export") { _ in SwiftLogNoOpLogHandler() })
            exporter = GeoJSONExporter(reader: try ResultsReader(path: results), layout: layout,
                                       relocatedHeatmaps: heatmaps.map { URL(fileURLWithPath: $0, isDirectory: true) },
                                       options: options)
            selected = try exporter.selectSlideRuns(slides: slides, run: runUID)
            try GeoJSONExporter.createOutputDirectory(outputDirectory)
            GeoJSONExporter.removeAbandonedTemporaries(in: outputDirectory)
        } catch {
            FileHandle.standardError.write(Data("tessera export geojson: \(error)\n".utf8))
            throw ExitCode(2)
        }

        var summaries: [SlideExportSummary] = []
        var failures: [(StoredSlideRun, String)] = []
        for slideRun in selected {
            do {
                summaries.append(try exporter.export(slideRun, into: outputDirectory))
            } catch {
                failures.append((slideRun, "\(error)"))
                FileHandle.standardError.write(Data("tessera export geojson: \(slideRun.slidePath): \(error)\n".utf8))
            }
        }
        // Files written into the results folder are recorded as the slide runs' artefacts: `tessera serve` shows
        // regions only from recorded files. Elsewhere (a folder for another machine) nothing is recorded.
        let inside = OutputLayout.realPath(outputDirectory.path).map { folder in
            OutputLayout.realPath(layout.root.path).map { folder == $0 || folder.hasPrefix($0 + "/") } ?? false
        } ?? false
        if inside, !summaries.isEmpty {
            do {
                let store = try ResultsStore(path: layout.resultsFile.path,
                                             logger: Logger(label: "tessera.export") { _ in SwiftLogNoOpLogHandler() })
                defer { try? store.close() }
                for (summary, slideRun) in zip(summaries, selected.filter { run in !failures.contains { $0.0 == run } }) {
                    try store.recordArtefacts([ArtefactFile(kind: .geojson, url: URL(fileURLWithPath: summary.file))],
                                              run: nil, slideRun: slideRun.slideRunID, layout: layout)
                }
            } catch {
                let message = "tessera export geojson: warning: the files were written but could not be recorded in "
                    + "the results file: \(error)\n"
                FileHandle.standardError.write(Data(message.utf8))
            }
        }
        if json {
            print(Self.json(summaries, failures: failures))
        } else {
            for summary in summaries {
                for warning in summary.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
                print(Self.report(summary, options: options))
            }
            for (slideRun, message) in failures { print("\(slideRun.slidePath): failed: \(message)") }
        }
        if !failures.isEmpty { throw ExitCode(summaries.isEmpty ? 2 : 1) }
    }

    static func report(_ summary: SlideExportSummary, options: GeoJSONExportOptions) -> String {
        var lines = ["\(summary.slidePath) (run \(summary.runUID)): \(summary.file)"]
        for figures in summary.classes {
            var line = "  \(figures.name): \(figures.regionsWritten) regions"
            if options.minimumAreaMicrons2 > 0 {
                line += ", \(figures.regionsDropped) below \(options.minimumAreaMicrons2) µm² left out"
            }
            lines.append(line)
        }
        if options.objects != .regions { lines.append("  tiles: \(summary.tilesWritten)") }
        if summary.polygonsLeftUnsimplified > 0 {
            lines.append("  \(summary.polygonsLeftUnsimplified) regions kept as traced (simplifying them would make them invalid)")
        }
        lines.append(String(format: "  %.1f MB in %.2f s", Double(summary.bytes) / 1e6, summary.seconds))
        return lines.joined(separator: "\n")
    }

    static func json(_ summaries: [SlideExportSummary], failures: [(StoredSlideRun, String)]) -> String {
        let slides: [[String: Any]] = summaries.map { summary in
            ["slide": summary.slidePath, "fingerprint": summary.fingerprint, "run_uid": summary.runUID,
             "file": summary.file, "tiles": summary.tilesWritten, "bytes": summary.bytes, "seconds": summary.seconds,
             "regions_left_unsimplified": summary.polygonsLeftUnsimplified, "warnings": summary.warnings,
             "classes": summary.classes.map {
                 ["name": $0.name, "regions_traced": $0.regionsTraced, "regions_written": $0.regionsWritten,
                  "regions_dropped": $0.regionsDropped, "traced_area_px": $0.tracedArea] as [String: Any]
             }]
        }
        let failed: [[String: Any]] = failures.map { ["slide": $0.0.slidePath, "run_uid": $0.0.runUID, "error": $0.1] }
        let data = (try? JSONSerialization.data(withJSONObject: ["slides": slides, "failed": failed],
                                                options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
