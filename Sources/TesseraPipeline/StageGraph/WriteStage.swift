import Foundation
import Logging
import TesseraCore
import TesseraExport
import TesseraHeatmap
import TesseraQC
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
            let files = settings.layout.slideRunFiles(outputStem: job.outputStem, slideRun: job.slideRun,
                                                      classNames: engine.classNames)
            var written: [ArtefactFile] = []
            if let canvas = job.canvas {
                do {
                    try await pool.run { try writeHeatmaps(canvas, for: job, files: files) }
                    written += files.heatmapArtefacts
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
            if settings.nucleusClass != nil {
                do {
                    if let file = try await recordNucleusDensity(for: job, files: files) { written.append(file) }
                } catch {
                    // Like heatmaps: the slide is not done without its density grid; the next run writes it.
                    return try await apply(.slideFailed(job, "counting nuclei per mm²: \(describe(error))",
                                                        processed: processed))
                }
            }
            // The QC's map, with or without heatmaps (after them: a full disk interrupts the slide at its heatmaps, as
            // before): the GeoJSON traces QC regions from it, `serve` draws it.
            if let map = job.qcMap {
                do {
                    try await pool.run { try writeQCMap(map, for: job, to: files.qcMask) }
                    written.append(ArtefactFile(kind: .qcMask, url: files.qcMask))
                } catch {
                    return try await apply(.slideFailed(job, "writing the QC map: \(describe(error))", processed: processed))
                }
            }
            if let options = settings.settings.geojson {
                do {
                    let url = try await pool.run { try writeGeoJSON(options, for: job, files: files) }
                    written.append(ArtefactFile(kind: .geojson, url: url))
                } catch {
                    // Like heatmaps: without its GeoJSON the slide is not done, and the next run does it again.
                    return try await apply(.slideFailed(job, "writing GeoJSON: \(describe(error))", processed: processed))
                }
            }
            // Recorded before the slide is done: a slide run marked done always has its files on record.
            try await ledger.recordArtefacts(written, slideRun: job.slideRun, layout: settings.layout)
            // The plain names follow the latest slide run; a failure to link loses nothing the records hold.
            for file in written {
                if let name = OutputLayout.latestName(of: file.url.lastPathComponent, slideRun: job.slideRun) {
                    do {
                        try OutputLayout.pointLatest(file.url.deletingLastPathComponent().appendingPathComponent(name),
                                                     at: file.url)
                    } catch {
                        logger.warning("could not update the latest-name link", metadata: [
                            "file": "\(file.url.path)", "error": "\(describe(error))"])
                    }
                }
            }
            let seconds = job.seconds
            try await ledger.finishSlide(job.slideRun, status: .done, seconds: seconds)
            logger.info("slide done", metadata: ["slide.path": "\(job.url.path)", "tiles": "\(processed)",
                                                 "seconds": "\(String(format: "%.1f", seconds))"])
            var outcome = SlideOutcome(path: job.url.path, status: .done, tilesPlanned: job.plan.tiles.count,
                                       tilesProcessed: processed, seconds: seconds,
                                       heatmaps: written.filter { $0.kind != .geojson }.map(\.url.path))
            outcome.artefacts = written.map { OutcomeArtefact(kind: $0.kind.rawValue, classIndex: $0.classIndex,
                                                              path: $0.url.path) }
            outcome.slideRunID = job.slideRun.rawValue
            outcome.fingerprint = job.fingerprint
            outcome.contentChanged = job.contentChanged
            outcome.warning = job.stain.record.warning
            outcome.review = job.review
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

    /// What every file of the slide run says about where it came from.
    private func provenance(_ job: SlideJob) -> HeatmapProvenance {
        HeatmapProvenance(runUID: ledger.run.runUID, slideRunID: job.slideRun.rawValue,
                          slideFingerprint: job.fingerprint, modelSHA256: engine.quantizedModelSHA256 ?? engine.modelSHA256)
    }

    /// Resolution tags whenever the run had a resolution a person or the file stated, with its source in the
    /// description; never one derived from the objective power alone (a guess viewers would trust).
    private func resolutionTags(_ job: SlideJob) -> (mpp: (x: Double, y: Double)?, source: String?) {
        let source: String? = switch job.resolution.source {
        case .file: "file"
        case .userStated: "user"
        case .userOverride: "user-override"
        case .objectivePower: nil
        }
        return (source == nil ? nil : (job.resolution.mppX, job.resolution.mppY), source)
    }

    private func writeQCMap(_ map: QCArtefactMap, for job: SlideJob, to url: URL) throws {
        let (mpp, source) = resolutionTags(job)
        try QCMaskFile.write(map.slideRaster(slideWidth: job.slide.width, slideHeight: job.slide.height),
                             kinds: map.kinds.map(\.rawValue), to: url, slideName: job.url.lastPathComponent,
                             downsample: map.level0PerPixel, micronsPerPixelX: mpp?.x, micronsPerPixelY: mpp?.y,
                             micronsPerPixelSource: source, provenance: provenance(job),
                             format: settings.layout.heatmapFormat)
    }

    /// Records the slide run's nuclei density grid from its committed nuclei and, when heatmaps are on, writes it
    /// as `<stem>.nuclei-density.tif` from the recorded grid (so the file shows what the view says).
    private func recordNucleusDensity(for job: SlideJob, files: SlideRunFiles) async throws -> ArtefactFile? {
        let bounds = job.slide.bounds
        let tissue = try await pool.run { [resolution = job.resolution, mask = job.tissueMask] in
            NucleusDensity.tissue(mask: mask, slideWidth: bounds.maxX, slideHeight: bounds.maxY,
                                  mppX: resolution.mppX, mppY: resolution.mppY)
        }
        guard let grid = try await ledger.recordNucleusDensity(cellMicrons: NucleusDensity.cellMicrons, tissue: tissue,
                                                                slideRun: job.slideRun),
              job.canvas != nil else { return nil }
        let (mpp, source) = resolutionTags(job)
        let description = HeatmapDescription(slideName: job.url.lastPathComponent,
                                             kind: .nucleusDensity(cellMicrons: grid.cellMicrons),
                                             downsample: grid.cellLevel0Pixels, micronsPerPixelX: mpp?.x,
                                             micronsPerPixelY: mpp?.y, micronsPerPixelSource: source,
                                             classNames: engine.classNames, provenance: provenance(job))
        try await pool.run {
            try NucleusDensity.map(grid, slideWidth: bounds.maxX, slideHeight: bounds.maxY)
                .write(to: files.nucleiDensity, description: description)
        }
        return ArtefactFile(kind: .nucleiDensity, url: files.nucleiDensity)
    }

    private func writeHeatmaps(_ canvas: HeatmapCanvas, for job: SlideJob, files: SlideRunFiles) throws {
        let probabilities: [any HeatmapRaster] = (0..<canvas.classCount).map { canvas.probabilityRaster($0) }
        let (mpp, source) = resolutionTags(job)
        _ = try HeatmapWriter.writeSlideHeatmaps(
            classMap: canvas.classMapRaster, probabilities: probabilities,
            modelClassMap: canvas.modelClassMapRaster.map { ($0, canvas.modelGrid!.downsample) },
            colours: engine.classColours.map(Self.rgb), classNames: engine.classNames,
            files: SlideHeatmapFiles(classMap: files.classMap, overlay: files.overlay, probabilities: files.probabilities,
                                     modelClassMap: canvas.modelGrid == nil ? nil : files.modelClassMap),
            slideName: job.url.lastPathComponent, downsample: canvas.downsample,
            micronsPerPixelX: mpp?.x, micronsPerPixelY: mpp?.y,
            micronsPerPixelSource: source, provenance: provenance(job), format: settings.layout.heatmapFormat)
    }

    /// The slide's QuPath GeoJSON from its committed rows and the heatmaps just written (`tessera export geojson`).
    private func writeGeoJSON(_ options: GeoJSONExportOptions, for job: SlideJob, files: SlideRunFiles) throws -> URL {
        let reader = try ResultsReader(path: settings.resultsDatabase)
        guard let slideRun = try reader.slideRun(job.slideRun) else {
            throw ExportError(.invalidInput, "\(job.slideRun) is not in the results file", path: settings.resultsDatabase)
        }
        try GeoJSONExporter.createOutputDirectory(settings.geojsonDirectory)
        GeoJSONExporter.removeAbandonedTemporaries(in: settings.geojsonDirectory)
        let heatmaps = GeoJSONExporter.SlideRunHeatmaps(classMap: files.classMap, probabilities: files.probabilities,
                                                        modelClassMap: files.modelClassMap)
        let exporter = GeoJSONExporter(reader: reader, layout: settings.layout, options: options)
        return URL(fileURLWithPath: try exporter.export(slideRun, heatmaps: heatmaps, modelSHA256: provenance(job).modelSHA256,
                                                        to: files.geojson(gzip: options.gzip),
                                                        qcMask: job.qcMap == nil ? nil : files.qcMask).file)
    }

    /// "#RRGGBB" as the writer's colour.
    static func rgb(_ hex: String) -> (red: UInt8, green: UInt8, blue: UInt8) {
        let value = UInt32(hex.dropFirst(), radix: 16) ?? 0
        return (UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF))
    }
}
