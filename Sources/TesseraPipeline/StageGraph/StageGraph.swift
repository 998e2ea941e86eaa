import Foundation
import Logging
import Synchronization
import TesseraCore
import TesseraHeatmap
import TesseraNetwork
import TesseraSlide
import TesseraStain
import TesseraStore

/// One slide on its way through the graph: its open handle, its plan and the tiles this run still has to do.
final class SlideJob: Sendable {
    let ordinal: Int
    let url: URL
    let slide: Slide
    let resolution: TesseraSlide.SlideResolution
    let plan: TilePlan
    let slideRun: SlideRunHandle
    /// Tiles to read and infer in this run (all planned tiles, less those a resumed run already holds).
    let tilesToProcess: [PlannedTile]
    /// The slide's heatmap canvas (file-backed, holding what an interrupted earlier attempt painted); nil when
    /// heatmaps are off.
    let canvas: HeatmapCanvas?
    /// The slide's stain normalisation, fixed at planning; the readers apply it to every tile.
    let stain: SlideStain
    let started: ContinuousClock.Instant
    private let failureMessage = Mutex<String?>(nil)

    init(ordinal: Int, url: URL, slide: Slide, resolution: TesseraSlide.SlideResolution, plan: TilePlan, slideRun: SlideRunHandle,
         tilesToProcess: [PlannedTile], canvas: HeatmapCanvas?, stain: SlideStain) {
        self.ordinal = ordinal
        self.url = url
        self.slide = slide
        self.resolution = resolution
        self.plan = plan
        self.slideRun = slideRun
        self.tilesToProcess = tilesToProcess
        self.canvas = canvas
        self.stain = stain
        self.started = .now
    }

    /// Records the first failure; later tiles of a failed slide are dropped without being read.
    func fail(_ message: String) { failureMessage.withLock { if $0 == nil { $0 = message } } }
    var failure: String? { failureMessage.withLock { $0 } }
}

enum ReadRequest: Sendable {
    case tile(SlideJob, PlannedTile)
    /// A slide with nothing (left) to infer still has to be finished: heatmaps written, status recorded.
    case nothingToRead(SlideJob)
}

enum ReadResult: Sendable {
    case tile(SlideJob, PlannedTile, RGBImage)
    case failed(SlideJob, PlannedTile)
    case nothingToRead(SlideJob)

    var job: SlideJob {
        switch self {
        case .tile(let job, _, _), .failed(let job, _), .nothingToRead(let job): job
        }
    }
}

struct InferenceBatch: Sendable {
    var items: [ReadResult] = []
    var tileCount: Int { items.reduce(0) { if case .tile = $1 { $0 + 1 } else { $0 } } }
}

struct InferredBatch: Sendable {
    let items: [ReadResult]
    /// Softmax probabilities of the batch's tiles in item order: tiles x classes x size x size.
    let probabilities: [Float]
}

enum WriteRequest: Sendable {
    case tiles(SlideJob, [TileResult])
    case slideFinished(SlideJob, processed: Int)
    case slideFailed(SlideJob, String, processed: Int)
    case slideInterrupted(SlideJob, processed: Int)
    /// The slide's heatmap canvas as stitched so far, made durable with the tiles it holds before those tiles'
    /// rows are committed.
    case checkpoint(SlideJob, paintedTiles: Set<Int>)
}

/// Settings resolved once per run from the configuration and the model.
struct ResolvedRunSettings: Sendable {
    let targetMPP: Double
    let tileSize: Int
    let overlap: Int
    let batchSize: Int
    let readers: Int
    let threads: Int
    let tissue: TissueSettings
    let slideMPP: Double?
    let writeHeatmaps: Bool
    let heatmapDirectory: URL
    /// Heatmap pixel size in model pixels; d = this x (target mpp / slide mpp), rounded to a whole number of
    /// level-0 pixels so heatmap pixels sit on the level-0 grid.
    let heatmapModelPixels: Double
    /// Stain normalisation (off when the model has no reference and none was asked for).
    let stain: ResolvedStain

    func heatmapDownsample(slideMPP: Double) -> Double {
        Swift.max(1, (heatmapModelPixels * targetMPP / slideMPP).rounded())
    }
}

/// The stage graph of one run: discover -> plan -> read (parallel) -> batch -> infer -> stitch -> write.
///
/// Stages are tasks joined by bounded queues; the blocking work (OpenSlide reads, oneDNN, SQLite and libtiff) runs
/// on dedicated thread pools, never on the cooperative pool. Slides flow through back to back: the next slide's
/// planning and reading start while the current slide's last batches are inferred.
final class StageGraph: Sendable {
    let settings: ResolvedRunSettings
    let model: SegmentationModel
    let store: ResultsStore
    let run: RunStart
    let parametersHash: String
    let logger: Logger
    let progress: ProgressReporter

    let planMetrics = StageMetrics(name: "plan")
    let readMetrics = StageMetrics(name: "read")
    let batchMetrics = StageMetrics(name: "batch")
    let inferMetrics = StageMetrics(name: "infer")
    let stitchMetrics = StageMetrics(name: "stitch")
    let writeMetrics = StageMetrics(name: "write")
    var allMetrics: [StageMetrics] { [planMetrics, readMetrics, batchMetrics, inferMetrics, stitchMetrics, writeMetrics] }

    private let readRequests: BoundedQueue<ReadRequest>
    private let readResults: BoundedQueue<ReadResult>
    private let batches: BoundedQueue<InferenceBatch>
    private let inferred: BoundedQueue<InferredBatch>
    private let writes: BoundedQueue<WriteRequest>

    private let readPool: BlockingThreadPool
    private let inferencePool = BlockingThreadPool(name: "tessera-infer", threads: 1)
    private let ioPool = BlockingThreadPool(name: "tessera-io", threads: 1)
    private let stopRequested = Mutex(false)
    private let outcomes = Mutex<[Int: SlideOutcome]>([:])
    private let plannedJobs = Mutex<[Int: SlideJob]>([:])

    init(settings: ResolvedRunSettings, model: SegmentationModel, store: ResultsStore, run: RunStart,
         parametersHash: String, logger: Logger, progress: ProgressReporter) {
        self.settings = settings
        self.model = model
        self.store = store
        self.run = run
        self.parametersHash = parametersHash
        self.logger = logger
        self.progress = progress
        readPool = BlockingThreadPool(name: "tessera-read", threads: settings.readers)
        readRequests = BoundedQueue(name: "read requests", capacity: settings.readers * 4)
        readResults = BoundedQueue(name: "tiles read", capacity: settings.batchSize * 2, producers: settings.readers)
        batches = BoundedQueue(name: "batches", capacity: 2)
        inferred = BoundedQueue(name: "inferred", capacity: 2)
        writes = BoundedQueue(name: "writes", capacity: 8)
    }

    deinit {
        readPool.shutdown()
        inferencePool.shutdown()
        ioPool.shutdown()
    }

    /// Asks the graph to stop: no new tiles are read; what is in flight is inferred, stitched and committed.
    func requestStop() {
        stopRequested.withLock { $0 = true }
        // Tiles read or batched but not yet being inferred are dropped: the batch inferring now is the last.
        readRequests.cancel()
        readResults.cancel()
        batches.cancel()
    }

    var isStopping: Bool { stopRequested.withLock { $0 } }

    /// Runs a stage that can fail for the whole run (oneDNN, the results file). When it fails, every queue is
    /// cancelled so that the other stages, which may be waiting on one, end too instead of waiting for ever.
    private func abortingOnError(_ stage: () async throws -> Void) async throws {
        do {
            try await stage()
        } catch {
            stopRequested.withLock { $0 = true }
            for cancel in [readRequests.cancel, readResults.cancel, batches.cancel, inferred.cancel, writes.cancel] {
                cancel()
            }
            throw error
        }
    }

    /// Runs every slide and returns one outcome per slide, in the slides' order.
    func process(_ slides: [URL]) async throws -> [SlideOutcome] {
        let segmenterBox = try await inferencePool.run { [model, settings] in
            try SegmenterBox(Segmenter(model: model, batch: settings.batchSize, height: settings.tileSize,
                                       width: settings.tileSize, threads: settings.threads))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.planStage(slides) }
            for _ in 0..<settings.readers {
                group.addTask { await self.readStage() }
            }
            group.addTask { await self.batchStage() }
            group.addTask { try await self.abortingOnError { try await self.inferStage(segmenterBox) } }
            group.addTask { await self.stitchStage() }
            group.addTask { try await self.abortingOnError { try await self.writeStage() } }
            try await group.waitForAll()
        }
        // Slides planned but never reached by the stitcher before a stop are interrupted too.
        let unfinished = plannedJobs.withLock { $0.values }.filter { job in outcomes.withLock { $0[job.ordinal] == nil } }
        for job in unfinished.sorted(by: { $0.ordinal < $1.ordinal }) {
            try await ioPool.run { try self.apply(.slideInterrupted(job, processed: 0)) }
        }
        let recorded = outcomes.withLock { $0 }
        return slides.enumerated().map { ordinal, url in
            recorded[ordinal] ?? SlideOutcome(path: url.path, status: .interrupted,
                                              error: "the run was stopped before this slide started")
        }
    }

    private func record(_ ordinal: Int, _ outcome: SlideOutcome) {
        outcomes.withLock { $0[ordinal] = outcome }
        // A finished slide's job holds its OpenSlide handle and heatmap canvas: let them go now, so a batch of any
        // number of slides holds only the slides in flight.
        plannedJobs.withLock { $0[ordinal] = nil }
        progress.slideEnded(outcome)
    }

    // MARK: Plan

    private func planStage(_ slides: [URL]) async {
        defer { readRequests.finish() }
        for (ordinal, url) in slides.enumerated() {
            if isStopping { break }
            let started = ContinuousClock.now
            let job: SlideJob?
            do {
                job = try await planMetrics.measure { try await ioPool.run { try self.plan(ordinal: ordinal, url: url) } }
            } catch {
                let message = Self.describe(error)
                logger.warning("slide failed", metadata: ["slide.path": "\(url.path)", "error": "\(message)"])
                record(ordinal, SlideOutcome(path: url.path, status: .failed, error: message,
                                             seconds: (ContinuousClock.now - started).seconds))
                continue
            }
            planMetrics.addItems()
            guard let job else { continue }   // skipped: already done
            plannedJobs.withLock { $0[ordinal] = job }
            progress.slideStarted(name: url.lastPathComponent, tiles: job.tilesToProcess.count)
            if job.tilesToProcess.isEmpty {
                if !(await readRequests.send(.nothingToRead(job), metrics: planMetrics)) { break }
                continue
            }
            for tile in job.tilesToProcess {
                if !(await readRequests.send(.tile(job, tile), metrics: planMetrics)) { break }
            }
        }
    }

    /// Opens a slide, finds its tissue and plans its tiles; nil when an earlier run already did this slide with the
    /// same model and parameters (recorded as skipped).
    private func plan(ordinal: Int, url: URL) throws -> SlideJob? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        let sizeBytes = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        let mtime = attributes?[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0)
        // What is known of the file before OpenSlide has read it, for recording a slide that will not open.
        var slideRecord = SlideRecord.unreadable(path: url.path, sizeBytes: sizeBytes, mtime: mtime)
        do {
            let slide = try Slide(contentsOf: url)
            slideRecord = SlideRecord(path: url.path, sizeBytes: sizeBytes, mtime: mtime, quickhash: slide.quickhash,
                                      vendor: slide.vendor, width: slide.width, height: slide.height,
                                      mppX: slide.micronsPerPixel?.x, mppY: slide.micronsPerPixel?.y,
                                      objectivePower: slide.objectivePower)
            return try plan(ordinal: ordinal, url: url, slide: slide, slideRecord: slideRecord)
        } catch {
            let failed = try store.startSlideRun(run: run.id, slide: slideRecord, resolution: nil, tilesPlanned: nil)
            try store.finishSlideRun(failed.id, status: .failed, error: Self.describe(error), seconds: 0)
            throw error
        }
    }

    private func plan(ordinal: Int, url: URL, slide: Slide, slideRecord: SlideRecord) throws -> SlideJob? {
        if try store.findCompletedSlideRun(slideFingerprint: slideRecord.fingerprint, modelSHA256: model.sha256,
                                           parametersHash: parametersHash) {
            logger.info("slide already done with this model and parameters: skipped",
                        metadata: ["slide.path": "\(url.path)"])
            record(ordinal, SlideOutcome(path: url.path, status: .skipped))
            return nil
        }
        let resolution = try slide.resolution(userStatedMPP: settings.slideMPP)
        if resolution.source == .objectivePower {
            logger.warning("slide has no mpp: using 10 / objective power", metadata: [
                "slide.path": "\(url.path)", "slide.mpp": "\(resolution.mpp)"])
        }
        let (plan, _) = try TilePlan.plan(slide: slide, resolution: resolution, targetMPP: settings.targetMPP,
                                     tileSize: settings.tileSize, overlap: settings.overlap,
                                     tissue: TissueDetectionParameters(
                                        thumbnailMPP: settings.tissue.thumbnailMPP,
                                        minimumRegionAreaMM2: settings.tissue.minimumRegionAreaMM2),
                                     minimumTissueFraction: settings.tissue.minimumTissueFraction)
        let slideRun = try store.startSlideRun(
            run: run.id, slide: slideRecord,
            resolution: TesseraStore.SlideResolution(mppX: resolution.mpp, mppY: resolution.mpp,
                                                     source: resolution.source.rawValue),
            tilesPlanned: plan.tiles.count)
        // The slide's stain, estimated once from a fixed sample of its tissue tiles (or the fallback and its warning).
        let size = settings.tileSize
        let stain = settings.stain.planSlide(plan) { tile in
            try slide.read(level0Window: tile.readWindow, outputWidth: size, outputHeight: size)
        }
        try store.recordStain(stain.record, slideRun: slideRun.id)
        if let warning = stain.record.warning {
            logger.warning("slide not stain-normalised", metadata: ["slide.path": "\(url.path)", "warning": "\(warning)"])
        }
        let downsample = settings.heatmapDownsample(slideMPP: resolution.mpp)
        // Resume: tiles committed by an earlier attempt are not inferred again when the heatmap checkpoint holds
        // them too (the checkpoint is written before each commit, so it holds at least the committed tiles).
        var canvas: HeatmapCanvas?
        var done = slideRun.committedTileIndices
        if settings.writeHeatmaps {
            let checkpoint = try HeatmapCheckpoint.openOrCreate(
                directory: settings.heatmapDirectory, key: Self.checkpointKey(slideRun.id), parametersHash: parametersHash,
                slideWidth: slide.width, slideHeight: slide.height, downsample: downsample, classCount: model.classCount)
            canvas = checkpoint.canvas
            done.formIntersection(checkpoint.paintedTiles)
        }
        let remaining = plan.tiles.filter { !done.contains($0.index) }
        if !slideRun.committedTileIndices.isEmpty {
            logger.info("resuming slide", metadata: ["slide.path": "\(url.path)",
                                                     "tiles.committed": "\(slideRun.committedTileIndices.count)",
                                                     "tiles.remaining": "\(remaining.count)"])
        }
        return SlideJob(ordinal: ordinal, url: url, slide: slide, resolution: resolution, plan: plan,
                        slideRun: SlideRunHandle(id: slideRun.id, alreadyDone: done),
                        tilesToProcess: remaining, canvas: canvas, stain: stain)
    }

    // MARK: Read

    private func readStage() async {
        defer { readResults.finish() }
        while let request = await readRequests.next(metrics: readMetrics) {
            let result: ReadResult
            switch request {
            case .nothingToRead(let job):
                result = .nothingToRead(job)
            case .tile(let job, let tile):
                if job.failure != nil {
                    result = .failed(job, tile)
                    break
                }
                let size = settings.tileSize
                do {
                    // The stain transform runs here, on the reader's thread, right after the read.
                    let image = try await readMetrics.measure {
                        try await readPool.run {
                            var image = try job.slide.read(level0Window: tile.readWindow, outputWidth: size, outputHeight: size)
                            job.stain.apply(to: &image)
                            return image
                        }
                    }
                    readMetrics.addItems()
                    result = .tile(job, tile, image)
                } catch {
                    job.fail("tile \(tile.index) at level-0 \(tile.readWindow): \(Self.describe(error))")
                    result = .failed(job, tile)
                }
            }
            if !(await readResults.send(result, metrics: readMetrics)) { return }
        }
    }

    // MARK: Batch

    private func batchStage() async {
        defer { batches.finish() }
        var batch = InferenceBatch()
        while let result = await readResults.next(metrics: batchMetrics) {
            batch.items.append(result)
            // Failed and empty-slide items ride along with the next batch; a batch is full at batchSize tiles.
            if batch.tileCount == settings.batchSize {
                batchMetrics.addItems()
                if !(await batches.send(batch, metrics: batchMetrics)) { return }
                batch = InferenceBatch()
            }
        }
        if !batch.items.isEmpty {
            batchMetrics.addItems()
            await batches.send(batch, metrics: batchMetrics)
        }
    }

    // MARK: Infer

    private func inferStage(_ segmenter: SegmenterBox) async throws {
        defer { inferred.finish() }
        while let batch = await batches.next(metrics: inferMetrics) {
            let tiles = batch.items.compactMap { item -> RGBImage? in
                if case .tile(_, _, let image) = item { image } else { nil }
            }
            var probabilities: [Float] = []
            if !tiles.isEmpty {
                probabilities = try await inferMetrics.measure {
                    try await inferencePool.run { try segmenter.segmenter.probabilities(tiles) }
                }
                inferMetrics.addItems(tiles.count)
            }
            if !(await inferred.send(InferredBatch(items: batch.items, probabilities: probabilities),
                                     metrics: inferMetrics)) { return }
        }
    }

    // MARK: Stitch

    /// Per-slide state owned by the stitch stage alone.
    private struct SlideStitch {
        let job: SlideJob
        var remaining: Int
        var processed = 0
        var pendingRows: [TileResult] = []
        /// Tiles the canvas holds: those of earlier attempts plus those stitched now.
        var painted: Set<Int>
        var lastFlush = ContinuousClock.now
    }

    /// How often an unfinished slide's rows are committed when heatmaps are on: each commit is preceded by a
    /// checkpoint (the canvas synchronised to disk and the list of painted tiles rewritten).
    static let checkpointInterval: Duration = .seconds(10)
    /// Slides of up to this many tiles are checkpointed with every batch (a few milliseconds), so small slides
    /// commit their rows as they go; beyond it the painted-tile list makes each checkpoint costlier.
    static let smallSlideTiles = 2_000

    private func stitchStage() async {
        defer { writes.finish() }
        var open: [Int: SlideStitch] = [:]
        let classCount = model.classCount
        let size = settings.tileSize
        let tilePlane = classCount * size * size
        while let batch = await inferred.next(metrics: stitchMetrics) {
            let started = ContinuousClock.now
            var outgoing: [WriteRequest] = []
            var touched: [Int] = []
            var tileOrdinal = 0
            for item in batch.items {
                let job = item.job
                var state = open[job.ordinal] ?? SlideStitch(
                    job: job, remaining: job.tilesToProcess.count, painted: job.slideRun.alreadyDone)
                switch item {
                case .tile(_, let tile, _):
                    let offset = tileOrdinal * tilePlane
                    tileOrdinal += 1
                    let geometry = TileOutputGeometry(readWindow: tile.readWindow, ownWindow: tile.ownWindow,
                                                      slideBounds: job.slide.bounds, outputWidth: size, outputHeight: size)
                    let summary = batch.probabilities.withUnsafeBufferPointer { all in
                        let probabilities = UnsafeBufferPointer(rebasing: all[offset..<(offset + tilePlane)])
                        job.canvas?.paint(probabilities: probabilities, geometry: geometry)
                        return TileAggregation.summarise(probabilities: probabilities, classCount: classCount,
                                                         geometry: geometry)
                    }
                    state.pendingRows.append(TileResult(
                        index: tile.index, ownWindow: tile.ownWindow.intersection(job.slide.bounds),
                        tissueFraction: tile.tissueFraction,
                        classes: zip(summary.areaFractions, summary.meanProbabilities).map {
                            ClassPrediction(areaFraction: $0, meanProbability: $1)
                        }))
                    state.painted.insert(tile.index)
                    state.remaining -= 1
                    state.processed += 1
                    stitchMetrics.addItems()
                case .failed:
                    state.remaining -= 1
                case .nothingToRead:
                    break
                }
                open[job.ordinal] = state
                if !touched.contains(job.ordinal) { touched.append(job.ordinal) }
            }
            for ordinal in touched {
                guard var state = open[ordinal] else { continue }
                // What this batch painted is in the canvas's file: drop it from memory, so the resident part of a
                // canvas is one batch's tiles whatever the slide's size.
                state.job.canvas?.releaseResidentPages()
                if state.remaining == 0 {
                    outgoing.append(.tiles(state.job, state.pendingRows))
                    if let failure = state.job.failure {
                        outgoing.append(.slideFailed(state.job, failure, processed: state.processed))
                    } else {
                        outgoing.append(.slideFinished(state.job, processed: state.processed))
                    }
                    open[ordinal] = nil
                } else if !settings.writeHeatmaps || state.job.plan.tiles.count <= Self.smallSlideTiles
                            || ContinuousClock.now - state.lastFlush >= Self.checkpointInterval {
                    outgoing.append(contentsOf: flush(&state))
                    open[ordinal] = state
                }
            }
            stitchMetrics.addBusy(ContinuousClock.now - started)
            for request in outgoing {
                await writes.send(request, metrics: stitchMetrics)
            }
        }
        // Input ended with slides still open: the run was stopped. Commit what was stitched; the next run resumes.
        for ordinal in open.keys.sorted() {
            guard var state = open[ordinal] else { continue }
            for request in flush(&state) { await writes.send(request, metrics: stitchMetrics) }
            await writes.send(.slideInterrupted(state.job, processed: state.processed), metrics: stitchMetrics)
        }
    }

    /// The rows stitched since the last flush, preceded by a checkpoint of the canvas that holds them.
    private func flush(_ state: inout SlideStitch) -> [WriteRequest] {
        guard !state.pendingRows.isEmpty else { return [] }
        var requests: [WriteRequest] = []
        if state.job.canvas != nil { requests.append(.checkpoint(state.job, paintedTiles: state.painted)) }
        requests.append(.tiles(state.job, state.pendingRows))
        state.pendingRows = []
        state.lastFlush = .now
        return requests
    }

    // MARK: Write

    private func writeStage() async throws {
        while let request = await writes.next(metrics: writeMetrics) {
            try await writeMetrics.measure { try await ioPool.run { try self.apply(request) } }
        }
    }

    private func apply(_ request: WriteRequest) throws {
        switch request {
        case .tiles(let job, let rows):
            try store.write(tiles: rows, slideRun: job.slideRun.id)
            writeMetrics.addItems(rows.count)
            progress.tilesDone(rows.count)
        case .checkpoint(let job, let paintedTiles):
            guard let canvas = job.canvas else { return }
            try HeatmapCheckpoint.save(canvas, paintedTiles: paintedTiles, parametersHash: parametersHash,
                                       directory: settings.heatmapDirectory, key: Self.checkpointKey(job.slideRun.id))
        case .slideFinished(let job, let processed):
            var heatmaps: [URL] = []
            if let canvas = job.canvas {
                do {
                    heatmaps = try writeHeatmaps(canvas, for: job)
                } catch {
                    // The slide's rows are committed, but without its heatmaps it is not done: it is recorded as
                    // failed with the reason (a full disk, say), and the next run does it again.
                    return try apply(.slideFailed(job, "writing heatmaps: \(Self.describe(error))", processed: processed))
                }
                HeatmapCheckpoint.remove(directory: settings.heatmapDirectory, key: Self.checkpointKey(job.slideRun.id))
            }
            let seconds = (ContinuousClock.now - job.started).seconds
            try store.finishSlideRun(job.slideRun.id, status: .done, seconds: seconds)
            logger.info("slide done", metadata: ["slide.path": "\(job.url.path)", "tiles": "\(processed)",
                                                 "seconds": "\(String(format: "%.1f", seconds))"])
            var outcome = SlideOutcome(path: job.url.path, status: .done, tilesPlanned: job.plan.tiles.count,
                                       tilesProcessed: processed, seconds: seconds, heatmaps: heatmaps.map(\.path))
            outcome.warning = job.stain.record.warning
            record(job.ordinal, outcome)
        case .slideFailed(let job, let message, let processed):
            let seconds = (ContinuousClock.now - job.started).seconds
            try store.finishSlideRun(job.slideRun.id, status: .failed, error: message, seconds: seconds)
            HeatmapCheckpoint.remove(directory: settings.heatmapDirectory, key: Self.checkpointKey(job.slideRun.id))
            logger.warning("slide failed", metadata: ["slide.path": "\(job.url.path)", "error": "\(message)"])
            record(job.ordinal, SlideOutcome(path: job.url.path, status: .failed, error: message,
                                             tilesPlanned: job.plan.tiles.count, tilesProcessed: processed,
                                             seconds: seconds))
        case .slideInterrupted(let job, let processed):
            let seconds = (ContinuousClock.now - job.started).seconds
            try store.finishSlideRun(job.slideRun.id, status: .interrupted, seconds: seconds)
            record(job.ordinal, SlideOutcome(path: job.url.path, status: .interrupted,
                                             tilesPlanned: job.plan.tiles.count, tilesProcessed: processed,
                                             seconds: seconds))
        }
    }

    private func writeHeatmaps(_ canvas: HeatmapCanvas, for job: SlideJob) throws -> [URL] {
        let classMap = canvas.classMapRaster
        let probabilities: [any HeatmapRaster] = (0..<canvas.classCount).map { canvas.probabilityRaster($0) }
        // Resolution tags only when the slide itself states its mpp: a user-stated or objective-derived guess is
        // not written into a file that viewers will trust.
        let fileMPP = job.resolution.source == .file ? job.slide.micronsPerPixel : nil
        let files = try HeatmapWriter.writeSlideHeatmaps(
            classMap: classMap, probabilities: probabilities,
            colours: model.classColours.map { (red: $0.0, green: $0.1, blue: $0.2) }, classNames: model.classNames,
            directory: settings.heatmapDirectory, slideFileName: job.url.lastPathComponent,
            downsample: canvas.downsample, micronsPerPixelX: fileMPP?.x, micronsPerPixelY: fileMPP?.y)
        return files.all
    }

    static func checkpointKey(_ slideRun: SlideRunID) -> String { "slide-run-\(slideRun.rawValue)" }

    /// Errors of Tessera's modules describe themselves (file, problem, what to do).
    static func describe(_ error: any Error) -> String { String(describing: error) }
}

/// The Segmenter holds oneDNN state that is not thread-safe; it is created and used only on the inference pool's
/// single thread, which is what makes handing it between tasks safe.
final class SegmenterBox: @unchecked Sendable {
    let segmenter: Segmenter
    init(_ segmenter: Segmenter) { self.segmenter = segmenter }
}

struct SlideRunHandle: Sendable {
    let id: SlideRunID
    /// Tiles done before this run (committed and in the heatmap checkpoint).
    let alreadyDone: Set<Int>
}
