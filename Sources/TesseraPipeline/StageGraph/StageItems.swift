import Foundation
import Synchronization
import TesseraCore
import TesseraHeatmap
import TesseraSlide
import TesseraStore

/// One slide on its way through the graph: its open handle, its plan and the tiles this run still has to do.
final class SlideJob: Sendable {
    let ordinal: Int
    let url: URL
    let slide: any SourceSlide
    let resolution: SlideResolution
    let plan: TilePlan
    let slideRun: SlideRunID
    /// Tiles done before this run (committed, and in the heatmap checkpoint when heatmaps are on).
    let alreadyDone: Set<Int>
    /// Tiles to read and infer in this run (all planned tiles, less `alreadyDone`).
    let tilesToProcess: [PlannedTile]
    /// The slide's heatmap canvas (file-backed, holding what an interrupted earlier attempt painted); nil when
    /// heatmaps are off.
    let canvas: HeatmapCanvas?
    /// The stem of the slide's output file names (`OutputNames`).
    let outputStem: String
    /// The tissue mask the plan was made from: which model pixels of a tile count as tissue (nil: all of them).
    let tissueMask: TissueMask?
    /// The slide's content fingerprint, for the provenance written into its files.
    let fingerprint: String
    /// True when other content was analysed at this path before (now superseded).
    let contentChanged: Bool
    /// Why the slide's numbers need a person's eye (recorded in review_flags); empty when they do not.
    let review: [ReviewFlag]
    /// The slide's stain normalisation, fixed at planning; the readers apply it to every tile.
    let stain: SlideStain
    /// Where the slide's QC found artefacts in its tissue; nil when QC is off.
    let artefacts: ArtefactGrid?
    /// The QC's map of every kind, written as the slide run's `.qc.tif` when the slide finishes; nil when QC is off.
    let qcMap: QCArtefactMap?
    let started: ContinuousClock.Instant
    private let failureMessage = Mutex<String?>(nil)

    init(ordinal: Int, url: URL, slide: any SourceSlide, resolution: SlideResolution, plan: TilePlan,
         slideRun: SlideRunID, alreadyDone: Set<Int>, tilesToProcess: [PlannedTile], canvas: HeatmapCanvas?,
         outputStem: String, tissueMask: TissueMask?, fingerprint: String, contentChanged: Bool, review: [ReviewFlag],
         stain: SlideStain, artefacts: ArtefactGrid? = nil, qcMap: QCArtefactMap? = nil) {
        self.artefacts = artefacts
        self.qcMap = qcMap
        self.review = review
        self.fingerprint = fingerprint
        self.tissueMask = tissueMask
        self.contentChanged = contentChanged
        self.ordinal = ordinal
        self.url = url
        self.slide = slide
        self.resolution = resolution
        self.plan = plan
        self.slideRun = slideRun
        self.alreadyDone = alreadyDone
        self.tilesToProcess = tilesToProcess
        self.canvas = canvas
        self.outputStem = outputStem
        self.stain = stain
        self.started = .now
    }

    /// Records the first failure; later tiles of a failed slide are dropped without being read.
    func fail(_ message: String) { failureMessage.withLock { if $0 == nil { $0 = message } } }
    var failure: String? { failureMessage.withLock { $0 } }
    var checkpointKey: String { "slide-run-\(slideRun.rawValue)" }
    var seconds: Double { (ContinuousClock.now - started).seconds }
}

/// plan -> read.
enum ReadRequest: Sendable {
    case tile(SlideJob, PlannedTile)
    /// A slide with nothing (left) to infer still has to be finished: heatmaps written, status recorded.
    case nothingToRead(SlideJob)
}

/// read -> batch.
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

/// batch -> infer.
struct InferenceBatch: Sendable {
    var items: [ReadResult] = []
    var tileCount: Int { items.reduce(0) { if case .tile = $1 { $0 + 1 } else { $0 } } }
}

/// infer -> stitch.
struct InferredBatch: Sendable {
    let items: [ReadResult]
    /// Softmax probabilities of the batch's tiles in item order: tiles x classes x size x size.
    let probabilities: [Float]
    /// Per tile, in item order, the nuclei it answers for (the nucleus stage's; empty when nuclei are not counted).
    var nuclei: [[Nucleus]] = []
}

/// stitch -> write.
enum WriteRequest: Sendable {
    case tiles(SlideJob, [TileResult])
    case slideFinished(SlideJob, processed: Int)
    case slideFailed(SlideJob, String, processed: Int)
    /// `error`: why the run stopped, when it was not asked to (a full disk).
    case slideInterrupted(SlideJob, processed: Int, error: String? = nil)
    /// The slide's heatmap canvas as stitched so far, made durable with the tiles it holds before those tiles'
    /// rows are committed.
    case checkpoint(SlideJob, paintedTiles: Set<Int>)
}

/// Each slide's outcome as the stages settle it, and the jobs still in flight (which hold an open slide and a
/// canvas: a finished slide's are let go at once, so a batch of any number of slides holds only those in flight).
final class SlideOutcomes: Sendable {
    private let state = Mutex<(outcomes: [Int: SlideOutcome], inFlight: [Int: SlideJob])>(([:], [:]))
    let progress: ProgressReporter

    init(progress: ProgressReporter) { self.progress = progress }

    func started(_ job: SlideJob) {
        state.withLock { $0.inFlight[job.ordinal] = job }
        progress.slideStarted(name: job.url.lastPathComponent, tiles: job.tilesToProcess.count)
    }

    func record(_ ordinal: Int, _ outcome: SlideOutcome) {
        state.withLock {
            $0.outcomes[ordinal] = outcome
            $0.inFlight[ordinal] = nil
        }
        progress.slideEnded(outcome)
    }

    /// Jobs started but never settled (the run was stopped before the stitcher reached them), by ordinal.
    var unsettled: [SlideJob] {
        state.withLock { state in state.inFlight.values.filter { state.outcomes[$0.ordinal] == nil } }
            .sorted { $0.ordinal < $1.ordinal }
    }

    /// One outcome per slide, in the slides' order; a slide never reached is interrupted.
    func all(_ slides: [URL]) -> [SlideOutcome] {
        let recorded = state.withLock { $0.outcomes }
        return slides.enumerated().map { ordinal, url in
            recorded[ordinal] ?? SlideOutcome(path: url.path, status: .interrupted,
                                              error: "the run was stopped before this slide started")
        }
    }
}

/// Errors of Tessera's modules describe themselves (file, problem, what to do); Foundation's are put in plain words.
func describe(_ error: any Error) -> String { SystemErrorText.describe(error) }

/// The first path each slide content (fingerprint) was planned under in this run, so that a copy of a slide at a
/// second path is recorded as a duplicate of the first, not run into the first's slide run.
final class FirstPaths: Sendable {
    private let paths = Mutex<[String: String]>([:])

    /// The path `fingerprint` was first claimed with, when that is not `path`; nil when `path` is (now) its first.
    func claim(_ fingerprint: String, path: String) -> String? {
        paths.withLock { paths in
            if let first = paths[fingerprint], first != path { return first }
            paths[fingerprint] = path
            return nil
        }
    }
}
