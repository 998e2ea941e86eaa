import Foundation

/// batch: tiles read in, batches of `batchSize` tiles out. Failed and empty-slide items ride along with the next
/// batch, so the stitcher sees every slide's end in order.
struct BatchStage: Sendable {
    let input: BoundedQueue<ReadResult>
    let output: BoundedQueue<InferenceBatch>
    let batchSize: Int
    let metrics: StageMetrics

    func run() async {
        defer { output.finish() }
        var batch = InferenceBatch()
        while let result = await input.next(metrics: metrics) {
            batch.items.append(result)
            if batch.tileCount == batchSize {
                metrics.addItems()
                if !(await output.send(batch, metrics: metrics)) { return }
                batch = InferenceBatch()
            }
        }
        if !batch.items.isEmpty {
            metrics.addItems()
            await output.send(batch, metrics: metrics)
        }
    }
}
