import Foundation
import TesseraCore
import TesseraNuclei

/// nuclei: between infer and stitch, when the run counts nuclei (issue 27). Finds each tile's nuclei in its nucleus
/// class probability (`TileNuclei`: distance transform, markers, watershed), keeps those whose centroid lies in the
/// tile's own window, and marks which lie in the tissue. The batch goes on to the stitcher with its nuclei, which it
/// commits with the tile's row. The work runs on its own thread, next to the network's, so it costs wall time only
/// where the network leaves a core idle.
struct NucleusStage: Sendable {
    let input: BoundedQueue<InferredBatch>
    let output: BoundedQueue<InferredBatch>
    let finder: TileNuclei
    let metrics: StageMeter
    let pool: BlockingThreadPool

    func run() async {
        defer { output.finish() }
        while let batch = await input.next(metrics: metrics) {
            let started = ContinuousClock.now
            let found = await pool.run { [finder] in Self.nuclei(of: batch, finder: finder) }
            var withNuclei = batch
            withNuclei.nuclei = found
            metrics.addItems()
            metrics.addBusy(ContinuousClock.now - started)
            if !(await output.send(withNuclei, metrics: metrics)) { return }
        }
    }

    /// Per tile of the batch, in order, its nuclei.
    static func nuclei(of batch: InferredBatch, finder: TileNuclei) -> [[Nucleus]] {
        let tilePlane = finder.classCount * finder.size * finder.size
        var result: [[Nucleus]] = []
        var tileOrdinal = 0
        for item in batch.items {
            guard case .tile(let job, let tile, let image) = item else { continue }
            let offset = tileOrdinal * tilePlane
            tileOrdinal += 1
            let own = tile.ownWindow.intersection(job.slide.bounds)
            var nuclei = batch.probabilities.withUnsafeBufferPointer { all in
                finder.find(probabilities: UnsafeBufferPointer(rebasing: all[offset..<(offset + tilePlane)]),
                            readWindow: tile.readWindow, ownWindow: own, image: image,
                            micronsPerPixel: (job.resolution.mppX, job.resolution.mppY))
            }
            if let mask = job.tissueMask {
                for index in nuclei.indices {
                    nuclei[index].inTissue = mask.isTissue(level0X: nuclei[index].x, level0Y: nuclei[index].y)
                }
            }
            result.append(nuclei)
        }
        return result
    }
}
