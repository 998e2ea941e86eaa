import Crypto
import Foundation
import TesseraExport
import TesseraCore
import TesseraNetwork

/// A validated pipeline file (pipelines/*.yaml): the run it describes, its identity (name and hash) and where its
/// lock and reports go.
///
/// Reading one checks the YAML against schemas/pipeline.schema.json (compiled in), collecting every problem with its
/// line and key path, then a few rules the schema cannot say (the overlap must be smaller than the tile).
public struct PipelineDefinition: Sendable {
    /// The pipeline file, absolute.
    public let file: URL
    /// The file's text as read (stored with each run for provenance).
    public let text: String
    /// The document with every schema default filled in.
    public let normalised: DocumentValue
    public let name: String
    /// SHA-256 (lowercase hex) of `hashedJSON`.
    public let hash: String
    /// Canonical JSON (sorted keys, no spaces) of the parts of the pipeline that decide a slide's results:
    /// everything except `description`, `inputs`, `concurrency` and the output paths (`outputs.heatmaps` and
    /// `outputs.heatmap_model_pixels` are kept: they decide which heatmaps a slide gets). Changing those does not make
    /// slides already done count as not done.
    public let hashedJSON: String
    /// What `BatchRunner` runs; every relative path already resolved against the pipeline file's directory.
    public let settings: RunSettings
    /// The lock file that keeps two runs of this pipeline's output from overlapping.
    public let lockPath: String
    /// Where run reports go: `<output directory>/reports`.
    public let reportsDirectory: String

    /// Reads and validates a pipeline file. Throws `.unreadableFile` or `.invalidPipeline` (with every diagnostic).
    public static func load(file: URL) throws(PipelineError) -> PipelineDefinition {
        let text: String
        // Read no further than the size limit: a pipeline path pointing at a slide or a disk image is refused at once.
        if let size = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? Int,
           size > YAMLLimits.pipeline.maximumBytes {
            throw PipelineError(kind: .invalidPipeline, file: file.path,
                                message: "the file is \(size) bytes; a pipeline file may be at most "
                                    + "\(YAMLLimits.pipeline.maximumBytes) bytes. Is this the right file?")
        }
        let bytes: Data
        do {
            bytes = try Data(contentsOf: file)
        } catch {
            throw PipelineError(kind: .unreadableFile, file: file.path,
                                message: "cannot read the pipeline file: \(SystemErrorText.describe(error))")
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw PipelineError(kind: .unreadableFile, file: file.path,
                                message: "the file is not UTF-8 text; save it as UTF-8")
        }
        text = decoded
        return try parse(text: text, file: file)
    }

    /// Validates pipeline text as if read from `file` (whose directory anchors relative paths).
    public static func parse(text: String, file: URL) throws(PipelineError) -> PipelineDefinition {
        let displayPath = file.relativePath
        let document: DocumentValue
        switch DocumentValue.parseYAML(text) {
        case .success(let value): document = value
        case .failure(let diagnostic):
            throw PipelineError(kind: .invalidPipeline, file: displayPath, message: diagnostic.message,
                                diagnostics: [diagnostic])
        }
        let diagnostics = try diagnose(document)
        if !diagnostics.isEmpty {
            throw PipelineError(kind: .invalidPipeline, file: displayPath,
                                message: "\(diagnostics.count) problem\(diagnostics.count == 1 ? "" : "s")",
                                diagnostics: diagnostics)
        }
        let schema = try PipelineSchema.document()
        let normalised = applyDefaults(to: document, schema: schema)
        let hashed = hashedPart(of: normalised)
        let hashedJSON = canonicalJSON(hashed)
        let hash = sha256Hex(Data(hashedJSON.utf8))
        return PipelineDefinition(file: file.absoluteURL.standardizedFileURL, text: text, normalised: normalised,
                                  hashedJSON: hashedJSON, hash: hash)
    }

    /// Every problem in a parsed document: schema violations, then the rules that relate two keys.
    public static func diagnose(_ document: DocumentValue) throws(PipelineError) -> [PipelineDiagnostic] {
        var diagnostics = try PipelineSchema.validator().validate(document)
        if let tile = document["tiling"]?["tile"], let overlap = document["tiling"]?["overlap"],
           let tileSize = tile.intValue, let overlapSize = overlap.intValue, overlapSize >= tileSize {
            diagnostics.append(PipelineDiagnostic(
                line: overlap.line, keyPath: "tiling.overlap",
                message: "must be smaller than tiling.tile (got \(overlapSize) with a \(tileSize)-pixel tile)"))
        }
        let sorted = diagnostics.sorted { ($0.line, $0.keyPath) < ($1.line, $1.keyPath) }
        guard sorted.count > shownDiagnostics else { return sorted }
        return Array(sorted.prefix(shownDiagnostics)) + [PipelineDiagnostic(
            line: sorted[shownDiagnostics].line, keyPath: "",
            message: "\(sorted.count - shownDiagnostics) more problems from here on (the first \(shownDiagnostics) are shown)")]
    }

    /// Most problems reported for one file: a file with 40,000 unknown keys is named, not listed.
    static let shownDiagnostics = 100

    private init(file: URL, text: String, normalised: DocumentValue, hashedJSON: String, hash: String) {
        self.file = file
        self.text = text
        self.normalised = normalised
        self.hashedJSON = hashedJSON
        self.hash = hash
        let baseDirectory = file.deletingLastPathComponent()
        func resolve(_ value: DocumentValue?) -> String? {
            guard let path = value?.stringValue else { return nil }
            return Self.resolve(path, against: baseDirectory)
        }
        name = normalised["name"]?.stringValue ?? file.deletingPathExtension().lastPathComponent
        settings = Self.settings(from: normalised, resolve: resolve, baseDirectory: baseDirectory,
                                 provenance: PipelineProvenance(name: normalised["name"]?.stringValue ?? "",
                                                                hash: hash, text: text))
        let outputDirectory = settings.outputDirectory
        lockPath = settings.lockPath ?? URL(fileURLWithPath: outputDirectory).appendingPathComponent(".tessera.lock").path
        reportsDirectory = URL(fileURLWithPath: outputDirectory).appendingPathComponent("reports").path
    }

    /// The run a normalised pipeline describes: `RunSettings()` with each key the document has written over it
    /// (the schema's defaults are RunSettings' own, which PipelineDefinitionTests checks).
    private static func settings(from normalised: DocumentValue, resolve: (DocumentValue?) -> String?,
                                 baseDirectory: URL, provenance: PipelineProvenance) -> RunSettings {
        let tiling = normalised["tiling"], tissue = normalised["tissue"], outputs = normalised["outputs"]
        let concurrency = normalised["concurrency"]
        var settings = RunSettings()
        settings.inputs = (normalised["inputs"]?.arrayValue ?? []).compactMap { resolve($0) }
        settings.modelPath = resolve(normalised["model"])
        settings.precision = normalised["precision"]?.stringValue.flatMap(Precision.init(rawValue:))
        settings.precisionIsAutomatic = settings.precision == nil
        settings.outputDirectory = resolve(outputs?["directory"]) ?? baseDirectory.path
        settings.resultsDatabase = resolve(outputs?["results"])
        settings.heatmapDirectory = resolve(outputs?["heatmap_directory"])
        if let value = outputs?["heatmap_format"]?.stringValue.flatMap(HeatmapFormat.init(rawValue:)) {
            settings.heatmapFormat = value
        }
        settings.lockPath = resolve(outputs?["lock"])
        if let value = outputs?["heatmaps"]?.boolValue { settings.writeHeatmaps = value }
        if let value = outputs?["heatmap_model_pixels"]?.doubleValue { settings.heatmapModelPixels = value }
        if let geojson = outputs?["geojson"], geojson.members != nil {
            settings.geojson = GeoJSONExportOptions(
                objects: geojson["objects"]?.stringValue.flatMap(ExportedObjects.init(rawValue:)) ?? .regions,
                classNames: geojson["classes"]?.arrayValue?.compactMap(\.stringValue),
                minimumAreaMicrons2: geojson["min_area_um2"]?.doubleValue ?? 0,
                simplifyMicrons: geojson["simplify_um"]?.doubleValue ?? 0,
                gzip: geojson["gzip"]?.boolValue ?? false,
                multipolygonPerClass: geojson["multipolygon_per_class"]?.boolValue ?? false,
                qupath: QuPathClassMap(
                    objectTypes: Dictionary((geojson["object_types"]?.members ?? []).compactMap { member in
                        member.value.stringValue.flatMap(QuPathObjectType.init(rawValue:)).map { (member.key, $0) }
                    }, uniquingKeysWith: { $1 }),
                    qupathClasses: Dictionary((geojson["qupath_classes"]?.members ?? []).compactMap { member in
                        member.value.stringValue.map { (member.key, $0) }
                    }, uniquingKeysWith: { $1 })))
        }
        settings.targetMPP = tiling?["mpp"]?.doubleValue
        settings.tileSize = tiling?["tile"]?.intValue
        if let value = tiling?["overlap"]?.intValue { settings.overlap = value }
        settings.slideMPP = tiling?["slide_mpp"]?.doubleValue
        settings.overrideSlideMPP = tiling?["override_slide_mpp"]?.doubleValue
        if let value = tissue?["thumbnail_mpp"]?.doubleValue { settings.tissue.thumbnailMPP = value }
        if let value = tissue?["min_tissue_fraction"]?.doubleValue { settings.tissue.minimumTissueFraction = value }
        if let value = tissue?["min_region_area_mm2"]?.doubleValue { settings.tissue.minimumRegionAreaMM2 = value }
        if let value = tissue?["min_saturation"]?.intValue, let byte = UInt8(exactly: value) {
            settings.tissue.minimumSaturation = byte
        }
        if let value = tissue?["min_brightness"]?.intValue, let byte = UInt8(exactly: value) {
            settings.tissue.minimumBrightness = byte
        }
        if let value = normalised["qc"]?["enabled"]?.boolValue { settings.qc.enabled = value }
        if let value = normalised["qc"]?["mpp"]?.doubleValue { settings.qc.micronsPerPixel = value }
        if let value = normalised["qc"]?["exclude_artefacts"]?.boolValue { settings.qc.excludeArtefacts = value }
        if let method = normalised["stain"]?["method"]?.stringValue { settings.stain = StainOption(rawValue: method) }
        if let estimate = normalised["stain"]?["estimate"]?.stringValue, let mode = StainEstimationMode(rawValue: estimate) {
            settings.stainEstimation = mode
        }
        if let value = concurrency?["threads"]?.intValue { settings.threads = value }
        if let value = concurrency?["readers"]?.intValue { settings.readers = value }
        if let value = concurrency?["batch_size"]?.intValue { settings.batchSize = value }
        settings.pipeline = provenance
        return settings
    }

    /// Resolves a path (or glob pattern) written in a pipeline file: `~/` is the user's home; relative paths are
    /// relative to the pipeline file's directory, not to wherever the run was started (cron starts in $HOME).
    static func resolve(_ path: String, against baseDirectory: URL) -> String {
        let expanded = (path == "~" || path.hasPrefix("~/")) ? NSString(string: path).expandingTildeInPath : path
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded)
                                          : baseDirectory.appendingPathComponent(expanded)
        return url.standardizedFileURL.path
    }

    /// Fills in every `default` the schema gives for keys the document leaves out, recursively.
    static func applyDefaults(to value: DocumentValue, schema: DocumentValue) -> DocumentValue {
        guard case .object(var members) = value.content, let properties = schema["properties"]?.members else {
            return value
        }
        for property in properties {
            if let index = members.firstIndex(where: { $0.key == property.key }) {
                members[index].value = applyDefaults(to: members[index].value, schema: property.value)
            } else if let defaultValue = property.value["default"] {
                members.append(DocumentValue.Member(key: property.key, keyLine: 0,
                                                    value: applyDefaults(to: defaultValue, schema: property.value)))
            }
        }
        return DocumentValue(.object(members), line: value.line)
    }

    /// The part of a normalised pipeline that decides a slide's results (see `hashedJSON`).
    static func hashedPart(of normalised: DocumentValue) -> DocumentValue {
        guard case .object(let members) = normalised.content else { return normalised }
        let excluded: Set<String> = ["description", "inputs", "concurrency"]
        let resultDefiningOutputs: Set<String> = ["heatmaps", "heatmap_model_pixels"]
        let kept = members.compactMap { member -> DocumentValue.Member? in
            if excluded.contains(member.key) { return nil }
            // `stain` at its defaults (the model decides) is left out, so pipelines written before the key existed
            // keep their hash; the run's parameters hash holds the resolved method and target either way.
            if member.key == "stain", member.value["method"]?.stringValue == nil,
               member.value["estimate"]?.stringValue ?? "slide" == "slide" { return nil }
            // Likewise `qc` at its defaults (exclude_artefacts changes what is reported, not what is recorded).
            if member.key == "qc", member.value["enabled"]?.boolValue ?? true,
               member.value["mpp"]?.doubleValue ?? 2 == 2 { return nil }
            // Likewise `precision` at its default (auto, written or not).
            if member.key == "precision", member.value.stringValue == nil || member.value.stringValue == "auto" { return nil }
            guard member.key == "outputs", case .object(let outputs) = member.value.content else { return member }
            var trimmed = member
            trimmed.value = DocumentValue(.object(outputs.filter { resultDefiningOutputs.contains($0.key) }))
            return trimmed
        }
        return DocumentValue(.object(kept))
    }

    /// JSON with keys sorted by their UTF-8 bytes, no whitespace, and numbers with no fractional part written as
    /// integers (so `8` and `8.0` hash alike).
    public static func canonicalJSON(_ value: DocumentValue) -> String {
        switch value.content {
        case .null: return "null"
        case .bool(let bool): return bool ? "true" : "false"
        case .integer(let integer): return String(integer)
        case .number(let number):
            if number.rounded() == number && abs(number) < 9.0e15 { return String(Int(number)) }
            return number.isFinite ? String(number) : "null"
        case .string(let string): return JSONText.quoted(string)
        case .array(let items): return "[" + items.map(canonicalJSON).joined(separator: ",") + "]"
        case .object(let members):
            let sorted = members.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            return "{" + sorted.map { JSONText.quoted($0.key) + ":" + canonicalJSON($0.value) }.joined(separator: ",") + "}"
        }
    }

}

/// The pipeline JSON Schema compiled into the binary (schemas/pipeline.schema.json, by the TesseraEmbeddedFiles
/// build-tool plugin).
public enum PipelineSchema {
    /// The schema file's text.
    public static var text: String { PipelineSchemaText.json }

    public static func document() throws(PipelineError) -> DocumentValue {
        switch DocumentValue.parseYAML(PipelineSchemaText.json) {
        case .success(let schema): return schema
        case .failure(let diagnostic):
            throw PipelineError(kind: .schemaUnsupported, file: "schemas/pipeline.schema.json",
                                message: "the compiled-in schema does not parse: \(diagnostic)")
        }
    }

    public static func validator() throws(PipelineError) -> SchemaValidator {
        try SchemaValidator(schema: document())
    }
}
