import Foundation
import TesseraCore
import TesseraHeatmap
import TesseraStore

/// stitch: probabilities in, rows and slide ends out. Crops each tile's prediction to its own window, paints it
/// into the slide's canvas, summarises it for its row, and decides when a slide's rows are committed (each commit
/// preceded by a checkpoint of the canvas that holds them) and when a slide is finished.
struct StitchStage: Sendable {
    let input: BoundedQueue<InferredBatch>
    let output: BoundedQueue<WriteRequest>
    let classCount: Int
    let tileSize: Int
    let writeHeatmaps: Bool
    let metrics: StageMeter

    /// How often an unfinished slide's rows are committed when heatmaps are on: each commit is preceded by a
    /// checkpoint (the canvas synchronised to disk and the list of painted tiles rewritten).
    static let checkpointInterval: Duration = .seconds(10)
    /// Slides of up to this many tiles are checkpointed with every batch (a few milliseconds), so small slides
    /// commit their rows as they go; beyond it the painted-tile list makes each checkpoint costlier.
    static let smallSlideTiles = 2_000

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

    func run() async {
        defer { output.finish() }
        var open: [Int: SlideStitch] = [:]
        let tilePlane = classCount * tileSize * tileSize
        while let batch = await input.next(metrics: metrics) {
            let started = ContinuousClock.now
            var outgoing: [WriteRequest] = []
            var touched: [Int] = []
            var tileOrdinal = 0
            for item in batch.items {
                let job = item.job
                var state = open[job.ordinal]
                    ?? SlideStitch(job: job, remaining: job.tilesToProcess.count, painted: job.alreadyDone)
                switch item {
                case .tile(_, let tile, _):
                    let offset = tileOrdinal * tilePlane
                    let nuclei = tileOrdinal < batch.nuclei.count ? batch.nuclei[tileOrdinal] : []
                    tileOrdinal += 1
                    let geometry = TileOutputGeometry(readWindow: tile.readWindow, ownWindow: tile.ownWindow,
                                                      slideBounds: job.slide.bounds, outputWidth: tileSize,
                                                      outputHeight: tileSize)
                    let summary = batch.probabilities.withUnsafeBufferPointer { all in
                        let probabilities = UnsafeBufferPointer(rebasing: all[offset..<(offset + tilePlane)])
                        job.canvas?.paint(probabilities: probabilities, geometry: geometry)
                        return TileAggregation.summarise(probabilities: probabilities, classCount: classCount,
                                                         geometry: geometry, tissue: job.tissueMask,
                                                         artefacts: job.artefacts)
                    }
                    // The tissue fraction the shares of tissue divide by: counted on the same model pixels as the
                    // classes (the plan's, from the mask's area, decided which tiles to keep).
                    state.pendingRows.append(TileResult(
                        index: tile.index, ownWindow: tile.ownWindow.intersection(job.slide.bounds),
                        tissueFraction: summary.tissueFraction ?? tile.tissueFraction,
                        classes: summary.areaFractions.indices.map {
                            ClassPrediction(areaFraction: summary.areaFractions[$0],
                                            meanProbability: summary.meanProbabilities[$0],
                                            tissueAreaFraction: summary.tissueAreaFractions?[$0],
                                            artefactAreaFraction: summary.artefactAreaFractions?[$0])
                        },
                        nuclei: nuclei))
                    state.painted.insert(tile.index)
                    state.remaining -= 1
                    state.processed += 1
                    metrics.addItems()
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
                } else if !writeHeatmaps || state.job.plan.tiles.count <= Self.smallSlideTiles
                            || ContinuousClock.now - state.lastFlush >= Self.checkpointInterval {
                    outgoing.append(contentsOf: flush(&state))
                    open[ordinal] = state
                }
            }
            metrics.addBusy(ContinuousClock.now - started)
            for request in outgoing {
                await output.send(request, metrics: metrics)
            }
        }
        // Input ended with slides still open: the run was stopped. Commit what was stitched; the next run resumes.
        for ordinal in open.keys.sorted() {
            guard var state = open[ordinal] else { continue }
            for request in flush(&state) { await output.send(request, metrics: metrics) }
            await output.send(.slideInterrupted(state.job, processed: state.processed), metrics: metrics)
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
}
