import Foundation
import Logging
import Synchronization
import TesseraCore
import TesseraHeatmap
import TesseraNetwork
import TesseraSlide
import TesseraStore

/// Runs a batch of slides through the stage graph and records everything in the results store.
///
/// A slide that fails (unreadable, unsupported, no resolution) is recorded with its error and the batch goes on.
/// Slides already done with the same model and parameters are skipped; an interrupted slide continues from its
/// committed tiles. `requestStop()` stops the run cleanly: tiles in flight are committed and the run is marked
/// interrupted. The runner touches nothing of the process: the caller turns signals into `requestStop()` and draws
/// `progress` as it likes.
public final class BatchRunner: Sendable {
    /// Whether the runner takes the output's lock itself, or its caller already holds it (a pipeline run, which
    /// also writes its report under the lock).
    public enum Locking: Sendable {
        case acquire(OutputLock.Holder)
        case heldByCaller
    }

    public let settings: RunSettings
    public let logger: Logger
    public let locking: Locking
    /// What the run has done so far; `updates` streams it.
    public let progress = ProgressReporter()

    private let stop = Mutex<(requested: Bool, graph: StageGraph?)>((false, nil))
    /// Model loading, hashing, the directory walk and the results store's open and close: blocking work that stays
    /// off the cooperative pool.
    private let setupPool = BlockingThreadPool(name: "tessera-setup", threads: 1)

    /// Loads the run's engine for its settings (the model file, or the bundled model). Runs on a blocking pool.
    public typealias EngineLoader = @Sendable (RunSettings) throws -> any EngineFactory
    /// The network on oneDNN, from the settings' model or the default one (`DefaultModel.url(override:)`, looked for
    /// at `defaultModelOverride` first), at the settings' precision: fp32, an int8 file, or an fp32 model quantised
    /// from the run's first slides (`Int8EngineFactory`).
    public static func networkEngines(defaultModelOverride: String? = nil) -> EngineLoader {
        { settings in try networkEngines(settings, defaultModelOverride: defaultModelOverride) }
    }

    private static func networkEngines(_ settings: RunSettings, defaultModelOverride: String?) throws -> any EngineFactory {
        let modelURL = try settings.modelPath.map { URL(fileURLWithPath: $0) } ?? DefaultModel.url(override: defaultModelOverride)
        let model = try SegmentationModel.load(contentsOf: modelURL)
        switch try settings.precision(for: model.identity) {
        case .fp32: return FP32EngineFactory(model: model)
        case .int8: return Int8EngineFactory(model: model)
        }
    }

    private let source: any SlideSource
    private let loadEngines: EngineLoader

    /// - Parameters:
    ///   - source: opens the slides (OpenSlide; the graph's unit tests pass synthetic slides).
    ///   - engines: loads the network (oneDNN at the settings' precision; the unit tests pass a fake).
    public init(settings: RunSettings, logger: Logger, locking: Locking = .acquire(.current()),
                source: any SlideSource = OpenSlideSource(), engines: @escaping EngineLoader = BatchRunner.networkEngines()) {
        self.settings = settings
        self.logger = logger
        self.locking = locking
        self.source = source
        self.loadEngines = engines
    }

    deinit { setupPool.shutdown() }

    /// Asks the run to stop: no new tiles are read; what is in flight is inferred, stitched and committed, and the
    /// run ends as interrupted. Safe from any thread, any number of times, before or during `run()`.
    public func requestStop() {
        let graph = stop.withLock { state -> StageGraph? in
            state.requested = true
            return state.graph
        }
        graph?.requestStop()
    }

    public var isStopRequested: Bool { stop.withLock { $0.requested } }

    public func run() async throws -> RunSummary {
        let startedAt = Date()
        let settings = settings
        var engines = try await setupPool.run { [loadEngines] in try loadEngines(settings) }
        // Everything but the precision's share of the parameters, which `--precision auto` may decide below.
        let base = try settings.resolve(model: engines.model)
        // Before any slide is read: a clash would fail each slide at its heatmaps, after its whole inference.
        if base.writeHeatmaps, let clash = OutputLayout.clashingClassNames(engines.identity.classNames).first {
            throw RunError.invalidParameter(
                "model \(engines.model.path): the classes \(clash.map { "\"\($0)\"" }.joined(separator: " and ")) would "
                + "write their probability heatmaps to one file (SLIDE.prob-\(OutputLayout.fileNameSafe(clash[0])).tif): "
                + "rename one in the model's metadata (class_names), or run with --no-heatmaps")
        }
        let slides = try await setupPool.run {
            try SlideDiscovery.slides(in: settings.inputs, excluding: [base.outputDirectory])
        }
        if slides.isEmpty {
            throw RunError.noSlides(inputs: settings.inputs)
        }
        // Only missing files named on the command line: a typo, not a batch to record. Nothing is created.
        let missing = slides.filter { !source.exists($0) }
        if missing.count == slides.count {
            throw RunError.missingSlides(missing.map(\.path))
        }
        try RunError.creatingDirectory(base.outputDirectory)
        var lock: OutputLock?
        if case .acquire(let holder) = locking {
            try RunError.creatingDirectory(URL(fileURLWithPath: base.lockPath).deletingLastPathComponent())
            lock = try OutputLock.acquire(path: base.lockPath, holder: holder)
        }
        defer { lock?.release() }

        if base.writeHeatmaps { try RunError.creatingDirectory(base.heatmapDirectory) }
        let openStore = { [setupPool, logger] in
            try await setupPool.run { try ResultsStore(path: base.resultsDatabase, logger: logger) }
        }
        // The results of earlier runs, if any: a run that cannot start (no slide to calibrate on) creates no database.
        let earlierStore = FileManager.default.fileExists(atPath: base.resultsDatabase) ? try await openStore() : nil
        // `--precision auto` on an fp32 model: int8 only where it measured faster on this machine (cached per
        // machine kind; measured on a batch of the run's first tissue tiles otherwise).
        let resolved: RunSettings.Resolved
        if settings.precision == nil, settings.precisionIsAutomatic, let fp32 = engines as? FP32EngineFactory {
            let choice = try await setupPool.run { [source] in
                try AutomaticPrecision.choose(for: fp32.network, slides: slides, source: source, settings: base)
            }
            logger.info("precision auto: \(choice.precision.rawValue)", metadata: [
                "precision.reason": "\(choice.reason)", "precision.machine": "\(choice.machine)"])
            var chosen = settings
            chosen.automaticPrecision = choice
            if choice.precision == .int8 {
                chosen.precision = .int8
                engines = Int8EngineFactory(model: fp32.network)
            }
            resolved = try chosen.resolve(model: engines.model)
        } else {
            resolved = base
        }
        // An fp32 model run at int8 is quantised here, from the run's first slides, before the run is recorded;
        // not when every slide is already done (a nightly run with nothing new), where it would cost a minute for
        // nothing.
        var calibrationReport: String?
        if let calibrating = engines as? any SlideCalibratedEngineFactory, calibrating.needsCalibration {
            let needed = try await setupPool.run { [source] in
                guard let earlierStore else { return true }
                return try Self.someSlideNeedsInference(slides, source: source, store: earlierStore, settings: resolved)
            }
            if needed {
                logger.info("int8: calibrating on the run's first slides", metadata: [
                    "model.sha256": "\(engines.model.sha256)", "calibration.tiles": "\(resolved.calibrationTiles)"])
                let calibrated = try await setupPool.run { [source] in
                    try calibrating.calibrated(on: slides, source: source, settings: resolved)
                }
                engines = calibrated.engines
                if !calibrated.report.isEmpty {
                    calibrationReport = calibrated.report
                    logger.info("\(calibrated.report)")
                }
            } else {
                let report = "int8: every slide is already done with this model and parameters; \(engines.model.path) was not quantised"
                calibrationReport = report
                logger.info("\(report)")
                engines = NothingToInferEngineFactory(engines, reason: "every slide was done when the run started")
            }
        }
        let engine = engines.identity
        let store: ResultsStore
        if let earlierStore { store = earlierStore } else { store = try await openStore() }

        let provenance = RunProvenance(
            gitCommit: BuildInfo.gitCommit, pipelineName: resolved.pipeline?.name,
            pipelineHash: resolved.pipeline?.hash, pipelineText: resolved.pipeline?.text,
            modelName: engine.modelName, modelSHA256: engine.modelSHA256,
            classes: engine.classNames.indices.map {
                ClassInfo(index: $0, name: engine.classNames[$0], colour: engine.classColours[$0])
            },
            parametersJSON: resolved.parametersJSON, parametersHash: resolved.parametersHash,
            threads: resolved.threads, openSlideVersion: Slide.libraryVersion,
            oneDNNVersion: Segmenter.libraryVersion, startedAt: startedAt, precision: engine.precision,
            quantizedModelSHA256: engine.quantizedModelSHA256, calibrationJSON: engine.calibrationJSON,
            nucleusClassIndex: resolved.nucleusClass)
        // Files an earlier Tessera wrote, before each was recorded, are recorded once (given to the latest slide run).
        try await setupPool.run { try store.adoptLegacyArtefacts(layout: resolved.layout) }
        let run = try await setupPool.run { try store.startRun(provenance) }
        // Held until the run's end is recorded (`-reserve` beside the results file, as SQLite's `-wal`): a disk that
        // fills during the run still has room for the interrupted slides and the run's status.
        let reserve = DiskReserve.hold(at: resolved.resultsDatabase + "-reserve")
        defer { reserve?.release() }
        // The output's lock is held: 'running' rows of other runs and scratch files of other processes are a dead
        // process's. Its rows read 'interrupted'; its scratch goes, except the canvases of resumable slide runs.
        let abandoned = try await setupPool.run { try store.markAbandonedRunsInterrupted(except: run.id) }
        try await setupPool.run { [excludeArtefacts = resolved.qc.excludeArtefacts] in
            try store.recordExcludeArtefacts(excludeArtefacts, run: run.id)
        }
        if resolved.writeHeatmaps {
            let resumable = try await setupPool.run { try store.resumableSlideRunIDs() }
            let removed = ScratchSpace.sweep(heatmapDirectory: resolved.heatmapDirectory, resumable: resumable)
            if !removed.isEmpty || abandoned > 0 {
                logger.info("cleaned up after a stopped run", metadata: [
                    "runs.interrupted": "\(abandoned)", "scratch.removed": "\(removed.joined(separator: ", "))"])
            }
        }
        logger.info("run started", metadata: [
            "run.uid": "\(run.runUID)", "run.resumed": "\(run.resumed)", "slides": "\(slides.count)",
            "model.sha256": "\(engine.modelSHA256)", "precision": "\(engine.precision)",
            "results": "\(resolved.resultsDatabase)"])

        let ledger = RunLedger(store: store, run: run)
        let graph = StageGraph(slides: slides, settings: resolved, source: source, engines: engines, ledger: ledger,
                               logger: logger, progress: progress)
        let stopAlreadyRequested = stop.withLock { state -> Bool in
            state.graph = graph
            return state.requested
        }
        if stopAlreadyRequested { graph.requestStop() }
        defer { stop.withLock { $0.graph = nil } }

        progress.runStarted(slides: slides.count)
        defer { progress.finish() }
        let outcomes: [SlideOutcome]
        var stopReason: String?
        do {
            outcomes = try await graph.process()
        } catch where Self.isResourceFailure(error) {
            // A full disk or an I/O error stops the run, but nothing recorded is wrong: the slides in progress keep
            // their committed tiles and canvas checkpoints, and the run ends interrupted, resumable once space is
            // freed. Slides finished before it stay done.
            reserve?.release()
            let reason = describe(error)
            logger.error("the run stopped: \(reason)")
            stopReason = reason
            outcomes = await graph.interruptSlidesInProgress(reason: reason)
        } catch {
            try? await ledger.finishRun(status: .failed, error: describe(error), stages: [])
            throw error
        }

        let stages = graph.allMetrics.map(\.snapshot)
        let interrupted = graph.isStopping
        // Each finished slide's areas, read back from the views: the summary states the numbers the file holds.
        var withAreas = outcomes
        for index in withAreas.indices {
            guard withAreas[index].status == .done, let id = withAreas[index].slideRunID else { continue }
            withAreas[index].areas = try? await setupPool.run { try store.areas(slideRun: SlideRunID(rawValue: id),
                                                                                excludeArtefacts: resolved.qc.excludeArtefacts) }
        }
        reserve?.release()
        do {
            try await ledger.finishRun(status: interrupted ? .interrupted : .finished, error: stopReason, stages: stages)
        } catch where Self.isResourceFailure(error) {
            // The slides' results are committed; the disk filled as the run's end was recorded. A run row left
            // 'running' is marked interrupted by the next run on the output.
            logger.error("could not record the end of the run: \(describe(error))")
        }
        var summary = RunSummary(runUID: run.runUID, resultsDatabase: resolved.resultsDatabase, startedAt: startedAt,
                                 finishedAt: Date(), interrupted: interrupted, slides: withAreas, stages: stages)
        summary.stopReason = stopReason
        summary.precision = engine.precision
        summary.quantizedModelSHA256 = engine.quantizedModelSHA256
        summary.calibrationReport = calibrationReport
        return summary
    }

    /// Whether a slide still needs the network: one that opens and has no finished slide run with this model and
    /// these parameters (the test the plan stage makes). A slide that does not open needs none (the run records it
    /// failed). Stops at the first that does.
    static func someSlideNeedsInference(_ slides: [URL], source: any SlideSource, store: ResultsStore,
                                        settings: RunSettings.Resolved) throws -> Bool {
        for url in slides {
            guard let slide = try? source.open(url) else { continue }
            let (sizeBytes, mtime) = SlideRecord.fileFacts(path: url.path)
            let fingerprint = SlideRecord.fingerprint(quickhash: slide.quickhash, path: url.path, sizeBytes: sizeBytes, mtime: mtime)
            if try !store.findCompletedSlideRun(slideFingerprint: fingerprint, modelSHA256: settings.model.sha256,
                                                parametersHash: settings.parametersHash) {
                return true
            }
        }
        return false
    }

    /// Disk full, quota or I/O errors (SQLite's, libtiff's through the heatmap writer, or the system's): the run is
    /// resumable once space is freed. Told by the error's code (SQLite's result code, errno), never by its text.
    static func isResourceFailure(_ error: any Error) -> Bool {
        if let store = error as? StoreError, let code = store.sqliteCode {
            return [13, 10].contains(code & 0xff)   // SQLITE_FULL, SQLITE_IOERR
        }
        return SystemErrorText.posixCode(of: error).map { [ENOSPC, EDQUOT, EIO].contains($0) } ?? false
    }
}

/// The engines of an int8 run on an fp32 model that was not quantised because no slide needed the network: every
/// slide was done when it started, or none gave a tissue tile. The run records its identity (int8, no quantised
/// model) and its engine is never asked for tiles. A slide that changed after the check (and so is planned after
/// all) fails with this error, and the next run analyses it.
struct NothingToInferEngineFactory: EngineFactory {
    let wrapped: any EngineFactory
    /// Why nothing was quantised ("every slide was done when the run started").
    let reason: String

    init(_ wrapped: any EngineFactory, reason: String) {
        self.wrapped = wrapped
        self.reason = reason
    }

    var model: SegmentationModelIdentity { wrapped.model }
    var identity: EngineIdentity { wrapped.identity }

    func makeEngine(batch: Int, tileSize: Int, threads: Int) throws -> any SegmentationEngine {
        Engine(path: wrapped.model.path, reason: reason)
    }

    final class Engine: SegmentationEngine {
        let path: String
        let reason: String
        init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }

        func probabilities(_ tiles: [RGBImage]) throws -> [Float] {
            throw RunError.invalidParameter("int8: \(path) was not quantised because \(reason); "
                + "a slide changed since: run again to analyse it")
        }
    }
}
