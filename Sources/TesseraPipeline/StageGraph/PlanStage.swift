import Foundation
import Logging
import TesseraCore
import TesseraHeatmap
import TesseraSlide
import TesseraStore

/// plan: slides in, tiles to read out. Opens each slide, finds its tissue and plans its tiles (on a thread of its
/// own: thumbnail reads are long), asks the ledger whether it is already done and which tiles an earlier attempt
/// committed, and opens its heatmap canvas (or the checkpoint an interrupted attempt left).
struct PlanStage: Sendable {
    let slides: [URL]
    let output: BoundedQueue<ReadRequest>
    let source: any SlideSource
    let ledger: RunLedger
    let settings: RunSettings.Resolved
    let classCount: Int
    let outcomes: SlideOutcomes
    let metrics: StageMeter
    let logger: Logger
    let isStopping: @Sendable () -> Bool
    /// Slide opening, tissue detection and canvas files: blocking work, off the cooperative pool.
    let pool: BlockingThreadPool
    /// The slide QC's own time (also counted in plan's).
    let qcMetrics: StageMeter
    let firstPaths = FirstPaths()

    func run() async {
        defer { output.finish() }
        for (ordinal, url) in slides.enumerated() {
            if isStopping() { break }
            let started = ContinuousClock.now
            let job: SlideJob?
            do {
                job = try await metrics.measure { try await plan(ordinal: ordinal, url: url) }
            } catch {
                let message = describe(error)
                logger.warning("slide failed", metadata: ["slide.path": "\(url.path)", "error": "\(message)"])
                outcomes.record(ordinal, SlideOutcome(path: url.path, status: .failed, error: message,
                                                      seconds: (ContinuousClock.now - started).seconds))
                continue
            }
            metrics.addItems()
            guard let job else { continue }   // skipped: already done
            outcomes.started(job)
            if job.tilesToProcess.isEmpty {
                if !(await output.send(.nothingToRead(job), metrics: metrics)) { break }
                continue
            }
            for tile in job.tilesToProcess {
                if !(await output.send(.tile(job, tile), metrics: metrics)) { break }
            }
        }
    }

    /// The slide's job; nil when an earlier run already did it with the same model and parameters (recorded as
    /// skipped). A slide that cannot be opened or planned is recorded as failed in the store and throws.
    private func plan(ordinal: Int, url: URL) async throws -> SlideJob? {
        let (sizeBytes, mtime) = SlideRecord.fileFacts(path: url.path)
        // What is known of the file before it is opened, for recording a slide that will not open.
        var record = SlideRecord.unreadable(path: url.path, sizeBytes: sizeBytes, mtime: mtime)
        do {
            let slide: any SourceSlide
            do {
                slide = try await pool.run { [source] in try source.open(url) }
            } catch {
                // A scanner or a copy still writing the file: no format error, and the next run picks it up.
                throw SlideBeingWritten.check(path: url.path, sizeBytes: sizeBytes, mtime: mtime) ?? error
            }
            record = SlideRecord(path: url.path, sizeBytes: sizeBytes, mtime: mtime, quickhash: slide.quickhash,
                                 vendor: slide.vendor, width: slide.width, height: slide.height,
                                 mppX: slide.micronsPerPixel?.x, mppY: slide.micronsPerPixel?.y,
                                 objectivePower: slide.objectivePower)
            return try await plan(ordinal: ordinal, url: url, slide: slide, record: record)
        } catch {
            try await ledger.recordFailure(record, error: describe(error))
            throw error
        }
    }

    private func plan(ordinal: Int, url: URL, slide: any SourceSlide, record: SlideRecord) async throws -> SlideJob? {
        // The same content at a second path (a copy in another folder): analysed once, under the first path.
        var first = firstPaths.claim(record.fingerprint, path: url.path)
        if first == nil { first = try await ledger.otherPathOfSlide(record, than: url.path) }
        if let first {
            logger.warning("slide has the same content as another slide of this run: recorded as its duplicate",
                           metadata: ["slide.path": "\(url.path)", "slide.duplicate_of": "\(first)"])
            outcomes.record(ordinal, SlideOutcome(path: url.path, status: .duplicate, duplicateOf: first))
            return nil
        }
        if try await ledger.isDone(record, modelSHA256: settings.model.sha256, parametersHash: settings.parametersHash) {
            // The content at this path may have come back (a file restored): its slide runs are current again.
            let changed = try await ledger.markCurrentContent(record)
            logger.info("slide already done with this model and parameters: skipped",
                        metadata: ["slide.path": "\(url.path)"])
            var outcome = SlideOutcome(path: url.path, status: .skipped)
            outcome.fingerprint = record.fingerprint
            outcome.contentChanged = changed
            outcomes.record(ordinal, outcome)
            return nil
        }
        let resolution = try slide.resolution(userStatedMPP: settings.slideMPP, overrideMPP: settings.overrideSlideMPP)
        if resolution.source == .objectivePower {
            logger.warning("slide has no mpp: using 10 / objective power", metadata: [
                "slide.path": "\(url.path)", "slide.mpp": "\(resolution.mpp)"])
        }
        let settings = settings
        let (plan, tissueMask) = try await pool.run {
            try slide.planTilesWithMask(resolution: resolution, targetMPP: settings.targetMPP,
                                        tileSize: settings.tileSize, overlap: settings.overlap, tissue: settings.tissue)
        }
        let (slideRun, outputStem) = try await ledger.startSlide(record, resolution: resolution,
                                                                 tilesPlanned: plan.tiles.count)
        if slideRun.contentChanged {
            logger.warning("content changed since the last analysis: the earlier results of this path are superseded",
                           metadata: ["slide.path": "\(url.path)", "slide.fingerprint": "\(record.fingerprint)"])
        }
        // A slide the model was not made for (a fluorescence scan under an H&E model) is analysed, with a warning.
        let brightfieldWarning = try await pool.run({ slide.brightfieldWarning() })
        if let warning = brightfieldWarning {
            logger.warning("slide \(warning)", metadata: ["slide.path": "\(url.path)"])
            try await ledger.recordWarning(warning, slideRun: slideRun.id)
        }
        // The slide's stain, estimated once from a fixed sample of its tissue tiles (or the fallback and its warning).
        let stain = await pool.run { [settings] in
            settings.stain.planSlide(plan) { tile in
                try slide.read(level0Window: tile.readWindow, outputWidth: settings.tileSize, outputHeight: settings.tileSize)
            }
        }
        try await ledger.recordStain(stain.record, slideRun: slideRun.id)
        // Slide QC on a low-resolution image of the tissue, with the plan's whole-slide tissue mask.
        var artefacts: ArtefactGrid?
        var qcOutcome: SlideQCOutcome?
        if settings.qc.enabled {
            let qc = try await qcMetrics.measure {
                try await pool.run { [settings] in
                    try SlideQC.run(slide: slide, resolution: resolution, tissueMask: tissueMask, plan: plan,
                                    settings: settings.qc)
                }
            }
            qcMetrics.addItems()
            try await ledger.recordQC(qc.record, tiles: qc.tiles, slideRun: slideRun.id)
            artefacts = qc.grid
            qcOutcome = qc
            if qc.report.verdict != .pass {
                logger.warning("slide QC: \(qc.report.verdict.rawValue)", metadata: [
                    "slide.path": "\(url.path)", "qc.reason": "\(qc.report.reason)"])
            }
        }
        var review = SlideReview.flags(resolution: resolution, brightfieldWarning: brightfieldWarning, plan: plan,
                                       stain: stain)
        // A QC verdict of review or fail is a reason for a person's eye like the others.
        if let qc = qcOutcome, qc.report.verdict != .pass {
            review.append(ReviewFlag(.qcArtefacts, "QC \(qc.report.verdict.rawValue): \(qc.report.reason)",
                                     value: qc.report.artefactTissueShare))
        }
        try await ledger.recordReviewFlags(review, stainDistance: stain.labDistance, slideRun: slideRun.id)
        if !review.isEmpty {
            logger.warning("slide needs review", metadata: [
                "slide.path": "\(url.path)", "review": "\(review.map(\.code.rawValue).joined(separator: ","))"])
        }
        if let warning = stain.record.warning {
            logger.warning("slide not stain-normalised", metadata: ["slide.path": "\(url.path)", "warning": "\(warning)"])
        }
        // Resume: tiles committed by an earlier attempt are not inferred again when the heatmap checkpoint holds
        // them too (the checkpoint is written before each commit, so it holds at least the committed tiles).
        var canvas: HeatmapCanvas?
        var done = slideRun.committedTileIndices
        if settings.writeHeatmaps {
            let downsample = settings.heatmapDownsample(slideMPP: resolution.mpp)
            let modelDownsample = settings.modelClassMapDownsample(slideMPP: resolution.mpp)
            let key = "slide-run-\(slideRun.id.rawValue)"
            let canvasExists = FileManager.default.fileExists(
                atPath: HeatmapCheckpoint.canvasURL(directory: settings.heatmapDirectory, key: key).path)
            let needed = ScratchSpace.bytesNeeded(slideWidth: slide.width, slideHeight: slide.height,
                                                  downsample: downsample, classCount: classCount,
                                                  modelDownsample: modelDownsample)
            if !canvasExists, let shortage = ScratchSpace.shortage(of: needed, in: settings.heatmapDirectory) {
                throw ScratchSpaceError(message: shortage)   // recorded as the slide's failure by plan(ordinal:url:)
            }
            let checkpoint = try await pool.run { [classCount] in
                try HeatmapCheckpoint.openOrCreate(
                    directory: settings.heatmapDirectory, key: key, parametersHash: settings.parametersHash,
                    slideWidth: slide.width, slideHeight: slide.height, downsample: downsample, classCount: classCount,
                    modelDownsample: modelDownsample)
            }
            canvas = checkpoint.canvas
            done.formIntersection(checkpoint.paintedTiles)
        }
        // `tessera qc`: the slide's QC is its whole analysis; no tile is read.
        let remaining = settings.qcOnly ? [] : plan.tiles.filter { !done.contains($0.index) }
        if !slideRun.committedTileIndices.isEmpty {
            logger.info("resuming slide", metadata: ["slide.path": "\(url.path)",
                                                     "tiles.committed": "\(slideRun.committedTileIndices.count)",
                                                     "tiles.remaining": "\(remaining.count)"])
        }
        return SlideJob(ordinal: ordinal, url: url, slide: slide, resolution: resolution, plan: plan,
                        slideRun: slideRun.id, alreadyDone: done, tilesToProcess: remaining, canvas: canvas,
                        outputStem: outputStem, tissueMask: tissueMask, fingerprint: record.fingerprint,
                        contentChanged: slideRun.contentChanged, review: review, stain: stain, artefacts: artefacts,
                        qcMap: qcOutcome?.map)
    }
}

extension SlideRecord {
    /// A slide file's size and modification time as a run records them (0 and the epoch when they cannot be read):
    /// with its quickhash, what its fingerprint is made of.
    static func fileFacts(path: String) -> (sizeBytes: Int64, mtime: Date) {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return ((attributes?[.size] as? NSNumber)?.int64Value ?? 0, attributes?[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0))
    }
}

/// A slide file that would not open while it was still being written: a scanner exporting it, or a copy onto the
/// share, not yet done. Its format error would mislead (the next run reads the finished file), so a slide that fails
/// to open is told to be one when it changed within `quietSeconds`, or its size changed while it was being opened.
struct SlideBeingWritten: Error, CustomStringConvertible {
    /// A file untouched for this long is taken as complete (scanners and copies write continuously).
    static let quietSeconds = 60.0

    let path: String
    let secondsSinceModified: Double

    var description: String {
        "\(path): the file is still being written (modified \(Int(secondsSinceModified.rounded())) s ago); "
            + "it will be picked up by the next run"
    }

    /// Whether the file at `path`, of `sizeBytes` and `mtime` when the run first looked, is still being written.
    static func check(path: String, sizeBytes: Int64, mtime: Date, now: Date = Date()) -> SlideBeingWritten? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let (sizeNow, mtimeNow) = SlideRecord.fileFacts(path: path)
        let age = now.timeIntervalSince(mtimeNow)
        guard sizeNow != sizeBytes || mtimeNow != mtime || (0..<quietSeconds).contains(age) else { return nil }
        return SlideBeingWritten(path: path, secondsSinceModified: max(0, age))
    }
}
