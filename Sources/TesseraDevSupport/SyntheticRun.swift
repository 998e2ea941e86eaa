import Foundation
import TesseraCore
import TesseraStore

/// A deterministic run with made-up tiles, driven through ResultsStore the way the runner drives it (skip slides
/// already done, resume interrupted ones from their committed tiles). `tessera-dev write-store` runs it for the
/// crash-safety tests, which kill it mid-write, and for the write benchmark.
public struct SyntheticRun: Sendable {
    public var slides: Int
    public var tilesPerSlide: Int
    public var classes: Int
    public var batchSize: Int

    public init(slides: Int, tilesPerSlide: Int, classes: Int, batchSize: Int) {
        self.slides = slides
        self.tilesPerSlide = tilesPerSlide
        self.classes = classes
        self.batchSize = batchSize
    }

    /// What one call of `run` did.
    public struct Summary: Sendable {
        public var run: RunStart
        public var slidesSkipped = 0
        public var tilesWritten = 0
        public var predictionRowsWritten = 0
        /// Time spent inside ResultsStore.write only.
        public var writeSeconds = 0.0
    }

    public var provenance: RunProvenance {
        RunProvenance(gitCommit: nil, modelName: "synthetic", modelSHA256: "synthetic-model",
                      classes: (0..<classes).map { ClassInfo(index: $0, name: "class-\($0)", colour: String(format: "#%02x%02x%02x", $0 * 40 % 256, 128, 255 - $0 * 40 % 256)) },
                      parametersJSON: #"{"slides":\#(slides),"tilesPerSlide":\#(tilesPerSlide),"classes":\#(classes)}"#,
                      parametersHash: "synthetic-\(slides)-\(tilesPerSlide)-\(classes)", host: "synthetic", threads: 1,
                      openSlideVersion: nil, oneDNNVersion: nil)
    }

    public func slide(_ number: Int) -> SlideRecord {
        SlideRecord(path: "/synthetic/slide-\(number).tiff", sizeBytes: 1_000_000 + Int64(number),
                    mtime: Date(timeIntervalSince1970: 1_700_000_000), quickhash: "synthetic-\(number)",
                    vendor: "synthetic", width: 64 * 256, height: (tilesPerSlide / 64 + 1) * 256,
                    mppX: 0.5, mppY: 0.5, objectivePower: 20)
    }

    /// Tile `index` of slide `slide`: a 256-px own window on a 64-column grid, with values that depend on both.
    public func tile(slide: Int, index: Int) -> TileResult {
        let weights = (0..<classes).map { Double(((slide + 1) * (index + 3) * ($0 + 5)) % 97 + 1) }
        let total = weights.reduce(0, +)
        return TileResult(
            index: index,
            ownWindow: PixelRect(x: (index % 64) * 256, y: (index / 64) * 256, width: 256, height: 256),
            tissueFraction: Double((slide * 7919 + index * 104_729) % 1000) / 1000,
            classes: weights.map { ClassPrediction(areaFraction: $0 / total, meanProbability: $0 / (total + 1)) })
    }

    /// Runs (or resumes) the synthetic run to its end; `progress` hears one line after every committed step.
    public func run(store: ResultsStore, progress: (String) -> Void) throws -> Summary {
        let provenance = provenance
        var summary = Summary(run: try store.startRun(provenance))
        progress("run \(summary.run.runUID) attempt \(summary.run.attempt)")
        let resolution = SlideResolution(mppX: 0.5, mppY: 0.5, source: .file)
        for number in 0..<slides {
            let slide = slide(number)
            if try store.findCompletedSlideRun(slideFingerprint: slide.fingerprint, modelSHA256: provenance.modelSHA256,
                                               parametersHash: provenance.parametersHash) {
                summary.slidesSkipped += 1
                progress("slide \(number) already done")
                continue
            }
            let started = Date()
            let slideRun = try store.startSlideRun(run: summary.run.id, slide: slide, resolution: resolution,
                                                   tilesPlanned: tilesPerSlide)
            let pending = (0..<tilesPerSlide).filter { !slideRun.committedTileIndices.contains($0) }
            for batchStart in stride(from: 0, to: pending.count, by: batchSize) {
                let indices = pending[batchStart..<min(batchStart + batchSize, pending.count)]
                let tiles = indices.map { tile(slide: number, index: $0) }
                let clock = ContinuousClock.now
                try store.write(tiles: tiles, slideRun: slideRun.id)
                let elapsed = ContinuousClock.now - clock
                summary.writeSeconds += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                summary.tilesWritten += tiles.count
                summary.predictionRowsWritten += tiles.count * classes
                progress("slide \(number) committed tiles \(indices.first!)...\(indices.last!)")
            }
            try store.finishSlideRun(slideRun.id, status: .done, seconds: Date().timeIntervalSince(started))
            progress("slide \(number) done")
        }
        try store.finishRun(summary.run.id, status: .finished)
        progress("run finished")
        return summary
    }
}
