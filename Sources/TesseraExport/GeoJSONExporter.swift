import Foundation
import TesseraCore
import TesseraHeatmap
import TesseraSlide
import TesseraStore
#if canImport(Glibc)
import Glibc
#endif

/// Which objects an export writes.
public enum ExportedObjects: String, Sendable, CaseIterable, Codable {
    case regions
    case tiles
    case both
    /// Only the slide QC's artefact regions: what screening an archive with `tessera qc` (which has no class
    /// predictions) gives QuPath.
    case qc

    var regions: Bool { self == .regions || self == .both }
    var tiles: Bool { self == .tiles || self == .both }
}

/// How a slide's results become QuPath objects.
public struct GeoJSONExportOptions: Sendable, Equatable, Codable {
    public var objects: ExportedObjects
    /// Class names to write regions of; nil: every class except those named "background".
    public var classNames: [String]?
    /// Regions smaller than this (µm², measured as traced) are left out and counted.
    public var minimumAreaMicrons2: Double
    /// Douglas-Peucker tolerance in µm; 0 writes the regions exactly as traced (pixel staircases).
    public var simplifyMicrons: Double
    /// The tolerance for detections' outlines (the nuclei, and regions of classes written as detections), which are a
    /// few µm across and want a finer one than compartments; nil: `simplifyMicrons`.
    public var simplifyDetectionsMicrons: Double?
    public var gzip: Bool
    /// One MultiPolygon feature per class instead of one Polygon feature per region.
    public var multipolygonPerClass: Bool
    /// At most this many objects per file (`<name>.part0001.geojson`, …), so QuPath's reader, which parses a whole
    /// file into one JSON tree before making objects, never holds more than that many objects' tree; nil: one file.
    public var objectsPerFile: Int?
    /// Each class's object type and QuPath class (`QuPathClassMap`: stated ones, then the defaults).
    public var qupath: QuPathClassMap
    /// Each nucleus of a run that counted them as a QuPath detection (classified by the tissue around it); the
    /// nucleus class's regions are then left out unless `classNames` names it (they are the same nuclei, merged).
    public var nuclei: Bool
    /// The slide QC's artefact regions as locked `Ignore*: <Kind>` annotations, where the slide run has a QC map
    /// (`--no-qc-regions` leaves them out).
    public var qcRegions: Bool

    public init(objects: ExportedObjects = .regions, classNames: [String]? = nil, minimumAreaMicrons2: Double = 0,
                simplifyMicrons: Double = 0, gzip: Bool = false, multipolygonPerClass: Bool = false,
                qupath: QuPathClassMap = QuPathClassMap(), objectsPerFile: Int? = nil, nuclei: Bool = true,
                qcRegions: Bool = true, simplifyDetectionsMicrons: Double? = nil) {
        self.objects = objects
        self.simplifyDetectionsMicrons = simplifyDetectionsMicrons
        self.nuclei = nuclei
        self.qcRegions = qcRegions
        self.classNames = classNames
        self.minimumAreaMicrons2 = minimumAreaMicrons2
        self.simplifyMicrons = simplifyMicrons
        self.gzip = gzip
        self.multipolygonPerClass = multipolygonPerClass
        self.qupath = qupath
        self.objectsPerFile = objectsPerFile
    }

    private enum CodingKeys: String, CodingKey {
        case objects, classNames, minimumAreaMicrons2, simplifyMicrons, gzip, multipolygonPerClass, objectTypes, qupathClasses
        case objectsPerFile, nuclei, qcRegions, simplifyDetectionsMicrons
    }

    // Settings written before the QuPath class map was added decode with its defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(objects: try container.decode(ExportedObjects.self, forKey: .objects),
                  classNames: try container.decodeIfPresent([String].self, forKey: .classNames),
                  minimumAreaMicrons2: try container.decode(Double.self, forKey: .minimumAreaMicrons2),
                  simplifyMicrons: try container.decode(Double.self, forKey: .simplifyMicrons),
                  gzip: try container.decode(Bool.self, forKey: .gzip),
                  multipolygonPerClass: try container.decode(Bool.self, forKey: .multipolygonPerClass),
                  qupath: QuPathClassMap(
                    objectTypes: try container.decodeIfPresent([String: QuPathObjectType].self, forKey: .objectTypes) ?? [:],
                    qupathClasses: try container.decodeIfPresent([String: String].self, forKey: .qupathClasses) ?? [:]),
                  objectsPerFile: try container.decodeIfPresent(Int.self, forKey: .objectsPerFile),
                  nuclei: try container.decodeIfPresent(Bool.self, forKey: .nuclei) ?? true,
                  qcRegions: try container.decodeIfPresent(Bool.self, forKey: .qcRegions) ?? true,
                  simplifyDetectionsMicrons: try container.decodeIfPresent(Double.self, forKey: .simplifyDetectionsMicrons))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(objects, forKey: .objects)
        try container.encodeIfPresent(classNames, forKey: .classNames)
        try container.encode(minimumAreaMicrons2, forKey: .minimumAreaMicrons2)
        try container.encode(simplifyMicrons, forKey: .simplifyMicrons)
        try container.encode(gzip, forKey: .gzip)
        try container.encode(multipolygonPerClass, forKey: .multipolygonPerClass)
        if !qupath.objectTypes.isEmpty { try container.encode(qupath.objectTypes, forKey: .objectTypes) }
        if !qupath.qupathClasses.isEmpty { try container.encode(qupath.qupathClasses, forKey: .qupathClasses) }
        try container.encodeIfPresent(objectsPerFile, forKey: .objectsPerFile)
        if !nuclei { try container.encode(nuclei, forKey: .nuclei) }
        if !qcRegions { try container.encode(qcRegions, forKey: .qcRegions) }
        try container.encodeIfPresent(simplifyDetectionsMicrons, forKey: .simplifyDetectionsMicrons)
    }

    /// The tolerance, in µm, that outlines of objects of `type` are simplified to.
    public func simplifyMicrons(for type: QuPathObjectType) -> Double {
        type == .detection ? simplifyDetectionsMicrons ?? simplifyMicrons : simplifyMicrons
    }
}

/// What one slide's export wrote.
public struct SlideExportSummary: Sendable, Equatable {
    public struct ClassFigures: Sendable, Equatable {
        public var name: String
        /// Regions traced, before the minimum-area filter.
        public var regionsTraced = 0
        public var regionsWritten = 0
        /// Regions below the minimum area, left out.
        public var regionsDropped = 0
        /// Level-0 pixels² of all regions as traced (cut at the slide's edge), before filtering and simplification.
        public var tracedArea = 0.0
        /// Holes filled because one nucleus-like region filled each (`EnclosedHoleFiller`).
        public var holesFilled = 0
    }

    public var slidePath: String
    public var fingerprint: String
    public var runUID: String
    /// The first (or only) file; `files` lists every part when the objects were split.
    public var file: String
    public var files: [String] = []
    public var classes: [ClassFigures]
    public var tilesWritten = 0
    public var nucleiWritten = 0
    /// The QC map's regions written, per kind in the map's order (empty: no QC map, or left out).
    public struct QCFigures: Sendable, Equatable {
        public var kind: String
        public var regions = 0
        /// The traced area, µm².
        public var areaMicrons2 = 0.0
    }
    public var qc: [QCFigures] = []
    /// The frame the coordinates are in (QuPath's for this slide), and regions written per object type.
    public var frame = QuPathFrame(source: .noBounds)
    public var objectTypes: [String: QuPathObjectType] = [:]
    /// Polygons written with some or all of their rings as traced because simplifying those would have made them
    /// invalid.
    public var polygonsLeftUnsimplified = 0
    /// Nuclei written with their outline as found because simplifying it would have made it invalid.
    public var nucleiLeftUnsimplified = 0
    public var bytes = 0
    public var seconds = 0.0
    /// Things the user should know that did not stop the export (a missing probability map).
    public var warnings: [String] = []
}

/// Writes QuPath GeoJSON for the slides of a results file: class regions traced from the class-map heatmap, band by
/// band, and tiles as detections with their measurements.
///
/// Blocking (SQLite, libtiff, file writes): call it from a thread of its own, not from the cooperative pool.
public struct GeoJSONExporter {
    public let reader: ResultsReader
    /// The results folder: recorded artefact paths are relative to its results file.
    public let layout: OutputLayout
    /// A folder the heatmaps were moved to, where each recorded file is looked for by its name; nil: where recorded.
    public let relocatedHeatmaps: URL?
    public let options: GeoJSONExportOptions

    public init(reader: ResultsReader, layout: OutputLayout, relocatedHeatmaps: URL? = nil,
                options: GeoJSONExportOptions) {
        self.reader = reader
        self.layout = layout
        self.relocatedHeatmaps = relocatedHeatmaps
        self.options = options
    }

    /// The heatmap files a slide run's regions are traced from: its model-resolution class map where it has one
    /// (so that the regions' areas are the tile table's), else the class map (results written before it existed).
    public struct SlideRunHeatmaps: Sendable, Equatable {
        public var classMap: URL
        /// One per class of the run, in class order (a missing one is reported, not fatal). Their grid may be
        /// coarser than the traced map's: a region's mean probability is then read at each pixel's centre.
        public var probabilities: [URL?]
        /// The traced map's SHA-256 as recorded, checked before it is traced; nil for files just written.
        public var classMapSHA256: String?
        /// The class map at the model's resolution; traced instead of `classMap` when present.
        public var modelClassMap: URL?

        public init(classMap: URL, probabilities: [URL?], classMapSHA256: String? = nil, modelClassMap: URL? = nil) {
            self.classMap = classMap
            self.probabilities = probabilities
            self.classMapSHA256 = classMapSHA256
            self.modelClassMap = modelClassMap
        }

        /// The map regions are traced from.
        public var traced: URL { modelClassMap ?? classMap }
    }

    /// The heatmaps the results file records for `slideRun`: never found by name, so a later run's files (a rescan,
    /// other settings) are never traced for this one.
    public func recordedHeatmaps(_ slideRun: StoredSlideRun) throws -> SlideRunHeatmaps {
        let artefacts = try reader.artefacts(of: slideRun.slideRunID)
        func file(_ artefact: Artefact) -> URL {
            let recorded = layout.resolve(artefact.path)
            return relocatedHeatmaps.map { $0.appendingPathComponent(recorded.lastPathComponent) } ?? recorded
        }
        let model = artefacts.first { $0.kind == .modelClassMap && $0.removedAt == nil }
        guard let classMap = artefacts.first(where: { $0.kind == .classMap }) else {
            throw ExportError(.invalidInput, "the results file records no class map for this slide run (\(slideRun.slideRunID) "
                              + "of run \(slideRun.runUID)): was the run made with --no-heatmaps?", path: slideRun.slidePath)
        }
        if let removed = classMap.removedAt {
            throw ExportError(.invalidInput, "the class map of this slide run was removed by `tessera prune` at \(removed)",
                              path: slideRun.slidePath)
        }
        let probabilities = slideRun.classes.map { info in
            artefacts.first { $0.kind == .probability && $0.classIndex == info.index && $0.removedAt == nil }.map(file)
        }
        return SlideRunHeatmaps(classMap: file(classMap), probabilities: probabilities,
                                classMapSHA256: model?.sha256 ?? classMap.sha256, modelClassMap: model.map(file))
    }

    /// The slide runs to export: the latest finished run of each slide, narrowed to `run` (a run UID) and `slides`
    /// (file names, paths or fingerprints).
    public func selectSlideRuns(slides: [String], run: String?) throws -> [StoredSlideRun] {
        let all = try reader.slideRuns()
        var candidates = all
        if let run {
            candidates = candidates.filter { $0.runUID == run.lowercased() }
            if candidates.isEmpty {
                let known = Array(Set(all.map(\.runUID))).sorted()
                throw ExportError(.invalidInput, "no run \(run) in the results file; its runs are: "
                                  + (known.isEmpty ? "none" : known.joined(separator: ", ")), path: reader.path)
            }
        }
        if !slides.isEmpty {
            for slide in slides where !candidates.contains(where: { matches($0, slide) }) {
                let known = Array(Set(candidates.map(\.slideFileName))).sorted()
                throw ExportError(.invalidInput, "no slide \(slide) in the results file" + (run.map { " for run \($0)" } ?? "")
                                  + " (give a file name, path or fingerprint); its slides are: "
                                  + (known.isEmpty ? "none" : known.joined(separator: ", ")), path: reader.path)
            }
            candidates = candidates.filter { candidate in slides.contains { matches(candidate, $0) } }
        }
        let done = candidates.filter { $0.status == "done" }
        guard !done.isEmpty else {
            throw ExportError(.invalidInput, "no finished slide to export: the slides selected have status "
                              + Array(Set(candidates.map(\.status))).sorted().joined(separator: ", ")
                              + (candidates.isEmpty ? "(none)" : ""), path: reader.path)
        }
        // The latest finished run of each slide (slide runs come oldest run first).
        var latest: [String: StoredSlideRun] = [:]
        var order: [String] = []
        for slideRun in done {
            if latest[slideRun.fingerprint] == nil { order.append(slideRun.fingerprint) }
            latest[slideRun.fingerprint] = slideRun
        }
        let chosen = order.map { latest[$0]! }
        return chosen
    }

    private func matches(_ slideRun: StoredSlideRun, _ slide: String) -> Bool {
        slideRun.fingerprint == slide || slideRun.slideFileName == slide || slideRun.slidePath == slide
    }

    /// Removes what killed exports left in `directory` (their temporaries, when their process is gone); the names
    /// removed.
    @discardableResult
    public static func removeAbandonedTemporaries(in directory: URL) -> [String] {
        AtomicOutputFile.removeAbandoned(in: directory)
    }

    /// Creates the output folder (and its parents), or says in plain words why it cannot be written.
    public static func createOutputDirectory(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ExportError(.cannotWrite, "cannot use the output folder: a file of that name is in the way", path: url.path)
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            throw ExportError(.cannotWrite, "cannot create the output folder: "
                              + (underlying?.localizedDescription ?? error.localizedDescription), path: url.path)
        }
        guard access(url.path, W_OK | X_OK) == 0 else {
            throw ExportError(.cannotWrite, "the output folder is not writable: \(String(cString: strerror(errno)))",
                              path: url.path)
        }
    }

    /// The file an export of `slideRun` writes in `directory`: named like the slide run's heatmaps (`OutputLayout`),
    /// so two slide runs never share a file.
    public func outputURL(for slideRun: StoredSlideRun, in directory: URL) throws -> URL {
        layout.slideRunFiles(outputStem: try reader.outputStem(for: slideRun), slideRun: slideRun.slideRunID,
                             classNames: []).geojson(gzip: options.gzip, in: directory)
    }

    /// The classes whose regions are written, by index.
    func exportedClasses(_ slideRun: StoredSlideRun) throws -> [ClassInfo] {
        guard let names = options.classNames else {
            let nucleusClass = writesNuclei(slideRun) ? slideRun.nucleusClassIndex : nil
            return slideRun.classes.filter { $0.name.lowercased() != "background" && $0.index != nucleusClass }
        }
        return try names.map { name in
            guard let info = slideRun.classes.first(where: { $0.name == name }) else {
                throw ExportError(.invalidInput, "the run's model has no class \(name); its classes are: "
                                  + slideRun.classes.map(\.name).joined(separator: ", "), path: reader.path)
            }
            return info
        }
    }

    /// Writes `<slide file name>.sr<N>.geojson` (or `.geojson.gz`) for one slide run into `directory`, which must
    /// exist, from the heatmaps the results file records for it.
    public func export(_ slideRun: StoredSlideRun, into directory: URL) throws -> SlideExportSummary {
        let heatmaps = options.objects.regions ? try recordedHeatmaps(slideRun) : nil
        let qcMask = options.qcRegions || options.objects == .qc ? try recordedQCMask(slideRun) : nil
        if options.objects == .qc && qcMask == nil {
            throw ExportError(.invalidInput, "the results file records no QC map for this slide run (\(slideRun.slideRunID) "
                              + "of run \(slideRun.runUID)): was it made with --no-qc?", path: slideRun.slidePath)
        }
        return try export(slideRun, heatmaps: heatmaps, modelSHA256: slideRun.modelSHA256,
                          to: try outputURL(for: slideRun, in: directory), qcMask: qcMask)
    }

    /// Writes one slide run's GeoJSON to `url` (whose folder must exist), tracing regions from `heatmaps` and, when
    /// `options.qcRegions`, the QC's artefacts from `qcMask`.
    public func export(_ slideRun: StoredSlideRun, heatmaps: SlideRunHeatmaps?, modelSHA256: String,
                       to url: URL, qcMask: URL? = nil) throws -> SlideExportSummary {
        // The model's QuPath metadata, as the run recorded it, under what the options state.
        let qupath = qupathClassMap(for: slideRun)
        if qupath != options.qupath {
            var perRun = options
            perRun.qupath = qupath
            return try GeoJSONExporter(reader: reader, layout: layout, relocatedHeatmaps: relocatedHeatmaps, options: perRun)
                .export(slideRun, heatmaps: heatmaps, modelSHA256: modelSHA256, to: url, qcMask: qcMask)
        }
        let directory = url.deletingLastPathComponent()
        let started = ContinuousClock.now
        guard let mppX = slideRun.mppX, let mppY = slideRun.mppY, mppX > 0, mppY > 0 else {
            throw ExportError(.invalidInput, "the run recorded no resolution for this slide", path: slideRun.slidePath)
        }
        let classes = options.objects.regions ? try exportedClasses(slideRun) : []
        let known = Set(slideRun.classes.map(\.name))
        for name in Set(options.qupath.objectTypes.keys).union(options.qupath.qupathClasses.keys) where !known.contains(name) {
            throw ExportError(.invalidInput, "the run's model has no class \(name) (named by --object-type or --qupath-class); "
                              + "its classes are: " + slideRun.classes.map(\.name).joined(separator: ", "), path: reader.path)
        }
        var summary = SlideExportSummary(slidePath: slideRun.slidePath, fingerprint: slideRun.fingerprint,
                                         runUID: slideRun.runUID, file: url.path,
                                         classes: classes.map { SlideExportSummary.ClassFigures(name: $0.name) })
        // Open the heatmaps before creating the output, so a missing class map leaves no file behind.
        let maps = try heatmaps.map { try openHeatmaps(slideRun, heatmaps: $0, classes: classes, summary: &summary) }
        let frame = Self.qupathFrame(slidePath: slideRun.slidePath)
        summary.frame = frame
        if frame.source == .slideUnreadable {
            summary.warnings.append("the slide could not be opened to read its bounds: coordinates are level-0 pixels, "
                                    + "which QuPath shifts for a slide that states openslide.bounds-x/-y (MIRAX, Leica)")
        }
        for info in classes { summary.objectTypes[info.name] = options.multipolygonPerClass ? .annotation : options.qupath.objectType(of: info.name) }

        let header = #"{"type":"FeatureCollection","tessera":{"slide":\#(JSONText.quoted(slideRun.slidePath)),"#
            + #""fingerprint":\#(JSONText.quoted(slideRun.fingerprint)),"run_uid":\#(JSONText.quoted(slideRun.runUID)),"#
            + #""slide_run_id":\#(slideRun.slideRunID.rawValue),"model_sha256":\#(JSONText.quoted(modelSHA256)),"#
            + #""mpp":[\#(JSONNumber.text(mppX)),\#(JSONNumber.text(mppY))],\#(frame.json),"#
            + #""simplify_um":{"annotations":\#(JSONNumber.text(options.simplifyMicrons(for: .annotation))),"#
            + #""detections":\#(JSONNumber.text(options.simplifyMicrons(for: .detection)))}},"features":["# + "\n"
        let gzip = options.gzip
        var writer = try FeatureStream(header: header, limit: options.objectsPerFile) { part in
            try AtomicOutputFile(path: Self.partURL(url, part: part, of: options.objectsPerFile).path, gzip: gzip)
        }
        if let maps {
            try writeRegions(slideRun, classes: classes, maps: maps, mpp: (mppX, mppY), frame: frame, writer: &writer,
                             directory: directory, summary: &summary)
        }
        if options.qcRegions || options.objects == .qc, let qcMask {
            try writeQCRegions(slideRun, qcMask: qcMask, mpp: (mppX, mppY), frame: frame, writer: &writer,
                               summary: &summary)
        }
        if options.objects.tiles {
            try writeTiles(slideRun, frame: frame, writer: &writer, summary: &summary)
        }
        if writesNuclei(slideRun) {
            try writeNuclei(slideRun, frame: frame, writer: &writer, summary: &summary)
        }
        let outputs = try writer.finish()
        summary.files = outputs.map(\.finalPath)
        summary.file = summary.files[0]
        summary.bytes = outputs.reduce(0) { $0 + $1.bytesWritten }
        let elapsed = ContinuousClock.now - started
        summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return summary
    }

    /// The QuPath class map for `slideRun`: the options' choices over those the run recorded from its model's
    /// metadata.
    public func qupathClassMap(for slideRun: StoredSlideRun) -> QuPathClassMap {
        options.qupath.overriding(QuPathClassMap.recorded(inRunParameters: slideRun.parametersJSON))
    }

    /// Part `part` (from 0) of a slide's objects written `limit` to a file: `url` itself when there is no limit,
    /// `<name>.part<k>.geojson` (k from 1, four digits) beside it otherwise.
    static func partURL(_ url: URL, part: Int, of limit: Int?) -> URL {
        guard limit != nil else { return url }
        let name = url.lastPathComponent
        let suffix = [".geojson.gz", ".geojson"].first { name.hasSuffix($0) } ?? ""
        let stem = String(name.dropLast(suffix.count))
        return url.deletingLastPathComponent().appendingPathComponent(stem + String(format: ".part%04d", part + 1) + suffix)
    }

    /// QuPath's frame for the slide at `slidePath` (its OpenSlide bounds), read with OpenSlide; level-0 pixels,
    /// marked as such, when the slide cannot be opened (results moved to a machine without the slides).
    public static func qupathFrame(slidePath: String) -> QuPathFrame {
        guard let slide = try? Slide(contentsOf: URL(fileURLWithPath: slidePath)) else {
            return QuPathFrame(source: .slideUnreadable)
        }
        return QuPathFrame(openSlideProperties: slide.properties)
    }

    // MARK: Heatmaps

    struct OpenHeatmaps {
        /// The map regions are traced from.
        var classMap: HeatmapFileReader
        /// Per exported class, its probability map when present.
        var probabilities: [HeatmapFileReader?]
        var grid: HeatmapGrid
    }

    private func openHeatmaps(_ slideRun: StoredSlideRun, heatmaps: SlideRunHeatmaps, classes: [ClassInfo],
                              summary: inout SlideExportSummary) throws -> OpenHeatmaps {
        let classNames = slideRun.classes.map(\.name)
        let classMapURL = heatmaps.traced
        let expectedKind = heatmaps.modelClassMap == nil ? "classes" : "model-classes"
        guard FileManager.default.fileExists(atPath: classMapURL.path) else {
            throw ExportError(.invalidInput, "no class map at \(classMapURL.path): the file recorded for this slide run "
                              + "does not exist (moved? give --heatmaps DIR if the heatmaps are elsewhere)",
                              path: slideRun.slidePath)
        }
        if let recorded = heatmaps.classMapSHA256 {
            guard let facts = StreamingSHA256.file(atPath: classMapURL.path), facts.sha256 == recorded else {
                throw ExportError(.invalidInput, "the class map is not the file this slide run wrote (its SHA-256 differs "
                                  + "from the one recorded): it was replaced since", path: classMapURL.path)
            }
        }
        let classMap: HeatmapFileReader
        do { classMap = try HeatmapFileReader(url: classMapURL) } catch {
            throw ExportError(.cannotRead, "\(error)", path: classMapURL.path)
        }
        let metadata = classMap.metadata
        func mismatch(_ what: String) -> ExportError {
            ExportError(.invalidInput, "this class map does not belong to slide \(slideRun.slidePath) in run "
                        + "\(slideRun.runUID): \(what)", path: classMapURL.path)
        }
        guard metadata.kind == expectedKind, let downsample = metadata.downsample, downsample > 0,
              classMap.channels == 1 else {
            throw mismatch("it is not a Tessera class map (its description names no kind \"\(expectedKind)\" and downsample)")
        }
        if let written = metadata.slideRunID, written != slideRun.slideRunID.rawValue {
            throw mismatch("it was written by slide run \(written)")
        }
        if metadata.classNames != classNames {
            throw mismatch("its classes are \(metadata.classNames), the run's \(classNames)")
        }
        let expectedWidth = Int((Double(slideRun.slideWidth) / downsample).rounded(.up))
        let expectedHeight = Int((Double(slideRun.slideHeight) / downsample).rounded(.up))
        guard classMap.width == expectedWidth, classMap.height == expectedHeight else {
            throw mismatch("it is \(classMap.width)x\(classMap.height) pixels at downsample \(JSONNumber.text(downsample)); "
                           + "the slide needs \(expectedWidth)x\(expectedHeight)")
        }
        // The runner sizes maps by the mean of the two axes' resolutions (`SlideResolution.mpp`).
        let slideMPP = slideRun.mppX.flatMap { x in slideRun.mppY.map { (x + $0) / 2 } }
        if let expected = Self.expectedDownsample(parametersJSON: slideRun.parametersJSON, slideMPP: slideMPP,
                                                  modelResolution: heatmaps.modelClassMap != nil),
           abs(expected - downsample) > 1e-9 * expected {
            throw mismatch("its downsample is \(JSONNumber.text(downsample)), the run's \(JSONNumber.text(expected)) "
                           + "(a later run may have replaced it)")
        }
        var probabilities: [HeatmapFileReader?] = []
        for info in classes {
            let url = info.index < heatmaps.probabilities.count ? heatmaps.probabilities[info.index] : nil
            if let url, let map = try? HeatmapFileReader(url: url), map.channels == 1,
               let mapDownsample = map.metadata.downsample, mapDownsample > 0,
               map.width == Int((Double(slideRun.slideWidth) / mapDownsample).rounded(.up)),
               map.height == Int((Double(slideRun.slideHeight) / mapDownsample).rounded(.up)) {
                probabilities.append(map)
            } else {
                probabilities.append(nil)
                summary.warnings.append("no usable probability map \(url?.path ?? "recorded"): regions of \(info.name) have "
                                        + "no mean probability")
            }
        }
        return OpenHeatmaps(classMap: classMap, probabilities: probabilities,
                            grid: HeatmapGrid(downsample: downsample, slideWidth: slideRun.slideWidth,
                                              slideHeight: slideRun.slideHeight))
    }

    /// The heatmap downsample the run's parameters give for a slide (as the runner computes it), when they say:
    /// of the class map (rounded to whole level-0 pixels), or of the model-resolution class map (one model pixel).
    static func expectedDownsample(parametersJSON: String, slideMPP: Double?, modelResolution: Bool = false) -> Double? {
        guard let slideMPP, slideMPP > 0,
              let object = (try? JSONSerialization.jsonObject(with: Data(parametersJSON.utf8))) as? [String: Any],
              let target = (object["targetMPP"] as? NSNumber)?.doubleValue else { return nil }
        if modelResolution { return target / slideMPP }
        guard let pixels = (object["heatmapModelPixels"] as? NSNumber)?.doubleValue else { return nil }
        return Swift.max(1, (pixels * target / slideMPP).rounded())
    }

    // MARK: Regions

    private func writeRegions(_ slideRun: StoredSlideRun, classes: [ClassInfo], maps: OpenHeatmaps,
                              mpp: (Double, Double), frame: QuPathFrame, writer: inout FeatureStream, directory: URL,
                              summary: inout SlideExportSummary) throws {
        let grid = maps.grid
        let pixelMicrons2 = mpp.0 * mpp.1
        let minimumArea = options.minimumAreaMicrons2
        let slot = Dictionary(uniqueKeysWithValues: classes.enumerated().map { (UInt8($0.element.index), $0.offset) })
        let perClass = options.multipolygonPerClass
            ? try classes.map { _ in try MultiPolygonScratch(directory: directory, frame: frame) } : []
        let classifications = classes.map { options.qupath.classification(of: $0) }
        let objectTypes = classes.map { options.qupath.objectType(of: $0.name) }
        // Level-0 pixels; a class's own tolerance (detections', or annotations'; one MultiPolygon is an annotation).
        let tolerances = objectTypes.map { type in
            options.simplifyMicrons(for: perClass.isEmpty ? type : .annotation) / ((mpp.0 + mpp.1) / 2)
        }
        var regionNumbers = [Int](repeating: 0, count: classes.count)
        var figures = summary.classes
        var unsimplified = 0
        var pendingFeatures: [String] = []
        // Annotations (compartments) are drawn with the nuclei inside them; the enclosed classes are traced too,
        // whether or not their regions are written (those that are not come last, with no probability map: a
        // region inside a hole always finishes rows before the region around it, whatever the class order).
        var filler = EnclosedHoleFiller(enclosedClasses: enclosedClassValues(slideRun))
        let fills = classes.indices.map { perClass.isEmpty ? objectTypes[$0] == .annotation : true }
        let traceOnly = filler.enclosedClasses.subtracting(slot.keys).sorted()

        let tracer = RegionTracer(width: maps.classMap.width, height: maps.classMap.height,
                                  classes: classes.map { UInt8($0.index) } + traceOnly) { traced in
            filler.note(traced)
            guard let k = slot[traced.classValue] else { return }
            let (region, filledHoles) = fills[k] ? filler.filled(traced) : (region: traced, filledHoles: 0)
            // The class's own area (the tile table's), whatever holes were filled.
            let area = grid.polygon(traced).area
            figures[k].holesFilled += filledHoles
            figures[k].regionsTraced += 1
            figures[k].tracedArea += area
            let areaMicrons2 = area * pixelMicrons2
            // Numbered per class in the order traced, filtered or not: a region keeps its id whatever the filter
            // and whichever other classes are exported.
            let number = regionNumbers[k]
            regionNumbers[k] += 1
            if areaMicrons2 < minimumArea {
                figures[k].regionsDropped += 1
                return
            }
            let outline = filledHoles > 0 ? grid.polygon(region) : grid.polygon(traced)
            var polygon = outline
            if tolerances[k] > 0 {
                let simplified = PolygonSimplifier.simplified(outline, tolerance: tolerances[k])
                polygon = simplified.polygon
                if simplified.ringsKeptAsTraced > 0 { unsimplified += 1 }
            }
            figures[k].regionsWritten += 1
            let meanProbability = region.probabilitySum.map { Double($0) / 255 / Double(Swift.max(region.pixelCount, 1)) }
            if perClass.isEmpty {
                var measurements = [(QuPathMeasurement.area, areaMicrons2)]
                if let meanProbability { measurements.append((QuPathMeasurement.meanProbability, meanProbability)) }
                if fills[k] && !filler.enclosedClasses.isEmpty {
                    measurements.append((QuPathMeasurement.areaWithFilledHoles, outline.area * pixelMicrons2))
                    measurements.append((QuPathMeasurement.filledHoles, Double(filledHoles)))
                }
                let info = classes[k]
                pendingFeatures.append(QuPathFeature.text(
                    id: StableIdentifier.uuid("\(slideRun.fingerprint)/\(slideRun.runUID)/region/\(info.index)/\(number)"),
                    geometry: QuPathFeature.polygonGeometry(polygon, frame: frame), objectType: objectTypes[k],
                    classification: classifications[k], measurements: measurements))
            } else {
                try perClass[k].add(polygon, area: areaMicrons2, pixels: region.pixelCount,
                                    probabilitySum: region.probabilitySum)
            }
        }

        // A slide with OpenSlide bounds: QuPath shows only them, and the tiles read past them (white there), so
        // regions keep only the map pixels wholly inside the bounds.
        let within = frame.source == .openslideBounds
            ? frame.imageRect(slideWidth: slideRun.slideWidth, slideHeight: slideRun.slideHeight) : nil
        try Self.feed(tracer, classMap: maps.classMap, downsample: grid.downsample,
                      probabilities: maps.probabilities + traceOnly.map { _ in nil }, within: within) {
            for feature in pendingFeatures { try writer.add(feature) }
            pendingFeatures.removeAll(keepingCapacity: true)
        }
        for feature in pendingFeatures { try writer.add(feature) }
        for (k, scratch) in perClass.enumerated() where scratch.polygons > 0 {
            let info = classes[k]
            try scratch.writeFeature(
                to: &writer, id: StableIdentifier.uuid("\(slideRun.fingerprint)/\(slideRun.runUID)/class/\(info.index)"),
                classification: classifications[k])
        }
        summary.classes = figures
        summary.polygonsLeftUnsimplified = unsimplified
    }

    /// Feeds a class map at `downsample` (and the exported classes' probability maps, on its grid or a coarser
    /// one) to `tracer` one band of tile rows at a time, calling `afterRow` after each row, then finishes it.
    /// Memory: one band per map.
    /// With `within` (level-0), map pixels not wholly inside it are fed as no prediction.
    static func feed(_ tracer: RegionTracer, classMap: HeatmapFileReader, downsample: Double,
                     probabilities: [HeatmapFileReader?], within: PixelRect? = nil,
                     afterRow: () throws -> Void) throws {
        let width = classMap.width, bandBytes = width * classMap.bandHeight
        let inside = within.map { mapPixels(whollyInside: $0, downsample: downsample) }
        // Buffers of our own, so the rows handed to the tracer stay valid for the whole band.
        let band = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bandBytes)
        let samplers = probabilities.map { $0.map { ProbabilityRowSampler(map: $0, width: width, downsample: downsample) } }
        defer { band.deallocate() }
        for bandIndex in 0..<classMap.bandCount {
            do {
                try classMap.readBand(bandIndex, into: band)
            } catch {
                throw ExportError(.cannotRead, "\(error)")
            }
            let rows = Swift.min(classMap.bandHeight, classMap.height - bandIndex * classMap.bandHeight)
            for row in 0..<rows {
                let range = (row * width)..<((row + 1) * width)
                let y = bandIndex * classMap.bandHeight + row
                if let inside {
                    for x in 0..<width where !inside.rows.contains(y) || !inside.columns.contains(x) {
                        band[row * width + x] = HeatmapWriter.noPrediction
                    }
                }
                let probabilityRows = try samplers.map { try $0?.row(y) }
                try tracer.addRow(UnsafeBufferPointer(rebasing: band[range]), probabilities: probabilityRows)
                try afterRow()
            }
        }
        try tracer.finish()
    }

    /// The columns and rows of a map at `downsample` whose pixels lie wholly inside level-0 rectangle `rect`.
    static func mapPixels(whollyInside rect: PixelRect, downsample: Double) -> (columns: Range<Int>, rows: Range<Int>) {
        func wholly(_ start: Int, _ end: Int) -> Range<Int> {
            let first = Int((Double(start) / downsample).rounded(.up)), last = Int((Double(end) / downsample).rounded(.down))
            return first..<Swift.max(first, last)
        }
        return (wholly(rect.x, rect.maxX), wholly(rect.y, rect.maxY))
    }

    // MARK: Tiles

    private func writeTiles(_ slideRun: StoredSlideRun, frame: QuPathFrame, writer: inout FeatureStream,
                            summary: inout SlideExportSummary) throws {
        let classes = slideRun.classes
        let classifications = classes.map { options.qupath.classification(of: $0) }
        // The part of the slide QuPath shows: all of it, or its OpenSlide bounds.
        let slideBounds = frame.imageRect(slideWidth: slideRun.slideWidth, slideHeight: slideRun.slideHeight)
        var written = 0
        var stream = writer
        try reader.forEachTile(of: slideRun.slideRunID, classCount: classes.count) { tile in
            // The tile's own window, cut at the edge of the image QuPath shows (the slide's, or its bounds').
            let window = tile.ownWindow.intersection(slideBounds)
            guard !window.isEmpty else { return }
            let dominant = tile.classes.indices.max { tile.classes[$0].areaFraction < tile.classes[$1].areaFraction }
            // QuPath measures a tile's area itself; Tessera's measurements carry its prefix.
            var measurements: [(String, Double)] = [(QuPathMeasurement.tissueFraction, tile.tissueFraction)]
            for info in classes where info.index < tile.classes.count {
                measurements.append((QuPathMeasurement.fraction(info.name), tile.classes[info.index].areaFraction))
                measurements.append((QuPathMeasurement.meanProbability(info.name), tile.classes[info.index].meanProbability))
            }
            let (x0, y0) = (window.x - frame.offsetX, window.y - frame.offsetY)
            let (x1, y1) = (window.maxX - frame.offsetX, window.maxY - frame.offsetY)
            let geometry = #"{"type":"Polygon","coordinates":[[[\#(x0),\#(y0)],[\#(x1),\#(y0)],[\#(x1),\#(y1)],[\#(x0),\#(y1)],[\#(x0),\#(y0)]]]}"#
            let classification = dominant.flatMap { index in classes.firstIndex { $0.index == index }.map { classifications[$0] } }
            try stream.add(QuPathFeature.text(
                id: StableIdentifier.uuid("\(slideRun.fingerprint)/\(slideRun.runUID)/tile/\(tile.index)"),
                geometry: geometry, objectType: .tile, classification: classification, measurements: measurements))
            written += 1
        }
        writer = stream
        summary.tilesWritten = written
    }
}

extension GeoJSONExporter {
    /// The classes whose regions fill the holes they make in an annotation (`EnclosedHoleFiller`): those written
    /// as detections, and the nucleus class when its nuclei are written as detections.
    func enclosedClassValues(_ slideRun: StoredSlideRun) -> Set<UInt8> {
        var values = Set(slideRun.classes.filter { options.qupath.objectType(of: $0.name) == .detection }.map { UInt8($0.index) })
        if writesNuclei(slideRun), let nucleusClass = slideRun.nucleusClassIndex { values.insert(UInt8(nucleusClass)) }
        return values
    }

    /// Whether nuclei go into this slide run's file: asked for, and the run counted them.
    func writesNuclei(_ slideRun: StoredSlideRun) -> Bool {
        options.nuclei && options.objects != .qc && slideRun.nucleusClassIndex != nil
    }

    /// Each nucleus as a QuPath detection with its outline and measurements, classified by the tissue class around
    /// it (so QuPath counts nuclei per compartment in an annotation's measurements). Streamed from the results file.
    func writeNuclei(_ slideRun: StoredSlideRun, frame: QuPathFrame, writer: inout FeatureStream,
                     summary: inout SlideExportSummary) throws {
        let classifications = Dictionary(uniqueKeysWithValues: slideRun.classes.map { ($0.index, options.qupath.classification(of: $0)) })
        let slideBounds = frame.imageRect(slideWidth: slideRun.slideWidth, slideHeight: slideRun.slideHeight)
        let tolerance = slideRun.mppX.flatMap { x in slideRun.mppY.map { y in options.simplifyMicrons(for: .detection) / ((x + y) / 2) } } ?? 0
        var written = 0, ordinal = 0, unsimplified = 0
        var stream = writer
        try reader.forEachNucleus(of: slideRun.slideRunID) { tileIndex, nucleus in
            defer { ordinal += 1 }
            // A nucleus QuPath's image does not show (outside the slide's bounds) is left out.
            guard Double(slideBounds.x) <= nucleus.x, nucleus.x < Double(slideBounds.maxX),
                  Double(slideBounds.y) <= nucleus.y, nucleus.y < Double(slideBounds.maxY) else { return }
            var vertices = nucleus.outlineVertices
            guard vertices.count >= 3 else { return }
            if tolerance > 0 {
                if let simplified = Self.simplifiedOutline(vertices, tolerance: tolerance) { vertices = simplified }
                else { unsimplified += 1 }
            }
            let ring = (vertices + [vertices[0]]).map {
                "[\(JSONNumber.text($0.x - Double(frame.offsetX))),\(JSONNumber.text($0.y - Double(frame.offsetY)))]"
            }
            let geometry = #"{"type":"Polygon","coordinates":[[\#(ring.joined(separator: ","))]]}"#
            try stream.add(QuPathFeature.text(
                id: StableIdentifier.uuid("\(slideRun.fingerprint)/\(slideRun.runUID)/nucleus/\(tileIndex)/\(ordinal)"),
                geometry: geometry, objectType: .detection, classification: nucleus.regionClass.flatMap { classifications[$0] },
                measurements: [
                    (QuPathMeasurement.nucleusArea, nucleus.areaMicrons2),
                    (QuPathMeasurement.nucleusPerimeter, nucleus.perimeterMicrons),
                    (QuPathMeasurement.nucleusDiameter, nucleus.equivalentDiameterMicrons),
                    (QuPathMeasurement.nucleusEccentricity, nucleus.eccentricity),
                    (QuPathMeasurement.nucleusSolidity, nucleus.solidity),
                    (QuPathMeasurement.nucleusHaematoxylin, nucleus.meanHaematoxylinOD),
                    (QuPathMeasurement.nucleusProbability, nucleus.meanProbability),
                ]))
            written += 1
        }
        writer = stream
        summary.nucleiWritten = written
        summary.nucleiLeftUnsimplified = unsimplified
    }

    /// A nucleus's outline (level-0 pixels) simplified to within `tolerance` level-0 pixels, as regions are
    /// (`PolygonSimplifier`: at least a triangle, never crossing itself); nil when simplifying would break it.
    static func simplifiedOutline(_ vertices: [(x: Double, y: Double)], tolerance: Double) -> [(x: Double, y: Double)]? {
        let points = vertices.map { SlidePoint($0.x, $0.y) }
        let ring = SlideRing(points: points, fixed: [Bool](repeating: false, count: points.count))
        guard let simplified = PolygonSimplifier.simplify(SlidePolygon(shell: ring, holes: []), tolerance: tolerance) else {
            return nil
        }
        return simplified.shell.points.map { (x: $0.x, y: $0.y) }
    }
}

/// Writes features one a line, with the commas between them, into one FeatureCollection, or into a new one (the
/// same header) every `limit` features. Every file is committed at the end, together: a failure leaves none.
struct FeatureStream {
    private(set) var output: AtomicOutputFile
    private var outputs: [AtomicOutputFile]
    private var count = 0
    private let header: String
    private let limit: Int?
    private let open: (Int) throws -> AtomicOutputFile

    init(header: String, limit: Int?, open: @escaping (Int) throws -> AtomicOutputFile) throws {
        self.header = header
        self.limit = limit
        self.open = open
        output = try open(0)
        outputs = [output]
        try output.write(header)
    }

    mutating func add(_ feature: String) throws {
        if let limit, count >= limit {
            try output.write("\n]}\n")
            output = try open(outputs.count)
            outputs.append(output)
            try output.write(header)
            count = 0
        }
        try output.write(count == 0 ? feature : ",\n" + feature)
        count += 1
    }

    /// Ends the last collection and commits every file, in order.
    mutating func finish() throws -> [AtomicOutputFile] {
        try output.write("\n]}\n")
        for file in outputs { try file.commit() }
        return outputs
    }
}

/// One class's polygons, kept on disk while the slide is traced, then written as one MultiPolygon feature.
final class MultiPolygonScratch {
    private let descriptor: Int32
    private var size = 0
    private(set) var polygons = 0
    private var area = 0.0
    private var pixels: Int64 = 0
    private var probabilitySum: Int64? = 0
    private let frame: QuPathFrame

    init(directory: URL, frame: QuPathFrame) throws {
        self.frame = frame
        let path = directory.appendingPathComponent(".geojson-scratch-\(getpid())-\(UUID().uuidString.prefix(8))").path
        descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ExportError(.cannotWrite, "cannot create a scratch file: \(String(cString: strerror(errno)))", path: path)
        }
        unlink(path) // nameless from now on: the system removes it when it is closed, whatever happens
    }

    deinit { close(descriptor) }

    func add(_ polygon: SlidePolygon, area: Double, pixels: Int64, probabilitySum: Int64?) throws {
        var text = (polygons == 0 ? "" : ",") + QuPathFeature.polygonCoordinates(polygon, frame: frame)
        try text.withUTF8 { bytes in
            var done = 0
            while done < bytes.count {
                let written = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(size + done))
                guard written > 0 else {
                    throw ExportError(.cannotWrite, "cannot write a scratch file: \(String(cString: strerror(errno))); check free disk space")
                }
                done += written
            }
        }
        size += text.utf8.count
        polygons += 1
        self.area += area
        self.pixels += pixels
        if let sum = self.probabilitySum, let probabilitySum { self.probabilitySum = sum + probabilitySum } else { self.probabilitySum = nil }
    }

    func writeFeature(to writer: inout FeatureStream, id: UUID, classification: QuPathFeature.Classification) throws {
        var measurements = [(QuPathMeasurement.area, area), (QuPathMeasurement.regions, Double(polygons))]
        if let probabilitySum { measurements.append((QuPathMeasurement.meanProbability, Double(probabilitySum) / 255 / Double(Swift.max(pixels, 1)))) }
        let placeholder = "\u{1}GEOMETRY\u{1}"
        let text = QuPathFeature.text(id: id, geometry: placeholder, objectType: .annotation,
                                      classification: classification, measurements: measurements)
        let parts = text.components(separatedBy: placeholder)
        try writer.add(parts[0] + #"{"type":"MultiPolygon","coordinates":["#)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var offset = 0
        while offset < size {
            let read = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, Swift.min($0.count, size - offset), off_t(offset)) }
            guard read > 0 else {
                throw ExportError(.cannotRead, "cannot read back a scratch file: \(String(cString: strerror(errno)))")
            }
            try chunk.withUnsafeBytes { try writer.output.write(bytes: UnsafeRawBufferPointer(rebasing: $0[0..<read])) }
            offset += read
        }
        try writer.output.write("]}" + parts[1])
    }
}

/// The rows of a probability map as seen from a class map's grid (the same or finer): row y of the class map at
/// downsample d takes, for each pixel, the probability map's pixel under its level-0 centre. Reads the probability
/// map band by band as the rows go down; the row it hands out stays valid until the next call.
final class ProbabilityRowSampler {
    private let map: HeatmapFileReader
    private let band: UnsafeMutableBufferPointer<UInt8>
    private let row: UnsafeMutableBufferPointer<UInt8>
    /// The probability map's column under each class map column.
    private let sourceColumns: [Int]
    private let scale: Double
    private var loadedBand = -1

    init(map: HeatmapFileReader, width: Int, downsample: Double) {
        self.map = map
        scale = downsample / (map.metadata.downsample ?? downsample)
        band = .allocate(capacity: map.width * map.bandHeight)
        row = .allocate(capacity: width)
        sourceColumns = (0..<width).map { [scale] in Swift.min(map.width - 1, Int((Double($0) + 0.5) * scale)) }
    }

    deinit {
        band.deallocate()
        row.deallocate()
    }

    func row(_ y: Int) throws -> UnsafeBufferPointer<UInt8> {
        let sourceRow = Swift.min(map.height - 1, Int((Double(y) + 0.5) * scale))
        let bandIndex = sourceRow / map.bandHeight
        if bandIndex != loadedBand {
            do { try map.readBand(bandIndex, into: band) } catch { throw ExportError(.cannotRead, "\(error)") }
            loadedBand = bandIndex
        }
        let start = (sourceRow - bandIndex * map.bandHeight) * map.width
        for (x, column) in sourceColumns.enumerated() { row[x] = band[start + column] }
        return UnsafeBufferPointer(row)
    }
}
