import ArgumentParser
import Foundation
import Logging
import TesseraCore
import TesseraExport
import TesseraStore

/// `tessera export geojson RESULTS --out DIR`: results as objects QuPath opens over the slide;
/// `tessera export qupath RESULTS --project DIR`: a QuPath project of the slides with those objects.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export results in other tools' formats.",
        subcommands: [GeoJSONExportCommand.self, QuPathExportCommand.self, NucleiExportCommand.self])
}

extension ExportedObjects: ExpressibleByArgument {}

/// Which slide runs an export writes: `--slide` and `--run` (every export's).
struct SlideRunSelection: ParsableArguments {
    @Option(name: .customLong("slide"), help: ArgumentHelp("Only this slide: its file name, path or fingerprint (repeatable).",
                                                            valueName: "name|fingerprint"))
    var slides: [String] = []

    @Option(name: .customLong("run"), help: ArgumentHelp("Only this run (its run_uid); default: each slide's latest finished run.",
                                                          valueName: "uid"))
    var runUID: String?
}

/// The options both QuPath exports share: which slide runs, which objects, and how they appear in QuPath.
struct GeoJSONOptionGroup: ParsableArguments {
    @OptionGroup var selection: SlideRunSelection

    @Option(help: "What to write: regions, tiles, both, or qc: only the slide QC's artefact regions (for a `tessera qc` run, which has no classes) (default: regions for geojson, both for qupath).")
    var objects: ExportedObjects?

    @Option(help: ArgumentHelp("Classes whose regions are written, comma-separated (default: every class but background).",
                               valueName: "a,b"))
    var classes: String?

    @Option(name: .customLong("min-area-um2"), help: ArgumentHelp("Leave out regions smaller than this many µm² (and count them).",
                                                                   valueName: "A"))
    var minimumArea: Double = 0

    @Option(name: .customLong("simplify-um"), help: ArgumentHelp("Simplify region outlines to within this many µm, keeping them valid (0: exact pixel outlines; default: 0 for geojson, \(QuPathProject.simplifyMicrons) for qupath).",
                                                                  valueName: "S"))
    var simplify: Double?

    @Option(name: .customLong("simplify-detections-um"), help: ArgumentHelp("Simplify detections' outlines (nuclei, and regions written as detections) to within this many µm instead (default: as --simplify-um).",
                                                                             valueName: "S"))
    var simplifyDetections: Double?

    @Flag(help: "Write gzip-compressed .geojson.gz files (QuPath reads them).")
    var gzip = false

    @Flag(help: "One MultiPolygon annotation per class instead of one object per region.")
    var multipolygonPerClass = false

    @Option(name: .customLong("object-type"),
            help: ArgumentHelp("Write this class's regions as QuPath detections (numerous, light) or annotations (few, editable) (repeatable; default: detection for nuclei- and cell-like class names, annotation otherwise).",
                               valueName: "class=detection|annotation"))
    var objectTypes: [String] = []

    @Option(name: .customLong("qupath-class"),
            help: ArgumentHelp("Give this class a QuPath class name, e.g. tumour=Tumor; QuPath's standard classes (Tumor, Stroma, Immune cells, Necrosis, Other, Region*, Ignore*) take QuPath's colour (repeatable; default: the standard class a name means, background=Ignore*).",
                               valueName: "class=name"))
    var qupathClasses: [String] = []

    @Option(name: .customLong("objects-per-file"),
            help: ArgumentHelp("Split each slide's objects into files of at most N objects (<name>.part0001.geojson, …): QuPath's reader holds a whole file's JSON before making objects (default: one file for geojson; 50000 for qupath; 0: one file).",
                               valueName: "N"))
    var objectsPerFile: Int?

    @Flag(name: .customLong("no-nuclei"), help: "Leave out the nuclei (written by default as QuPath detections, one per nucleus, where the run counted them; the nucleus class's regions are then left out unless --classes names it).")
    var noNuclei = false

    @Flag(name: .customLong("no-qc-regions"), help: "Leave out the slide QC's artefact regions (written by default as locked QuPath annotations of class Ignore*: Pen, Ignore*: Blur, Ignore*: Fold, Ignore*: Bubble edge, where the slide run has a QC map).")
    var noQCRegions = false

    @Option(help: ArgumentHelp("A folder the run's heatmaps were moved to, where each recorded file is looked for by its name (default: where the results file records them).",
                               valueName: "dir"))
    var heatmaps: String?

    func validate() throws {
        guard minimumArea >= 0, minimumArea.isFinite else { throw ValidationError("--min-area-um2 must be 0 or more") }
        for (value, name) in [(simplify, "--simplify-um"), (simplifyDetections, "--simplify-detections-um")] {
            if let value, !(value >= 0 && value.isFinite) { throw ValidationError("\(name) must be 0 or more") }
        }
        if let classes, classes.split(separator: ",").isEmpty { throw ValidationError("--classes names no class") }
        _ = try qupathClassMap()
        if let objectsPerFile, objectsPerFile < 0 { throw ValidationError("--objects-per-file must be 0 or more") }
        if objects == .qc && noQCRegions { throw ValidationError("--objects qc writes only the QC regions: not with --no-qc-regions") }
    }

    /// The QuPath class map `--object-type` and `--qupath-class` state.
    func qupathClassMap() throws -> QuPathClassMap {
        var map = QuPathClassMap()
        switch QuPathClassMap.pairs(objectTypes) {
        case .failure(let failure): throw ValidationError("--object-type \(failure.item): write CLASS=detection or CLASS=annotation")
        case .success(let pairs):
            for (name, value) in pairs {
                guard let type = QuPathObjectType(rawValue: value.lowercased()), type != .tile else {
                    throw ValidationError("--object-type \(name)=\(value): the type must be detection or annotation")
                }
                map.objectTypes[name] = type
            }
        }
        switch QuPathClassMap.pairs(qupathClasses) {
        case .failure(let failure): throw ValidationError("--qupath-class \(failure.item): write CLASS=NAME")
        case .success(let pairs): for (name, value) in pairs { map.qupathClasses[name] = value }
        }
        return map
    }

    /// The options stated, over the command's defaults. Without `--simplify-detections-um`, detections take
    /// `--simplify-um` (or its default).
    func exportOptions(defaultObjects: ExportedObjects, defaultObjectsPerFile: Int? = nil,
                       defaultSimplify: Double = 0) throws -> GeoJSONExportOptions {
        let perFile = objectsPerFile ?? defaultObjectsPerFile
        return GeoJSONExportOptions(
            objects: objects ?? defaultObjects,
            classNames: classes.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } },
            minimumAreaMicrons2: minimumArea, simplifyMicrons: simplify ?? defaultSimplify, gzip: gzip,
            multipolygonPerClass: multipolygonPerClass, qupath: try qupathClassMap(),
            objectsPerFile: perFile == 0 ? nil : perFile, nuclei: !noNuclei, qcRegions: !noQCRegions,
            simplifyDetectionsMicrons: simplifyDetections)
    }

    /// The exporter and the slide runs it exports, or a plain error (exit status 2).
    func exporter(results: String, options: GeoJSONExportOptions, outputDirectory: URL,
                  command: String) throws -> (GeoJSONExporter, [StoredSlideRun], OutputLayout) {
        let layout = OutputLayout(resultsFile: results)
        do {
            // A results file of an earlier Tessera gets its files recorded first (they are found from the records).
            ResultsStore.bringUpToDate(layout: layout, logger: Logger(label: "tessera.export") { _ in SwiftLogNoOpLogHandler() })
            let exporter = GeoJSONExporter(reader: try ResultsReader(path: results), layout: layout,
                                           relocatedHeatmaps: heatmaps.map { URL(fileURLWithPath: $0, isDirectory: true) },
                                           options: options)
            let selected = try exporter.selectSlideRuns(slides: selection.slides, run: selection.runUID)
            try GeoJSONExporter.createOutputDirectory(outputDirectory)
            GeoJSONExporter.removeAbandonedTemporaries(in: outputDirectory)
            return (exporter, selected, layout)
        } catch {
            FileHandle.standardError.write(Data("tessera export \(command): \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// Exports each slide run into `directory`; the summaries, and the failures (each printed).
    static func exportAll(_ exporter: GeoJSONExporter, _ selected: [StoredSlideRun], into directory: URL,
                          command: String) -> ([(StoredSlideRun, SlideExportSummary)], [(StoredSlideRun, String)]) {
        var written: [(StoredSlideRun, SlideExportSummary)] = []
        var failures: [(StoredSlideRun, String)] = []
        for slideRun in selected {
            do {
                written.append((slideRun, try exporter.export(slideRun, into: directory)))
            } catch {
                failures.append((slideRun, "\(error)"))
                FileHandle.standardError.write(Data("tessera export \(command): \(slideRun.slidePath): \(error)\n".utf8))
            }
        }
        return (written, failures)
    }
}

struct GeoJSONExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geojson",
        abstract: "Write QuPath GeoJSON: class regions traced from the class maps, and tiles as QuPath tiles.",
        discussion: """
            One file per slide run, <slide file name>.sr<slide run>.geojson (or .geojson.gz), for the latest finished \
            run of each slide (or of --run), traced from the heatmaps the results file records for that slide run. Regions are 4-connected areas of one class in the class-map heatmap, with their holes, in \
            QuPath's frame for the slide (level-0 pixels, less the OpenSlide bounds where the slide states them); nuclei-like \
            classes are detections, others annotations (--object-type); tiles are the analysed tiles' own windows with \
            their class fractions and mean probabilities. Open the files in QuPath by dragging them onto the slide or \
            with File > Import objects, or make a whole project with `tessera export qupath`.
            Exit status: 0 every slide written, 1 some slides failed (the others were written), 2 nothing could be done \
            (unknown slide or run, no class maps, output folder not writable, bad option).
            Example:
              tessera export geojson out/results.sqlite --out out/geojson --objects both --simplify-um 2 --min-area-um2 50
            """)

    @Argument(help: "The results file (results.sqlite).")
    var results: String

    @Option(help: "Folder for the GeoJSON files (created when missing).")
    var out: String

    @OptionGroup var geojson: GeoJSONOptionGroup

    @Flag(help: "Print the summary as JSON on standard output.")
    var json = false

    func run() throws {
        let options = try geojson.exportOptions(defaultObjects: .regions)
        let outputDirectory = URL(fileURLWithPath: out, isDirectory: true)
        let (exporter, selected, layout) = try geojson.exporter(results: results, options: options,
                                                                outputDirectory: outputDirectory, command: "geojson")
        let (written, failures) = GeoJSONOptionGroup.exportAll(exporter, selected, into: outputDirectory, command: "geojson")
        let summaries = written.map(\.1)
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
                for (slideRun, summary) in written {
                    try store.recordArtefacts(summary.files.map { ArtefactFile(kind: .geojson, url: URL(fileURLWithPath: $0)) },
                                              run: nil, slideRun: slideRun.slideRunID, layout: layout)
                }
            } catch {
                let message = "tessera export geojson: warning: the files were written but could not be recorded in "
                    + "the results file: \(error)\n"
                FileHandle.standardError.write(Data(message.utf8))
            }
        }
        if json {
            print(Self.json(summaries, options: options, failures: failures))
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
            let type = summary.objectTypes[figures.name].map { " (\($0.rawValue)s)" } ?? ""
            var line = "  \(figures.name): \(figures.regionsWritten) regions\(type)"
            if options.minimumAreaMicrons2 > 0 {
                line += ", \(figures.regionsDropped) below \(options.minimumAreaMicrons2) µm² left out"
            }
            lines.append(line)
        }
        if options.objects != .regions { lines.append("  tiles: \(summary.tilesWritten)") }
        if summary.nucleiWritten > 0 { lines.append("  nuclei: \(summary.nucleiWritten) detections") }
        if !summary.qc.isEmpty {
            lines.append("  QC: " + summary.qc.map {
                "\($0.kind) \($0.regions) regions (\(String(format: "%.4f", $0.areaMicrons2 / 1e6)) mm²)"
            }.joined(separator: ", "))
        }
        switch summary.frame.source {
        case .openslideBounds:
            lines.append("  coordinates in QuPath's frame: level-0 less the slide's bounds offset "
                         + "(\(summary.frame.offsetX), \(summary.frame.offsetY))")
        case .slideUnreadable: lines.append("  coordinates are level-0 pixels (the slide could not be opened to read its bounds)")
        case .noBounds: break
        }
        let annotationTolerance = options.simplifyMicrons(for: .annotation), detectionTolerance = options.simplifyMicrons(for: .detection)
        if annotationTolerance > 0 || detectionTolerance > 0 {
            lines.append("  outlines simplified to within \(annotationTolerance) µm (annotations), "
                         + "\(detectionTolerance) µm (detections); areas measured as traced")
        }
        if summary.polygonsLeftUnsimplified > 0 {
            lines.append("  \(summary.polygonsLeftUnsimplified) regions with rings kept as traced (simplifying those would make them invalid)")
        }
        if summary.nucleiLeftUnsimplified > 0 {
            lines.append("  \(summary.nucleiLeftUnsimplified) nuclei kept as found (simplifying them would make them invalid)")
        }
        if summary.files.count > 1 { lines.append("  \(summary.files.count) files of at most \(options.objectsPerFile ?? 0) objects") }
        lines.append(String(format: "  %.1f MB in %.2f s", Double(summary.bytes) / 1e6, summary.seconds))
        return lines.joined(separator: "\n")
    }

    static func json(_ summaries: [SlideExportSummary], options: GeoJSONExportOptions,
                     failures: [(StoredSlideRun, String)]) -> String {
        let simplify = ["annotations": options.simplifyMicrons(for: .annotation), "detections": options.simplifyMicrons(for: .detection)]
        let slides: [[String: Any]] = summaries.map { summary in
            ["slide": summary.slidePath, "fingerprint": summary.fingerprint, "run_uid": summary.runUID,
             "file": summary.file, "files": summary.files, "tiles": summary.tilesWritten, "nuclei": summary.nucleiWritten, "bytes": summary.bytes, "seconds": summary.seconds,
             "regions_left_unsimplified": summary.polygonsLeftUnsimplified,
             "nuclei_left_unsimplified": summary.nucleiLeftUnsimplified, "simplify_um": simplify, "warnings": summary.warnings,
             "qupath_frame": ["offset": [summary.frame.offsetX, summary.frame.offsetY], "source": summary.frame.source.rawValue] as [String: Any],
             "object_types": summary.objectTypes.mapValues(\.rawValue),
             "qc": summary.qc.map { ["kind": $0.kind, "regions": $0.regions, "area_um2": $0.areaMicrons2] as [String: Any] },
             "classes": summary.classes.map {
                 ["name": $0.name, "regions_traced": $0.regionsTraced, "regions_written": $0.regionsWritten,
                  "regions_dropped": $0.regionsDropped, "traced_area_px": $0.tracedArea,
                  "holes_filled": $0.holesFilled] as [String: Any]
             }]
        }
        let failed: [[String: Any]] = failures.map { ["slide": $0.0.slidePath, "run_uid": $0.0.runUID, "error": $0.1] }
        let data = (try? JSONSerialization.data(withJSONObject: ["slides": slides, "failed": failed],
                                                options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

struct QuPathExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qupath",
        abstract: "Write a QuPath project of the slides with their objects, classes and colours.",
        discussion: """
            DIR/project.qpproj lists each slide as an image (QuPath's OpenSlide server, the frame Tessera's coordinates \
            are in); DIR/classifiers/classes.json holds the classes in their colours (QuPath's standard classes in \
            QuPath's); DIR/tessera/ holds each slide's GeoJSON (as `tessera export geojson` writes it, with tiles by \
            default); DIR/scripts/Import Tessera objects.groovy imports each image's objects into QuPath's own data: \
            open the project in QuPath 0.5 or later and run the script for the project (Automate > Project scripts), \
            or: QuPath script -p DIR/project.qpproj -s "DIR/scripts/Import Tessera objects.groovy".
            DIR must not hold a project already. Exit status: 0 written, 1 some slides failed (the project lists the \
            others), 2 nothing could be done.
            Example:
              tessera export qupath out/results.sqlite --project out/qupath
            """)

    @Argument(help: "The results file (results.sqlite), or the output folder that holds it.")
    var results: String

    @Option(help: "Folder for the QuPath project (created when missing; must not hold a project).")
    var project: String

    @OptionGroup var geojson: GeoJSONOptionGroup

    func run() throws {
        var resultsFile = results
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: results, isDirectory: &isDirectory), isDirectory.boolValue {
            resultsFile = URL(fileURLWithPath: results, isDirectory: true).appendingPathComponent("results.sqlite").path
        }
        let options = try geojson.exportOptions(defaultObjects: .both, defaultObjectsPerFile: QuPathProject.objectsPerFile,
                                                defaultSimplify: QuPathProject.simplifyMicrons)
        let directory = URL(fileURLWithPath: project, isDirectory: true).standardizedFileURL
        do { try QuPathProject.checkEmpty(directory) } catch {
            FileHandle.standardError.write(Data("tessera export qupath: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let objectsDirectory = directory.appendingPathComponent("tessera", isDirectory: true)
        let (exporter, selected, _) = try geojson.exporter(results: resultsFile, options: options,
                                                           outputDirectory: objectsDirectory, command: "qupath")
        // Each slide's objects in a folder of their own (one file, or parts): the script imports the whole folder.
        var written: [(StoredSlideRun, SlideExportSummary)] = []
        var failures: [(StoredSlideRun, String)] = []
        var folders: [String] = []
        for slideRun in selected {
            do {
                let single = try exporter.outputURL(for: slideRun, in: objectsDirectory).lastPathComponent
                let folder = String(single.dropLast(single.hasSuffix(".gz") ? ".geojson.gz".count : ".geojson".count))
                let url = objectsDirectory.appendingPathComponent(folder, isDirectory: true)
                try GeoJSONExporter.createOutputDirectory(url)
                written.append((slideRun, try exporter.export(slideRun, into: url)))
                folders.append(folder)
            } catch {
                failures.append((slideRun, "\(error)"))
                FileHandle.standardError.write(Data("tessera export qupath: \(slideRun.slidePath): \(error)\n".utf8))
            }
        }
        guard !written.isEmpty else { throw ExitCode(2) }
        var images: [QuPathProject.Image] = []
        var classes: [QuPathFeature.Classification] = []
        for ((slideRun, summary), folder) in zip(written, folders) {
            images.append(QuPathProject.Image(
                slidePath: slideRun.slidePath, name: slideRun.slideFileName, geojson: "tessera/" + folder,
                metadata: [("tessera.run_uid", slideRun.runUID), ("tessera.slide_fingerprint", slideRun.fingerprint)]))
            for info in slideRun.classes {
                let classification = exporter.qupathClassMap(for: slideRun).classification(of: info)
                if !classes.contains(where: { $0.name == classification.name }) { classes.append(classification) }
            }
            // The QC's artefact classes, for the kinds the slide's QC map holds.
            for figures in summary.qc {
                let classification = QuPathClassMap.qcClassification(kind: figures.kind)
                if !classes.contains(where: { $0.name == classification.name }) { classes.append(classification) }
            }
        }
        // QuPath's standard classes stay available beside the run's (a project's list replaces QuPath's defaults).
        for standard in QuPathClassMap.standardClasses where !classes.contains(where: { $0.name == standard.name }) {
            classes.append(.init(name: standard.name, colour: standard.colour))
        }
        do {
            try QuPathProject.write(into: directory, images: images, classes: classes)
        } catch {
            FileHandle.standardError.write(Data("tessera export qupath: \(error)\n".utf8))
            throw ExitCode(2)
        }
        for (_, summary) in written {
            for warning in summary.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
            print(GeoJSONExportCommand.report(summary, options: options))
        }
        print("QuPath project: \(directory.appendingPathComponent("project.qpproj").path) (\(images.count) images); "
              + "import the objects with its script \"\(QuPathProject.scriptName)\"")
        for (slideRun, message) in failures { print("\(slideRun.slidePath): failed: \(message)") }
        if !failures.isEmpty { throw ExitCode(1) }
    }
}

/// `tessera export nuclei RESULTS --csv FILE`: one row per nucleus, for a spreadsheet.
struct NucleiExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nuclei",
        abstract: "Write every nucleus of the results as one CSV row (centroid, size, shape, haematoxylin, region).",
        discussion: """
            The latest finished run of each slide (or of --run, or only --slide), from the results file's nuclei table: \
            slide, run and tile, centroid in level-0 pixels and in µm from the slide's top-left corner, area, perimeter, \
            equivalent diameter, eccentricity, solidity, mean haematoxylin optical density, mean nucleus probability, \
            the class of the tissue around it, and whether it lies in the tissue. A name ending in .gz is gzip-compressed.
            Exit status: 0 written, 2 nothing could be written (unknown slide or run, a run that counted no nuclei, \
            an output that cannot be written).
            Example:
              tessera export nuclei out/results.sqlite --csv out/nuclei.csv
            """)

    @Argument(help: "The results file (results.sqlite).")
    var results: String

    @Option(help: "The CSV file to write (replaced when it exists).")
    var csv: String

    @OptionGroup var selection: SlideRunSelection

    func run() throws {
        do {
            let reader = try ResultsReader(path: results)
            let exporter = GeoJSONExporter(reader: reader, layout: OutputLayout(resultsFile: results), options: .init())
            let selected = try exporter.selectSlideRuns(slides: selection.slides, run: selection.runUID)
            let summary = try NucleusCSV.write(selected, from: reader, to: csv)
            for row in summary.rows { print("\(row.slidePath): \(row.nuclei) nuclei") }
            print(String(format: "%@: %.1f MB", summary.path, Double(summary.bytes) / 1e6))
        } catch {
            FileHandle.standardError.write(Data("tessera export nuclei: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
