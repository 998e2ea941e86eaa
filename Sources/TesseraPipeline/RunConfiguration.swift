import Foundation

/// Everything `tessera run` needs to process a batch of slides; a pipeline file (pipelines/*.yaml) is parsed into one.
///
/// Values left nil take the model's own metadata (mpp, tile size) or Tessera's defaults.
public struct RunConfiguration: Sendable, Codable, Equatable {
    /// Slide files, directories (searched recursively for slide extensions) or glob patterns.
    public var inputs: [String]
    /// A smp-compatible safetensors file; nil means the bundled default model.
    public var modelPath: String?
    /// Output directory: results.sqlite and heatmaps/ go here unless overridden below.
    public var outputDirectory: String
    /// The SQLite results file; nil means `<outputDirectory>/results.sqlite`.
    public var resultsDatabase: String?
    /// Whether to write heatmap TIFFs, and where (nil means `<outputDirectory>/heatmaps`).
    public var writeHeatmaps: Bool
    public var heatmapDirectory: String?
    /// Heatmap pixel edge in model pixels: with the default 8 at 0.5 µm/px a heatmap pixel covers 4 µm, and the
    /// downsample d from level 0 is this x (target mpp / slide mpp), rounded to whole level-0 pixels.
    public var heatmapModelPixels: Double
    /// Target resolution in µm/px; nil means the model's (0.5 when the model says nothing).
    public var targetMPP: Double?
    /// Tile edge in pixels at the target resolution, margins included; nil means the model's (512 when it states none).
    public var tileSize: Int?
    /// Pixels shared by neighbouring tiles at the target resolution (half on each side of a tile's own window).
    public var overlap: Int
    /// Tissue detection settings.
    public var tissue: TissueSettings
    /// The slide's own resolution when the file carries none (applies to every input slide).
    public var slideMPP: Double?
    /// Compute threads for the network; reader threads for OpenSlide; tiles per inference batch.
    public var threads: Int
    public var readers: Int
    public var batchSize: Int
    /// Set when the run comes from a pipeline file: stored with the run for provenance.
    public var pipeline: PipelineProvenance?
    /// Stain normalisation: nil means the model's reference method when it declares one (else none).
    public var stain: StainOption?
    /// Where a slide's source stain statistics come from: the whole slide (default) or each tile.
    public var stainEstimation: StainEstimationMode = .slide

    public init(inputs: [String], modelPath: String? = nil, outputDirectory: String, resultsDatabase: String? = nil,
                writeHeatmaps: Bool = true, heatmapDirectory: String? = nil, heatmapModelPixels: Double = 8, targetMPP: Double? = nil,
                tileSize: Int? = nil, overlap: Int = 64, tissue: TissueSettings = TissueSettings(),
                slideMPP: Double? = nil, threads: Int = 2, readers: Int = 2, batchSize: Int = 4,
                pipeline: PipelineProvenance? = nil, stain: StainOption? = nil,
                stainEstimation: StainEstimationMode = .slide) {
        self.inputs = inputs
        self.modelPath = modelPath
        self.outputDirectory = outputDirectory
        self.resultsDatabase = resultsDatabase
        self.writeHeatmaps = writeHeatmaps
        self.heatmapDirectory = heatmapDirectory
        self.heatmapModelPixels = heatmapModelPixels
        self.targetMPP = targetMPP
        self.tileSize = tileSize
        self.overlap = overlap
        self.tissue = tissue
        self.slideMPP = slideMPP
        self.threads = threads
        self.readers = readers
        self.batchSize = batchSize
        self.pipeline = pipeline
        self.stain = stain
        self.stainEstimation = stainEstimation
    }
}

/// Tissue detection settings shared by `tessera plan`, `tessera run` and pipeline files.
public struct TissueSettings: Sendable, Codable, Equatable {
    /// Resolution of the thumbnail the mask is computed on, in µm/px.
    public var thumbnailMPP: Double
    /// Tiles whose own window holds less tissue than this fraction are skipped.
    public var minimumTissueFraction: Double
    /// Connected tissue regions smaller than this (in mm²) are dropped as debris.
    public var minimumRegionAreaMM2: Double

    public init(thumbnailMPP: Double = 8, minimumTissueFraction: Double = 0.05, minimumRegionAreaMM2: Double = 0.01) {
        self.thumbnailMPP = thumbnailMPP
        self.minimumTissueFraction = minimumTissueFraction
        self.minimumRegionAreaMM2 = minimumRegionAreaMM2
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
