import Crypto
import Foundation
import Logging
import TesseraCore
import TesseraNetwork
import TesseraSlide
import TesseraStore

/// Runs a batch of slides through the stage graph and records everything in the results store.
///
/// A slide that fails (unreadable, unsupported, no resolution) is recorded with its error and the batch goes on.
/// Slides already done with the same model and parameters are skipped; an interrupted slide continues from its
/// committed tiles. SIGINT/SIGTERM stop the run cleanly: tiles in flight are committed and the run is marked
/// interrupted.
public struct BatchRunner: Sendable {
    public let configuration: RunConfiguration
    public let logger: Logger
    /// Whether this runner turns SIGINT/SIGTERM into a graceful stop (the CLI wants it; embedding code may not).
    public var handlesStopSignals: Bool
    public var progress: ProgressReporter

    public init(configuration: RunConfiguration, logger: Logger, handlesStopSignals: Bool = true,
                progress: ProgressReporter = ProgressReporter()) {
        self.configuration = configuration
        self.logger = logger
        self.handlesStopSignals = handlesStopSignals
        self.progress = progress
    }

    public func run() async throws -> RunSummary {
        let startedAt = Date()
        let outputDirectory = URL(fileURLWithPath: configuration.outputDirectory).standardizedFileURL
        let modelURL = try configuration.modelPath.map { URL(fileURLWithPath: $0) } ?? DefaultModel.url()
        let model = try SegmentationModel.load(contentsOf: modelURL)
        let settings = try resolveSettings(model: model, outputDirectory: outputDirectory)
        let slides = try SlideDiscovery.slides(in: configuration.inputs, excluding: [outputDirectory])
        if slides.isEmpty {
            throw RunError.noSlides(inputs: configuration.inputs)
        }
        try RunError.creatingDirectory(outputDirectory)
        if settings.writeHeatmaps { try RunError.creatingDirectory(settings.heatmapDirectory) }
        let databasePath = configuration.resultsDatabase ?? outputDirectory.appendingPathComponent("results.sqlite").path
        let store = try ResultsStore(path: databasePath, logger: logger)

        let parameters = RunParameters(configuration: configuration, settings: settings, modelSHA256: model.sha256,
                                       modelPath: modelURL.path)
        let provenance = RunProvenance(
            gitCommit: BuildInfo.gitCommit, pipelineName: configuration.pipeline?.name,
            pipelineHash: configuration.pipeline?.hash, pipelineText: configuration.pipeline?.text,
            modelName: model.name, modelSHA256: model.sha256,
            classes: model.classNames.indices.map { index in
                let (r, g, b) = model.classColours[index]
                return ClassInfo(index: index, name: model.classNames[index],
                                 colour: String(format: "#%02X%02X%02X", r, g, b))
            },
            parametersJSON: parameters.json, parametersHash: parameters.hash, threads: settings.threads,
            openSlideVersion: Slide.libraryVersion, oneDNNVersion: Segmenter.libraryVersion, startedAt: startedAt)
        let run = try store.startRun(provenance)
        logger.info("run started", metadata: [
            "run.uid": "\(run.runUID)", "run.resumed": "\(run.resumed)", "slides": "\(slides.count)",
            "model.sha256": "\(model.sha256)", "results": "\(databasePath)"])

        let graph = StageGraph(settings: settings, model: model, store: store, run: run,
                               parametersHash: parameters.hash, logger: logger, progress: progress)
        let signals = StopSignals()
        if handlesStopSignals {
            signals.install { [logger] signal in
                logger.notice("stopping: finishing the tiles in flight", metadata: ["signal": "\(signal)"])
                graph.requestStop()
            }
        }
        defer { if handlesStopSignals { signals.uninstall() } }

        progress.runStarted(slides: slides.count)
        let drawing = Task { await progress.drawUntilCancelled() }
        let outcomes: [SlideOutcome]
        do {
            outcomes = try await graph.process(slides)
        } catch {
            drawing.cancel()
            try? store.finishRun(run.id, status: .failed, error: "\(error)")
            throw error
        }
        drawing.cancel()
        await drawing.value

        let stages = graph.allMetrics.map(\.snapshot)
        try store.recordStageMetrics(stages.map {
            TesseraStore.StageMetrics(stage: $0.stage, items: $0.items, busySeconds: $0.busySeconds,
                                      waitingOnInputSeconds: $0.waitingOnInputSeconds,
                                      waitingOnOutputSeconds: $0.waitingOnOutputSeconds)
        }, run: run.id)
        let interrupted = graph.isStopping
        try store.finishRun(run.id, status: interrupted ? .interrupted : .finished)
        try store.close()
        return RunSummary(runUID: run.runUID, resultsDatabase: databasePath, startedAt: startedAt, finishedAt: Date(),
                          interrupted: interrupted, slides: outcomes, stages: stages)
    }

    private func resolveSettings(model: SegmentationModel, outputDirectory: URL) throws -> ResolvedRunSettings {
        let tileSize = configuration.tileSize ?? model.tileSize ?? 512
        let overlap = configuration.overlap
        guard tileSize > 0, tileSize % 16 == 0 else {
            throw RunError.invalidParameter("tile size \(tileSize) must be a positive multiple of 16 (the network's stride)")
        }
        guard overlap >= 0, overlap % 2 == 0, overlap < tileSize else {
            throw RunError.invalidParameter("overlap \(overlap) must be even, at least 0 and less than the tile size \(tileSize)")
        }
        let targetMPP = configuration.targetMPP ?? model.micronsPerPixel ?? 0.5
        guard targetMPP > 0 else { throw RunError.invalidParameter("target mpp \(targetMPP) must be positive") }
        guard configuration.batchSize > 0, configuration.threads > 0, configuration.readers > 0 else {
            throw RunError.invalidParameter("batch size, threads and readers must be at least 1")
        }
        let heatmapDirectory = configuration.heatmapDirectory.map { URL(fileURLWithPath: $0) }
            ?? outputDirectory.appendingPathComponent("heatmaps", isDirectory: true)
        return ResolvedRunSettings(targetMPP: targetMPP, tileSize: tileSize, overlap: overlap,
                                   batchSize: configuration.batchSize, readers: configuration.readers,
                                   threads: configuration.threads, tissue: configuration.tissue,
                                   slideMPP: configuration.slideMPP, writeHeatmaps: configuration.writeHeatmaps,
                                   heatmapDirectory: heatmapDirectory,
                                   heatmapModelPixels: configuration.heatmapModelPixels,
                                   stain: try ResolvedStain.resolve(option: configuration.stain,
                                                                    estimation: configuration.stainEstimation, model: model))
    }
}

/// Every setting that changes a run's numbers, as stored with the run; its hash decides whether a slide already
/// done can be skipped.
struct RunParameters: Codable {
    var modelSHA256: String
    var modelPath: String
    var targetMPP: Double
    var tileSize: Int
    var overlap: Int
    var tissue: TissueSettings
    var slideMPP: Double?
    var heatmaps: Bool
    var heatmapModelPixels: Double
    var pipelineHash: String?
    var batchSize: Int
    var readers: Int
    var threads: Int
    /// Stain method, estimation and target; nil (left out of the JSON, so older hashes hold) when off.
    var stain: [String: String]?

    init(configuration: RunConfiguration, settings: ResolvedRunSettings, modelSHA256: String, modelPath: String) {
        self.modelSHA256 = modelSHA256
        self.modelPath = modelPath
        targetMPP = settings.targetMPP
        tileSize = settings.tileSize
        overlap = settings.overlap
        tissue = settings.tissue
        slideMPP = settings.slideMPP
        heatmaps = settings.writeHeatmaps
        heatmapModelPixels = settings.heatmapModelPixels
        pipelineHash = configuration.pipeline?.hash
        batchSize = settings.batchSize
        readers = settings.readers
        threads = settings.threads
        stain = settings.stain.method == nil ? nil : settings.stain.parameters
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Hash of the settings that change results: paths, batch size and thread counts do not.
    var hash: String {
        var identity = self
        identity.modelPath = ""
        identity.batchSize = 0
        identity.readers = 0
        identity.threads = 0
        return SHA256.hash(data: Data(identity.json.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

public enum RunError: Error, CustomStringConvertible {
    case noSlides(inputs: [String])
    case invalidParameter(String)
    case cannotCreateDirectory(path: String, reason: String)

    public var description: String {
        switch self {
        case .noSlides(let inputs): "no slide files found in \(inputs.joined(separator: ", "))"
        case .invalidParameter(let message): message
        case .cannotCreateDirectory(let path, let reason): "cannot create the output folder \(path): \(reason)"
        }
    }

    /// Creates `url` and its parents, or says in plain words why not (a file in the way, permissions, a full disk).
    static func creatingDirectory(_ url: URL) throws(RunError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return }
            throw .cannotCreateDirectory(path: url.path, reason: "a file of that name is in the way")
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            throw .cannotCreateDirectory(path: url.path, reason: underlying?.localizedDescription ?? error.localizedDescription)
        }
    }
}
