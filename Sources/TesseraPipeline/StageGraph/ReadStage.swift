import Foundation
import TesseraCore

/// read: tiles to read in, pixels out. Several run at once (`--readers`), each read on the reader pool.
struct ReadStage: Sendable {
    let input: BoundedQueue<ReadRequest>
    let output: BoundedQueue<ReadResult>
    let tileSize: Int
    let metrics: StageMetrics
    let pool: BlockingThreadPool

    func run() async {
        defer { output.finish() }
        while let request = await input.next(metrics: metrics) {
            let result: ReadResult
            switch request {
            case .nothingToRead(let job):
                result = .nothingToRead(job)
            case .tile(let job, let tile):
                if job.failure != nil {
                    result = .failed(job, tile)
                    break
                }
                do {
                    let image = try await metrics.measure {
                        try await pool.run { [tileSize] in
                            var image = try job.slide.read(level0Window: tile.readWindow, outputWidth: tileSize,
                                                           outputHeight: tileSize)
                            // Stain normalisation runs here, on the reader's thread, right after the read.
                            job.stain.apply(to: &image)
                            return image
                        }
                    }
                    metrics.addItems()
                    result = .tile(job, tile, image)
                } catch {
                    job.fail("tile \(tile.index) at level-0 \(tile.readWindow): \(describe(error))")
                    result = .failed(job, tile)
                }
            }
            if !(await output.send(result, metrics: metrics)) { return }
        }
    }
}
