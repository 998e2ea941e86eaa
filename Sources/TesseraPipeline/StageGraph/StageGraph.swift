import Foundation
import Logging
import Synchronization
import TesseraCore
import TesseraNuclei

/// The stage graph of one run: plan -> read (xR) -> batch -> infer -> [nuclei] -> stitch -> write, joined by bounded
/// queues (the nucleus stage only when the run counts nuclei).
///
/// This file only wires the stages (each in its own file, with its input and output queues) and stops them: the
/// blocking work runs on dedicated thread pools, never on the cooperative pool. Slides flow through back to back:
/// the next slide's planning and reading start while the current slide's last batches are inferred.
final class StageGraph: Sendable {
    let plan: PlanStage
    let readers: [ReadStage]
    let batch: BatchStage
    let infer: InferStage
    let nuclei: NucleusStage?
    let stitch: StitchStage
    let write: WriteStage
    let outcomes: SlideOutcomes
    let slides: [URL]

    let planMetrics = StageMeter(name: "plan")
    let readMetrics = StageMeter(name: "read")
    let batchMetrics = StageMeter(name: "batch")
    let inferMetrics = StageMeter(name: "infer")
    let nucleusMetrics = StageMeter(name: "nuclei")
    let stitchMetrics = StageMeter(name: "stitch")
    let writeMetrics = StageMeter(name: "write")
    /// The slide QC, which runs within plan (its time is in plan's too).
    let qcMetrics = StageMeter(name: "qc")
    let qcEnabled: Bool
    var allMetrics: [StageMeter] {
        [planMetrics] + (qcEnabled ? [qcMetrics] : []) + [readMetrics, batchMetrics, inferMetrics]
            + (nuclei == nil ? [] : [nucleusMetrics]) + [stitchMetrics, writeMetrics]
    }

    private let readRequests: BoundedQueue<ReadRequest>
    private let readResults: BoundedQueue<ReadResult>
    private let batches: BoundedQueue<InferenceBatch>
    private let inferred: BoundedQueue<InferredBatch>
    /// The nucleus stage's output (nil when nuclei are not counted: the stitcher reads `inferred`).
    private let withNuclei: BoundedQueue<InferredBatch>?
    private let writes: BoundedQueue<WriteRequest>
    private let pools: [BlockingThreadPool]
    private let stopRequested: StopFlag

    init(slides: [URL], settings: RunSettings.Resolved, source: any SlideSource, engines: any EngineFactory,
         ledger: RunLedger, logger: Logger, progress: ProgressReporter) {
        self.slides = slides
        qcEnabled = settings.qc.enabled
        let planPool = BlockingThreadPool(name: "tessera-plan", threads: 1)
        let readPool = BlockingThreadPool(name: "tessera-read", threads: settings.readers)
        let inferencePool = BlockingThreadPool(name: "tessera-infer", threads: 1)
        let heatmapPool = BlockingThreadPool(name: "tessera-heatmap", threads: 1)
        let nucleusPool = settings.nucleusClass == nil ? nil : BlockingThreadPool(name: "tessera-nuclei", threads: 1)
        pools = [planPool, readPool, inferencePool, heatmapPool] + (nucleusPool.map { [$0] } ?? [])
        readRequests = BoundedQueue(name: "read requests", capacity: settings.readers * 4)
        readResults = BoundedQueue(name: "tiles read", capacity: settings.batchSize * 2, producers: settings.readers)
        batches = BoundedQueue(name: "batches", capacity: 2)
        inferred = BoundedQueue(name: "inferred", capacity: 2)
        writes = BoundedQueue(name: "writes", capacity: 8)
        outcomes = SlideOutcomes(progress: progress)
        let classCount = engines.identity.classCount
        let stop = StopFlag()
        stopRequested = stop
        plan = PlanStage(slides: slides, output: readRequests, source: source, ledger: ledger, settings: settings,
                         classCount: classCount, outcomes: outcomes, metrics: planMetrics, logger: logger,
                         isStopping: { [stop] in stop.isSet }, pool: planPool, qcMetrics: qcMetrics)
        readers = (0..<settings.readers).map { [readRequests, readResults, readMetrics] _ in
            ReadStage(input: readRequests, output: readResults, tileSize: settings.tileSize, metrics: readMetrics,
                      pool: readPool)
        }
        batch = BatchStage(input: readResults, output: batches, batchSize: settings.batchSize, metrics: batchMetrics)
        infer = InferStage(input: batches, output: inferred, engines: engines, batchSize: settings.batchSize,
                           tileSize: settings.tileSize, threads: settings.threads, metrics: inferMetrics,
                           pool: inferencePool)
        if let nucleusClass = settings.nucleusClass, let nucleusPool {
            let withNuclei = BoundedQueue<InferredBatch>(name: "nuclei found", capacity: 2)
            self.withNuclei = withNuclei
            nuclei = NucleusStage(input: inferred, output: withNuclei,
                                  finder: TileNuclei(classCount: classCount, nucleusClass: nucleusClass,
                                                     size: settings.tileSize, settings: settings.nucleusSegmentation),
                                  metrics: nucleusMetrics, pool: nucleusPool)
        } else {
            withNuclei = nil
            nuclei = nil
        }
        stitch = StitchStage(input: withNuclei ?? inferred, output: writes, classCount: classCount, tileSize: settings.tileSize,
                             writeHeatmaps: settings.writeHeatmaps, metrics: stitchMetrics)
        write = WriteStage(input: writes, ledger: ledger, settings: settings, engine: engines.identity,
                           outcomes: outcomes, metrics: writeMetrics, logger: logger, pool: heatmapPool)
    }

    deinit {
        for pool in pools { pool.shutdown() }
    }

    /// Asks the graph to stop: no new tiles are read; what is in flight is inferred, stitched and committed.
    func requestStop() {
        stopRequested.set()
        // Tiles read or batched but not yet being inferred are dropped: the batch inferring now is the last.
        readRequests.cancel()
        readResults.cancel()
        batches.cancel()
    }

    var isStopping: Bool { stopRequested.isSet }

    /// Runs a stage that can fail for the whole run (the engine, the results file). When it fails, every queue is
    /// cancelled so that the other stages, which may be waiting on one, end too instead of waiting for ever.
    private func abortingOnError(_ stage: () async throws -> Void) async throws {
        do {
            try await stage()
        } catch {
            stopRequested.set()
            for cancel in [readRequests.cancel, readResults.cancel, batches.cancel, inferred.cancel, writes.cancel] {
                cancel()
            }
            withNuclei?.cancel()
            throw error
        }
    }

    /// Runs every slide and returns one outcome per slide, in the slides' order.
    func process() async throws -> [SlideOutcome] {
        try await infer.prepare()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.plan.run() }
            for reader in readers {
                group.addTask { await reader.run() }
            }
            group.addTask { await self.batch.run() }
            group.addTask { try await self.abortingOnError { try await self.infer.run() } }
            if let nuclei = self.nuclei { group.addTask { await nuclei.run() } }
            group.addTask { await self.stitch.run() }
            group.addTask { try await self.abortingOnError { try await self.write.run() } }
            try await group.waitForAll()
        }
        // Slides planned but never reached by the stitcher before a stop are interrupted too.
        for job in outcomes.unsettled {
            try await write.apply(.slideInterrupted(job, processed: 0))
        }
        return outcomes.all(slides)
    }
}

extension StageGraph {
    /// After a full disk or an I/O error stopped the graph: each slide still in progress is recorded interrupted with
    /// `reason` (its committed rows and canvas checkpoint stay, so the next run resumes it), and every slide gets its
    /// outcome. A slide the results file cannot record (it may be on the full disk) is still reported interrupted;
    /// the next run marks its row.
    func interruptSlidesInProgress(reason: String) async -> [SlideOutcome] {
        for job in outcomes.unsettled {
            do {
                try await write.apply(.slideInterrupted(job, processed: 0, error: reason))
            } catch {
                outcomes.record(job.ordinal, SlideOutcome(path: job.url.path, status: .interrupted, error: reason,
                                                          tilesPlanned: job.plan.tiles.count, tilesProcessed: 0,
                                                          seconds: job.seconds))
            }
        }
        return outcomes.all(slides)
    }
}

/// A flag set once, read from any thread.
final class StopFlag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}
