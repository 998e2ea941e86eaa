import Foundation
import Logging
import TesseraCore
import TesseraExport
import TesseraHeatmap
import TesseraStore

/// write: rows, checkpoints and slide ends in; the results file and heatmap TIFFs out. Rows and statuses go
/// through the ledger; canvas checkpoints and heatmap TIFFs are written on the heatmap pool, so the ledger's thread
/// stays free for the planner. Requests are applied one at a time, in order: a checkpoint is durable before the
/// rows it covers are committed.
struct WriteStage: Sendable {
    let input: BoundedQueue<WriteRequest>
    let ledger: RunLedger
    let settings: RunSettings.Resolved
    let engine: EngineIdentity
    let outcomes: SlideOutcomes
    let metrics: StageMeter
    let logger: Logger
    /// Heatmap TIFFs and canvas checkpoints.
    let pool: BlockingThreadPool

    func run() async throws {
        while let request = await input.next(metrics: metrics) {
            try await metrics.measure { try await apply(request) }
        }
    }

    func apply(_ request: WriteRequest) async throws {
        switch request {
        case .tiles(let job, let rows):
            try await ledger.commit(rows, slideRun: job.slideRun)
            metrics.addItems(rows.count)
            outcomes.progress.tilesDone(rows.count)
        case .checkpoint(let job, let paintedTiles):
            guard let canvas = job.canvas else { return }
            try await pool.run { [settings] in
                try HeatmapCheckpoint.save(canvas, paintedTiles: paintedTiles, parametersHash: settings.parametersHash,
                                           directory: settings.heatmapDirectory, key: job.checkpointKey)
            }
        case .slideFinished(let job, let processed):
            var heatmaps: [URL] = []
            if let canvas = job.canvas {
                do {
                    heatmaps = try await pool.run { try writeHeatmaps(canvas, for: job) }
                } catch where BatchRunner.isResourceFailure(error) {
                    // A full disk: the slide's inference is sound. It is interrupted with its rows and canvas
                    // checkpoint kept, so the next run only writes its heatmaps; the error stops the run. The
                    // checkpoint is brought up to every tile (the last rows are committed without one): the canvas
                    // file is allocated already, and the failed heatmaps' files are gone, so it usually fits.
                    let everyTile = Set(job.plan.tiles.map(\.index))
                    try? await pool.run { [settings] in
                        try HeatmapCheckpoint.save(canvas, paintedTiles: everyTile, parametersHash: settings.parametersHash,
                                                   directory: settings.heatmapDirectory, key: job.checkpointKey)
                    }
                    try await apply(.slideInterrupted(job, processed: processed, error: "writing heatmaps: \(describe(error))"))
                    throw error
                } catch {
                    // The slide's rows are committed, but without its heatmaps it is not done: it is recorded as
                    // failed with the reason, and the next run does it again.
                    return try await apply(.slideFailed(job, "writing heatmaps: \(describe(error))", processed: processed))
                }
                HeatmapCheckpoint.remove(directory: settings.heatmapDirectory, key: job.checkpointKey)
            }
            if let options = settings.settings.geojson {
                do {
                    heatmaps.append(try await pool.run { try writeGeoJSON(options, for: job) })
                } catch {
                    // Like heatmaps: without its GeoJSON the slide is not done, and the next run does it again.
                    return try await apply(.slideFailed(job, "writing GeoJSON: \(describe(error))", processed: processed))
                }
            }
            let seconds = job.seconds
            try await ledger.finishSlide(job.slideRun, status: .done, seconds: seconds)
            logger.info("slide done", metadata: ["slide.path": "\(job.url.path)", "tiles": "\(processed)",
                                                 "seconds": "\(String(format: "%.1f", seconds))"])
            var outcome = SlideOutcome(path: job.url.path, status: .done, tilesPlanned: job.plan.tiles.count,
                                       tilesProcessed: processed, seconds: seconds, heatmaps: heatmaps.map(\.path))
            outcome.warning = job.stain.record.warning
            outcomes.record(job.ordinal, outcome)
        case .slideFailed(let job, let message, let processed):
            let seconds = job.seconds
            try await ledger.finishSlide(job.slideRun, status: .failed, error: message, seconds: seconds)
            HeatmapCheckpoint.remove(directory: settings.heatmapDirectory, key: job.checkpointKey)
            logger.warning("slide failed", metadata: ["slide.path": "\(job.url.path)", "error": "\(message)"])
            outcomes.record(job.ordinal, SlideOutcome(path: job.url.path, status: .failed, error: message,
                                                      tilesPlanned: job.plan.tiles.count, tilesProcessed: processed,
                                                      seconds: seconds))
        case .slideInterrupted(let job, let processed, let error):
            let seconds = job.seconds
            try await ledger.finishSlide(job.slideRun, status: .interrupted, error: error, seconds: seconds)
            outcomes.record(job.ordinal, SlideOutcome(path: job.url.path, status: .interrupted, error: error,
                                                      tilesPlanned: job.plan.tiles.count, tilesProcessed: processed,
                                                      seconds: seconds))
        }
    }

    private func writeHeatmaps(_ canvas: HeatmapCanvas, for job: SlideJob) throws -> [URL] {
        let probabilities: [any HeatmapRaster] = (0..<canvas.classCount).map { canvas.probabilityRaster($0) }
        // Resolution tags only when the slide itself states its mpp: a user-stated or objective-derived guess is
        // not written into a file that viewers will trust.
        let fileMPP = job.resolution.source == .file ? job.slide.micronsPerPixel : nil
        let files = try HeatmapWriter.writeSlideHeatmaps(
            classMap: canvas.classMapRaster, probabilities: probabilities,
            colours: engine.classColours.map(Self.rgb), classNames: engine.classNames,
            directory: settings.heatmapDirectory, slideFileName: job.outputStem,
            downsample: canvas.downsample, micronsPerPixelX: fileMPP?.x, micronsPerPixelY: fileMPP?.y)
        return files.all
    }

    /// The slide's QuPath GeoJSON from its committed rows and the heatmaps just written (`tessera export geojson`).
    private func writeGeoJSON(_ options: GeoJSONExportOptions, for job: SlideJob) throws -> URL {
        let reader = try ResultsReader(path: settings.resultsDatabase)
        guard let slideRun = try reader.slideRun(job.slideRun) else {
            throw ExportError(.invalidInput, "\(job.slideRun) is not in the results file", path: settings.resultsDatabase)
        }
        try GeoJSONExporter.createOutputDirectory(settings.geojsonDirectory)
        let exporter = GeoJSONExporter(reader: reader, heatmapDirectory: settings.heatmapDirectory, options: options)
        return URL(fileURLWithPath: try exporter.export(slideRun, into: settings.geojsonDirectory).file)
    }

    /// "#RRGGBB" as the writer's colour.
    static func rgb(_ hex: String) -> (red: UInt8, green: UInt8, blue: UInt8) {
        let value = UInt32(hex.dropFirst(), radix: 16) ?? 0
        return (UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF))
    }
}
