import Foundation
import TesseraCore
import TesseraSlide
import TesseraStore

/// Every call the run makes on its results store, on one thread of its own (SQLite's connection is used by one
/// thread at a time, and its calls block on disk I/O). Planning and writing both go through it; neither opens the
/// slide nor writes heatmaps on this thread, so a slide being planned never waits behind a heatmap being written.
final class RunLedger: Sendable {
    let store: ResultsStore
    let run: RunStart
    private let thread = BlockingThreadPool(name: "tessera-ledger", threads: 1)

    init(store: ResultsStore, run: RunStart) {
        self.store = store
        self.run = run
    }

    deinit { thread.shutdown() }

    /// Whether an earlier run with this model and parameters finished the slide.
    func isDone(_ slide: SlideRecord, modelSHA256: String, parametersHash: String) async throws -> Bool {
        try await thread.run { [store] in
            try store.findCompletedSlideRun(slideFingerprint: slide.fingerprint, modelSHA256: modelSHA256,
                                            parametersHash: parametersHash)
        }
    }

    /// Starts (or resumes) the slide's run; returns the tiles an earlier attempt committed and the stem its output
    /// files are named with (`OutputNames`: two slides of one file name never share it).
    func startSlide(_ slide: SlideRecord, resolution: SlideResolution, tilesPlanned: Int) async throws
        -> (start: SlideRunStart, outputStem: String) {
        try await thread.run { [store, run] in
            // Both axes as the slide states them: areas in mm² multiply mpp_x by mpp_y.
            let start = try store.startSlideRun(run: run.id, slide: slide, resolution: resolution,
                                                tilesPlanned: tilesPlanned)
            let fileName = URL(fileURLWithPath: slide.path).lastPathComponent
            let first = try store.firstSlidePath(withFileName: fileName)
            return (start, OutputNames.stem(slidePath: slide.path, firstSlidePathWithItsName: first))
        }
    }

    /// Records that the slide's path holds this content (see `ResultsStore.markCurrentContent`); true when other
    /// content was analysed there before.
    func markCurrentContent(_ slide: SlideRecord) async throws -> Bool {
        try await thread.run { [store] in try store.markCurrentContent(path: slide.path, fingerprint: slide.fingerprint) }
    }

    /// Records the files written for a slide run, with paths relative to the results file's folder.
    func recordArtefacts(_ files: [ArtefactFile], slideRun: SlideRunID, layout: OutputLayout) async throws {
        try await thread.run { [store, run] in
            try store.recordArtefacts(files, run: run.id, slideRun: slideRun, layout: layout)
        }
    }

    func recordReviewFlags(_ flags: [ReviewFlag], stainDistance: Double?, slideRun: SlideRunID) async throws {
        try await thread.run { [store] in
            try store.recordReviewFlags(flags, stainDistance: stainDistance, slideRun: slideRun)
        }
    }

    /// Records the slide's QC: verdict, areas per kind, tiles' fractions.
    func recordQC(_ record: SlideQCRecord, tiles: [TileQCFraction], slideRun: SlideRunID) async throws {
        try await thread.run { [store] in try store.recordQC(record, tiles: tiles, slideRun: slideRun) }
    }

    /// Records the slide's nuclei density grid (after its last tile is committed) and reads it back as the view
    /// gives it.
    func recordNucleusDensity(cellMicrons: Double, tissue: [DensityCellTissue],
                              slideRun: SlideRunID) async throws -> NucleusDensityGrid? {
        try await thread.run { [store] in
            try store.recordNucleusDensity(cellMicrons: cellMicrons, tissue: tissue, slideRun: slideRun)
            return try store.nucleusDensityGrid(slideRun: slideRun)
        }
    }

    /// Records how the slide's tiles are stain-normalised (or why they are not).
    func recordStain(_ record: SlideStainRecord, slideRun: SlideRunID) async throws {
        try await thread.run { [store] in try store.recordStain(record, slideRun: slideRun) }
    }

    /// The path this run recorded the slide's content under, when it is not `path` (a copy planned in an earlier
    /// attempt of a resumed run).
    func otherPathOfSlide(_ slide: SlideRecord, than path: String) async throws -> String? {
        try await thread.run { [store, run] in
            try store.slideRunPath(run: run.id, fingerprint: slide.fingerprint).flatMap { $0 == path ? nil : $0 }
        }
    }

    func recordWarning(_ warning: String, slideRun: SlideRunID) async throws {
        try await thread.run { [store] in try store.recordWarning(warning, slideRun: slideRun) }
    }

    /// Records a slide that could not be opened or planned.
    func recordFailure(_ slide: SlideRecord, error: String) async throws {
        try await thread.run { [store, run] in
            let failed = try store.startSlideRun(run: run.id, slide: slide, resolution: nil, tilesPlanned: nil)
            try store.finishSlideRun(failed.id, status: .failed, error: error, seconds: 0)
        }
    }

    func commit(_ tiles: [TileResult], slideRun: SlideRunID) async throws {
        try await thread.run { [store] in try store.write(tiles: tiles, slideRun: slideRun) }
    }

    func finishSlide(_ slideRun: SlideRunID, status: SlideRunStatus, error: String? = nil, seconds: Double) async throws {
        try await thread.run { [store] in
            try store.finishSlideRun(slideRun, status: status, error: error, seconds: seconds)
        }
    }

    /// Records how the run ended, then its stage figures, and closes the store. The status goes first: on a full
    /// disk it is the write that matters (a row left `running` reads as a run still going until the next run), and
    /// the space a failed commit took in the log usually holds it.
    func finishRun(status: RunStatus, error: String? = nil, stages: [StageMetrics]) async throws {
        try await thread.run { [store, run] in
            do {
                try store.finishRun(run.id, status: status, error: error)
                if !stages.isEmpty {
                    try store.recordStageMetrics(stages, run: run.id)
                }
            } catch {
                try? store.close()
                throw error
            }
            try store.close()
        }
    }
}
