import Crypto
import Foundation
import TesseraCore
import TesseraExport
import TesseraNetwork
import TesseraNuclei
import TesseraSlide
import TesseraStore

/// Every setting of a run, with every default in one place.
///
/// `tessera run`'s options, `tessera plan`'s options and a pipeline file (pipelines/*.yaml) each start from
/// `RunSettings()` and overwrite only what they were given; `resolve(model:)` then fills in what depends on the
/// model (its resolution and tile size), checks the values, and derives the paths and the parameters hash. Adding a
/// setting is one field here (with its default), the line that fills it from each source, and, when it changes a
/// slide's results, one line in `HashedParameters` (nil when it has its default, so results made before the setting
/// existed keep their hash).
public struct RunSettings: Sendable, Codable, Equatable {
    // MARK: Inputs and outputs

    /// Slide files, directories (searched recursively for slide files) or glob patterns (`**` spans folders).
    public var inputs: [String] = []
    /// Output directory: results.sqlite, heatmaps/ and the lock go here unless overridden below.
    public var outputDirectory: String = "."
    /// The SQLite results file; nil means `<outputDirectory>/results.sqlite`.
    public var resultsDatabase: String?
    /// Whether to write heatmap TIFFs, and where (nil means `<outputDirectory>/heatmaps`).
    public var writeHeatmaps = true
    public var heatmapDirectory: String?
    /// Plain pyramidal TIFF (the default) or OME-TIFF (`.ome.tif`, for QuPath through Bio-Formats). Not part of the
    /// parameters hash: the values are the same, so a slide done under the other format is not redone.
    public var heatmapFormat: HeatmapFormat = .tiff
    /// Heatmap pixel edge in model pixels: with the default 8 at 0.5 µm/px a heatmap pixel covers 4 µm, and the
    /// downsample d from level 0 is this x (target mpp / slide mpp), rounded to whole level-0 pixels.
    public var heatmapModelPixels = 8.0
    /// QuPath GeoJSON of each slide, written after its heatmaps into `<outputDirectory>/geojson`; nil writes none.
    /// Derived from the results and heatmaps, so not part of the parameters hash.
    public var geojson: GeoJSONExportOptions?
    /// The lock that keeps two runs from writing one output at once; nil means `<outputDirectory>/.tessera.lock`.
    public var lockPath: String?

    // MARK: Model and tiling

    /// A smp-compatible safetensors file; nil means the bundled default model.
    public var modelPath: String?
    /// Target resolution in µm/px; nil means the model's (0.5 when the model says nothing).
    public var targetMPP: Double?
    /// Tile edge in pixels at the target resolution, margins included; nil means the model's (512 when it states none).
    public var tileSize: Int?
    /// Pixels shared by neighbouring tiles at the target resolution (half on each side of a tile's own window).
    public var overlap = 64
    /// The slides' own resolution for files that state none (applies to every input slide); a file's own wins.
    public var slideMPP: Double?
    /// A resolution that replaces what every slide's file states (a scanner known to write a wrong value). Each
    /// slide run records which was used (`mpp_source`).
    public var overrideSlideMPP: Double?
    /// Tissue detection and the tissue a tile needs.
    public var tissue = TissueSettings()
    /// Stain normalisation: nil means the model's stain_reference method when it declares one (else none).
    public var stain: StainOption?
    /// Where a slide's source stain statistics come from: the whole slide (default) or each tile.
    public var stainEstimation = StainEstimationMode.slide

    // MARK: Precision

    /// The network's arithmetic; nil means the model file's own (int8 for a file `tessera model quantize` wrote, else
    /// fp32), or with `precisionIsAutomatic`, int8 for an fp32 model where int8 measured faster on this machine.
    /// int8 with an fp32 model quantises it at the start of the run, calibrated on tissue tiles of the run's first
    /// slides; fp32 with an int8 file is an error (the file holds no fp32 weights).
    public var precision: Precision?
    /// `--precision auto` (the default of `tessera run` and pipelines; off for `RunSettings()`): with `precision` nil,
    /// the run measures both precisions on an fp32 model (`AutomaticPrecision`, cached per machine kind) and runs int8
    /// only where it is faster.
    public var precisionIsAutomatic = false
    /// What auto chose and from which measurement, set by the run (`BatchRunner`) when it decided: recorded in the
    /// run's parameters (`precisionAuto`), not hashed (either choice hashes as that precision asked for explicitly).
    public var automaticPrecision: AutomaticPrecision.Choice?
    /// Tiles an fp32 model run at int8 is calibrated on, drawn with a fixed seed from the run's first slides.
    public var calibrationTiles = 64

    // MARK: Nuclei

    /// Nuclei as objects (issue 27): nil counts them when the model names a nucleus class (`nucleus_class` metadata,
    /// or a class named "nuclei") and the run is at the model's own resolution; false never; true requires the model
    /// to name one.
    public var countNuclei: Bool?
    /// How nuclei are separated from the nucleus class's probability.
    public var nucleusSegmentation = NucleusSegmentationSettings()

    // MARK: Quality control

    /// Slide quality control (issue 26): on by default, so every run records each slide's artefacts and verdict.
    public var qc = QCSettings()
    /// `tessera qc`: plan each slide and run its QC, but read and infer no tile. Hashed (as `qcOnly`), so a slide
    /// screened this way is not taken as done by a full run.
    public var qcOnly = false

    // MARK: Concurrency (does not change results)

    /// Compute threads for the network; reader threads for OpenSlide; tiles per inference batch.
    public var threads = 2
    public var readers = 2
    public var batchSize = 4

    /// Set when the run comes from a pipeline file: stored with the run for provenance, and part of the hash.
    public var pipeline: PipelineProvenance?

    /// Used when the model states no resolution or tile size.
    public static let fallbackTargetMPP = 0.5
    public static let fallbackTileSize = 512

    public init() {}

    public init(inputs: [String], outputDirectory: String) {
        self.inputs = inputs
        self.outputDirectory = outputDirectory
    }

    /// The precision the run uses with `model`: the one asked for, else the model file's own. The one place that
    /// decides it (the engine loader and `resolve(model:)` both ask here).
    public func precision(for model: SegmentationModelIdentity) throws(RunError) -> Precision {
        try Self.precision(precision, for: model)
    }

    /// `requested`, else the model file's own; fp32 asked of an int8 file is an error naming the file.
    public static func precision(_ requested: Precision?, for model: SegmentationModelIdentity) throws(RunError) -> Precision {
        let precision = requested ?? model.precision
        if precision == .fp32, model.precision == .int8 {
            throw .invalidParameter("precision fp32 was asked for, but \(model.path) is an int8 model (written by "
                                    + "`tessera model quantize`) and holds no fp32 weights: run it at int8, or give "
                                    + "its fp32 source model")
        }
        return precision
    }

    /// Fills in what the model decides, checks every value and derives paths and the parameters hash.
    public func resolve(model: SegmentationModelIdentity) throws(RunError) -> Resolved {
        let precision = try precision(for: model)
        guard calibrationTiles >= 1 else {
            throw .invalidParameter("the calibration tile count \(calibrationTiles) must be at least 1")
        }
        let tileSize = tileSize ?? model.tileSize ?? Self.fallbackTileSize
        guard tileSize > 0, tileSize % 16 == 0 else {
            throw .invalidParameter("tile size \(tileSize) must be a positive multiple of 16 (the network's stride)")
        }
        guard overlap >= 0, overlap % 2 == 0, overlap < tileSize else {
            throw .invalidParameter("overlap \(overlap) must be even, at least 0 and less than the tile size \(tileSize)")
        }
        let targetMPP = targetMPP ?? model.micronsPerPixel ?? Self.fallbackTargetMPP
        guard targetMPP > 0, targetMPP.isFinite else { throw .invalidParameter("target mpp \(targetMPP) must be positive") }
        for (value, option) in [(slideMPP, "--slide-mpp"), (overrideSlideMPP, "--override-slide-mpp")] {
            if let value, !(value > 0 && value.isFinite) {
                throw .invalidParameter("\(option) must be a positive number of µm/px, not \(value)")
            }
        }
        guard batchSize > 0, threads > 0, readers > 0 else {
            throw .invalidParameter("batch size, threads and readers must be at least 1")
        }
        guard (0...1).contains(tissue.minimumTissueFraction) else {
            throw .invalidParameter("the minimum tissue fraction \(tissue.minimumTissueFraction) must be between 0 and 1")
        }
        guard tissue.thumbnailMPP > 0, tissue.thumbnailMPP.isFinite, tissue.minimumRegionAreaMM2 >= 0 else {
            throw .invalidParameter("the tissue thumbnail resolution must be positive and the minimum region area at least 0")
        }
        guard qc.micronsPerPixel > 0, qc.micronsPerPixel.isFinite, qc.maximumPixels >= 1024 else {
            throw .invalidParameter("the QC resolution must be a positive number of µm/px and its pixel cap at least 1024")
        }
        guard heatmapModelPixels > 0, heatmapModelPixels.isFinite else {
            throw .invalidParameter("the heatmap pixel \(heatmapModelPixels) must be a positive number of model pixels")
        }
        if let geojson, geojson.objects != .tiles, !writeHeatmaps {
            throw .invalidParameter("GeoJSON regions are traced from the heatmaps: turn heatmaps on, or write tiles only")
        }
        let nucleusClass: Int?
        let ownResolution = model.micronsPerPixel.map { abs(targetMPP / $0 - 1) <= 0.05 } ?? true
        switch countNuclei {
        case false?:
            nucleusClass = nil
        case true?:
            guard let named = model.nucleusClass else {
                throw .invalidParameter("nuclei were asked for, but the model \(model.path) names no nucleus class (its "
                                        + "classes: \(model.classNames.joined(separator: ", "))): set the model's "
                                        + "`nucleus_class` metadata, or leave nuclei off")
            }
            nucleusClass = named
        case nil:
            // Only at the model's own resolution (within 5%): at another (`--mpp 2` for a quick look) the network's
            // nuclei are not the size its training saw, and a count there would not be one a pathologist could use.
            nucleusClass = ownResolution ? model.nucleusClass : nil
        }
        let segmentation = nucleusSegmentation
        guard segmentation.probabilityThreshold > 0, segmentation.probabilityThreshold < 1, segmentation.markerRadius >= 1,
              segmentation.markerDepth >= 0, segmentation.minimumPixels >= 1, segmentation.maximumHolePixels >= 0 else {
            throw .invalidParameter("the nucleus threshold must lie between 0 and 1, the marker radius be at least 1 pixel, "
                                    + "the marker depth at least 0 and the smallest nucleus at least 1 pixel")
        }
        guard segmentation.haematoxylinSmoothing >= 0, segmentation.candidateGrowth >= 0, segmentation.backgroundRing >= 1,
              segmentation.coreRadius >= 0, (0...100).contains(segmentation.corePercentile),
              segmentation.edgeFraction > 0, segmentation.edgeFraction < 1, segmentation.minimumRefinedPixels >= 0 else {
            throw .invalidParameter("the haematoxylin refinement needs a smoothing and growth of at least 0, a background "
                                    + "ring of at least 1 pixel, a core percentile between 0 and 100, an edge fraction "
                                    + "between 0 and 1 and a smallest piece of at least 0 pixels")
        }
        let stain = try ResolvedStain.resolve(option: stain, estimation: stainEstimation, model: model)
        var filled = self
        filled.targetMPP = targetMPP
        filled.tileSize = tileSize
        // The haematoxylin refinement's radii and smallest piece are pixels at the model's own resolution: at another
        // (`--nuclei on --mpp 1`) a nucleus is not the size they were set for, and it draws bands of several nuclei,
        // so the probability alone is separated there (and recorded so).
        if !ownResolution { filled.nucleusSegmentation.refinesWithHaematoxylin = false }
        return Resolved(settings: filled, targetMPP: targetMPP, tileSize: tileSize, model: model, stain: stain,
                        precision: precision, nucleusClass: nucleusClass)
    }

    /// The settings with the model's values filled in and checked, and what follows from them.
    public struct Resolved: Sendable {
        /// The settings as given, with `targetMPP` and `tileSize` filled in.
        public let settings: RunSettings
        public let targetMPP: Double
        public let tileSize: Int
        public let model: SegmentationModelIdentity
        public let outputDirectory: URL
        /// Where the results file, heatmaps, GeoJSON and reports go, and how each slide run's files are named.
        public let layout: OutputLayout
        public var resultsDatabase: String { layout.resultsFile.path }
        public var heatmapDirectory: URL { layout.heatmapDirectory }
        /// Where GeoJSON goes when `settings.geojson` asks for it: `<outputDirectory>/geojson`.
        public var geojsonDirectory: URL { layout.geojsonDirectory }
        public let lockPath: String
        /// The settings that change a slide's results, as JSON (stored with the run), and their SHA-256: a slide done
        /// earlier under the same hash is skipped.
        public let parametersJSON: String
        public let parametersHash: String
        /// Stain normalisation: the method and the model's target, or off.
        let stain: ResolvedStain
        /// The network's arithmetic (`RunSettings.precision(for:)`).
        public let precision: Precision
        /// The class whose instances the run counts as nuclei; nil when it counts none.
        public let nucleusClass: Int?
        public var nucleusSegmentation: NucleusSegmentationSettings { settings.nucleusSegmentation }

        init(settings: RunSettings, targetMPP: Double, tileSize: Int, model: SegmentationModelIdentity, stain: ResolvedStain,
             precision: Precision, nucleusClass: Int? = nil) {
            self.settings = settings
            self.nucleusClass = nucleusClass
            self.precision = precision
            self.stain = stain
            self.targetMPP = targetMPP
            self.tileSize = tileSize
            self.model = model
            outputDirectory = URL(fileURLWithPath: settings.outputDirectory).standardizedFileURL
            layout = OutputLayout(outputDirectory: outputDirectory, resultsFile: settings.resultsDatabase,
                                  heatmapDirectory: settings.heatmapDirectory, heatmapFormat: settings.heatmapFormat)
            lockPath = settings.lockPath ?? outputDirectory.appendingPathComponent(".tessera.lock").path
            let parameters = HashedParameters(settings, targetMPP: targetMPP, tileSize: tileSize, model: model, stain: stain,
                                              precision: precision, nucleusClass: nucleusClass)
            parametersJSON = parameters.json
            parametersHash = parameters.hash
        }

        public var overlap: Int { settings.overlap }
        public var tissue: TissueSettings { settings.tissue }
        public var qc: QCSettings { settings.qc }
        public var qcOnly: Bool { settings.qcOnly }
        public var slideMPP: Double? { settings.slideMPP }
        public var overrideSlideMPP: Double? { settings.overrideSlideMPP }
        public var writeHeatmaps: Bool { settings.writeHeatmaps }
        public var heatmapModelPixels: Double { settings.heatmapModelPixels }
        public var threads: Int { settings.threads }
        public var readers: Int { settings.readers }
        public var batchSize: Int { settings.batchSize }
        public var pipeline: PipelineProvenance? { settings.pipeline }
        public var calibrationTiles: Int { settings.calibrationTiles }

        /// Level-0 pixels per heatmap pixel: `heatmapModelPixels` x (target mpp / slide mpp), rounded to a whole
        /// number so heatmap pixels sit on the level-0 grid.
        public func heatmapDownsample(slideMPP: Double) -> Double {
            Swift.max(1, (heatmapModelPixels * targetMPP / slideMPP).rounded())
        }

        /// Level-0 pixels per pixel of the model-resolution class map (the one regions are traced on): exactly
        /// target mpp / slide mpp, the tiles' own model pixel, not rounded like the heatmap's. Each of its pixels
        /// then takes one model pixel of one tile, so a class's area there is the tile table's (rounded, a 2.2-pixel
        /// model pixel sampled on a 2-pixel grid moved small nuclei's areas by 0.7%).
        public func modelClassMapDownsample(slideMPP: Double) -> Double {
            targetMPP / slideMPP
        }
    }
}

/// What `RunSettings.resolve(model:)` needs of a model: its own resolution and tile size, and its identity.
public struct SegmentationModelIdentity: Sendable, Equatable {
    public var name: String
    public var path: String
    public var sha256: String
    public var micronsPerPixel: Double?
    public var tileSize: Int?
    /// The model's `stain_reference` metadata (JSON), when it declares one.
    public var stainReference: String?
    /// The file's own arithmetic: int8 for a file `tessera model quantize` wrote.
    public var precision: Precision
    /// The class the model names as its nucleus class (`SegmentationModel.nucleusClass`), and the class names.
    public var nucleusClass: Int?
    public var classNames: [String]
    /// The model's QuPath object types and classes per class (`SegmentationModel.qupathObjectTypes`, …), recorded
    /// with the run for export.
    public var qupathObjectTypes: [String: String]
    public var qupathClasses: [String: String]

    public init(name: String, path: String, sha256: String, micronsPerPixel: Double? = nil, tileSize: Int? = nil,
                stainReference: String? = nil, precision: Precision = .fp32, nucleusClass: Int? = nil,
                classNames: [String] = [], qupathObjectTypes: [String: String] = [:], qupathClasses: [String: String] = [:]) {
        self.name = name
        self.qupathObjectTypes = qupathObjectTypes
        self.qupathClasses = qupathClasses
        self.nucleusClass = nucleusClass
        self.classNames = classNames
        self.precision = precision
        self.path = path
        self.sha256 = sha256
        self.micronsPerPixel = micronsPerPixel
        self.tileSize = tileSize
        self.stainReference = stainReference
    }
}

/// Every setting that changes a run's numbers, as stored with the run (`runs.parameters_json`); its hash decides
/// whether a slide already done can be skipped. Paths, batch size and thread counts are stored but not hashed.
/// Keys and encoding are those earlier versions wrote, so their finished slides are still recognised.
private struct HashedParameters: Codable {
    var modelSHA256: String
    var modelPath: String
    var targetMPP: Double
    var tileSize: Int
    var overlap: Int
    var tissue: TissueSettings
    var slideMPP: Double?
    /// Absent (not null) when unset, so runs from before the option keep their hash.
    var overrideSlideMPP: Double?
    var heatmaps: Bool
    var heatmapModelPixels: Double
    var pipelineHash: String?
    var batchSize: Int
    var readers: Int
    var threads: Int
    /// Stain method, estimation and target; nil (left out, so hashes made without normalisation hold) when off.
    var stain: [String: String]?
    /// The precision when it is not the model file's own (an fp32 model run at int8), with how it is calibrated;
    /// nil (left out) otherwise, so results made before the setting existed keep their hash. The quantised model's
    /// SHA-256 is recorded with the run, not hashed: a slide added to the inputs changes the calibration tiles, and
    /// must not make every slide done already count as not done.
    var precision: String?
    var calibration: String?
    /// What `--precision auto` chose and its measurement; left out when the precision was asked for, and not hashed.
    var precisionAuto: AutomaticPrecision.Choice?
    /// The nucleus class and how nuclei are separated; nil (left out) when the run counts none. Hashed: a slide done
    /// without nuclei, or with other nucleus settings, is done again to count them.
    var nuclei: NucleusParameters?
    /// The QC's resolution, pixel cap, verdict thresholds and checks' parameters; nil (left out) when QC is off.
    /// QC is on by default, so the hash of a run with default settings is not the one earlier versions stored:
    /// their finished slides are done again once, to record their QC.
    var qc: QCSettings.Hashed?
    /// True for `tessera qc` (no tile inferred); nil (left out) for a full run.
    var qcOnly: Bool?
    /// The model's QuPath metadata, for export (`QuPathClassMap.recorded(inRunParameters:)` reads it); nil (left
    /// out) when the model states none. Not hashed: it changes no result, only how export presents it.
    var qupath: QuPathParameters?

    struct QuPathParameters: Codable {
        var objectTypes: [String: String]?
        var classes: [String: String]?
    }

    struct NucleusParameters: Codable {
        var classIndex: Int
        var segmentation: NucleusSegmentationSettings
    }

    init(_ settings: RunSettings, targetMPP: Double, tileSize: Int, model: SegmentationModelIdentity, stain: ResolvedStain,
         precision: Precision, nucleusClass: Int?) {
        nuclei = nucleusClass.map { NucleusParameters(classIndex: $0, segmentation: settings.nucleusSegmentation) }
        modelSHA256 = model.sha256
        modelPath = model.path
        self.targetMPP = targetMPP
        self.tileSize = tileSize
        overlap = settings.overlap
        tissue = settings.tissue
        slideMPP = settings.slideMPP
        overrideSlideMPP = settings.overrideSlideMPP
        heatmaps = settings.writeHeatmaps
        heatmapModelPixels = settings.heatmapModelPixels
        pipelineHash = settings.pipeline?.hash
        batchSize = settings.batchSize
        readers = settings.readers
        threads = settings.threads
        self.stain = stain.method == nil ? nil : stain.parameters
        if precision != model.precision {
            self.precision = precision.rawValue
            calibration = OnTheFlyQuantization.recipe(tiles: settings.calibrationTiles)
        }
        precisionAuto = settings.automaticPrecision
        qc = settings.qc.hashed
        qcOnly = settings.qcOnly ? true : nil
        if !model.qupathObjectTypes.isEmpty || !model.qupathClasses.isEmpty {
            qupath = QuPathParameters(objectTypes: model.qupathObjectTypes.isEmpty ? nil : model.qupathObjectTypes,
                                      classes: model.qupathClasses.isEmpty ? nil : model.qupathClasses)
        }
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    var hash: String {
        var identity = self
        identity.modelPath = ""
        identity.batchSize = 0
        identity.readers = 0
        identity.threads = 0
        identity.precisionAuto = nil
        identity.qupath = nil
        return sha256Hex(Data(identity.json.utf8))
    }
}

/// Where a run's settings came from when a pipeline file drove it.
public struct PipelineProvenance: Sendable, Codable, Equatable {
    public var name: String
    /// SHA-256 (hex) of the pipeline's normalised content.
    public var hash: String
    /// The pipeline file's full text as read.
    public var text: String

    public init(name: String, hash: String, text: String) {
        self.name = name
        self.hash = hash
        self.text = text
    }
}
