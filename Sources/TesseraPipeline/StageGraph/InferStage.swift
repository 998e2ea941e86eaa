import Foundation
import TesseraCore

/// infer: batches in, probabilities out. The engine is made, used and released on the inference pool's one
/// thread (its state is not thread-safe); an engine error ends the run.
final class InferStage: Sendable {
    let input: BoundedQueue<InferenceBatch>
    let output: BoundedQueue<InferredBatch>
    let engines: any EngineFactory
    let batchSize: Int
    let tileSize: Int
    let threads: Int
    let metrics: StageMetrics
    let pool: BlockingThreadPool

    /// The engine, handed between tasks but only ever touched on `pool`'s single thread.
    private final class EngineBox: @unchecked Sendable {
        var engine: (any SegmentationEngine)?
    }
    private let box = EngineBox()

    init(input: BoundedQueue<InferenceBatch>, output: BoundedQueue<InferredBatch>, engines: any EngineFactory,
         batchSize: Int, tileSize: Int, threads: Int, metrics: StageMetrics, pool: BlockingThreadPool) {
        self.input = input
        self.output = output
        self.engines = engines
        self.batchSize = batchSize
        self.tileSize = tileSize
        self.threads = threads
        self.metrics = metrics
        self.pool = pool
    }

    /// Makes the engine before the graph starts, so that a model the engine rejects stops the run before any
    /// slide is touched.
    func prepare() async throws {
        try await pool.run { [box, engines, batchSize, tileSize, threads] in
            box.engine = try engines.makeEngine(batch: batchSize, tileSize: tileSize, threads: threads)
        }
    }

    func run() async throws {
        defer { output.finish() }
        do {
            try await inferAll()
        } catch {
            await release()
            throw error
        }
        await release()
    }

    private func release() async { await pool.run { [box] in box.engine = nil } }

    private func inferAll() async throws {
        while let batch = await input.next(metrics: metrics) {
            let tiles = batch.items.compactMap { item -> RGBImage? in
                if case .tile(_, _, let image) = item { image } else { nil }
            }
            var probabilities: [Float] = []
            if !tiles.isEmpty {
                probabilities = try await metrics.measure {
                    try await pool.run { [box] in
                        guard let engine = box.engine else { throw RunError.invalidParameter("the engine was not prepared") }
                        return try engine.probabilities(tiles)
                    }
                }
                metrics.addItems(tiles.count)
            }
            if !(await output.send(InferredBatch(items: batch.items, probabilities: probabilities), metrics: metrics)) {
                return
            }
        }
    }
}
