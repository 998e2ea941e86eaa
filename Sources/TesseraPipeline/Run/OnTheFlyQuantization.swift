import Foundation
import TesseraCore
import TesseraNetwork
import TesseraSlide

/// An fp32 model run at int8, quantised from calibration tiles: the one piece of code behind `tessera run
/// --precision int8` (tiles of the run's first slides, through the run's own planner, reader and stain
/// normalisation) and `tessera model run|bench --precision int8` (the tiles they are given). It says what it did in
/// a report for the caller to print; `tessera model quantize` calibrates once instead, and writes the file.
public enum OnTheFlyQuantization {
    /// The seed that picks a run's calibration tiles (the same as `tessera model quantize`'s default).
    public static let seed: UInt64 = 7
    /// A run's calibration tiles are spread over up to this many of its first slides that give tissue tiles.
    public static let slidesToSpreadOver = 4

    /// What the parameters hash records of the calibration (method, tile count, seed).
    static func recipe(tiles: Int) -> String {
        "\(Int8Calibration.defaultMethod.rawValue), \(tiles) tiles, seed \(seed)"
    }

    /// A slide passed over for calibration, and why.
    public struct SkippedSlide: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var reason: String
        /// The reason, led by the path unless the reason (a slide error) names it already.
        public var description: String { reason.contains(path) ? reason : "\(path): \(reason)" }
    }

    /// How a model quantised on the fly was calibrated: recorded with the run (`runs.calibration_json`).
    public struct Calibration: Sendable, Equatable {
        public var method: CalibrationMethod
        public var seed: UInt64
        public var sources: [CalibrationSource]
        public var skipped: [SkippedSlide]
        public var tiles: Int { sources.reduce(0) { $0 + $1.tiles } }

        public var json: String {
            let object: [String: Any] = [
                "method": method.rawValue, "tiles": tiles, "seed": seed,
                "slides": sources.map { ["path": $0.path, "fingerprint": $0.fingerprint, "tiles": $0.tiles] as [String: Any] },
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }

        /// "a.svs (32), b.svs (32)".
        var slideList: String {
            sources.map { "\(URL(fileURLWithPath: $0.path).lastPathComponent) (\($0.tiles))" }.joined(separator: ", ")
        }
    }

    // MARK: The decision

    /// `model` at `precision` (nil: the file's own, `RunSettings.precision(_:for:)`): an int8 file or fp32 runs as it
    /// is; an fp32 model asked for int8 is quantised from `calibrationTiles()` (called only then), described as
    /// `what`. The report (nil when nothing was quantised) is for the caller to print.
    public static func model(_ model: SegmentationModel, at precision: Precision?, threads: Int = 2,
                             calibrationTiles: () throws -> [RGBImage],
                             what: String) throws -> (model: SegmentationModel, report: String?) {
        guard try RunSettings.precision(precision, for: model.identity) == .int8, model.int8 == nil else {
            return (model, nil)
        }
        let started = ContinuousClock.now
        let tiles = try calibrationTiles()
        let quantized = try quantize(model, tiles: tiles, sources: [], threads: threads)
        return (quantized, report(model: model, tiles: tiles.count, what: what, seconds: (ContinuousClock.now - started).seconds))
    }

    static func report(model: SegmentationModel, tiles: Int, what: String, seconds: Double) -> String {
        "int8: quantised \(model.name) on the fly from \(tiles) tile\(tiles == 1 ? "" : "s") of \(what) "
            + "(\(Int8Calibration.defaultMethod.rawValue), \(String(format: "%.1f", seconds)) s); "
            + "use `tessera model quantize` to calibrate once"
    }

    private static func quantize(_ model: SegmentationModel, tiles: [RGBImage], sources: [CalibrationSource],
                                 threads: Int) throws -> SegmentationModel {
        try Int8Calibration.quantize(model, tiles: tiles, sources: sources,
                                     sourceMetadata: try SafetensorsFile(contentsOf: model.url).metadata, threads: threads)
    }

    // MARK: A run's slides

    /// Quantises `model` (fp32) from tissue tiles of the run's first slides: `settings.calibrationTiles` tiles,
    /// spread over up to `slidesToSpreadOver` slides. A slide that cannot give tiles (unreadable, no tissue, no
    /// resolution) is passed over for the next; when none gives any, the run cannot start.
    static func quantize(_ model: SegmentationModel, slides: [URL], source: any SlideSource,
                         settings: RunSettings.Resolved) throws -> (SegmentationModel, Calibration, String) {
        let started = ContinuousClock.now
        let (tiles, sources, skipped) = drawTiles(slides: slides, source: source, settings: settings,
                                                  count: settings.calibrationTiles)
        guard !tiles.isEmpty else {
            throw RunError.invalidParameter(
                "int8: no slide gave tissue tiles to quantise \(model.url.path) on ("
                + skipped.map(\.description).joined(separator: "; ")
                + "); quantise it once with `tessera model quantize --calibrate SLIDE...` and run the int8 file")
        }
        let calibration = Calibration(method: Int8Calibration.defaultMethod, seed: seed, sources: sources, skipped: skipped)
        let quantized = try quantize(model, tiles: tiles, sources: sources, threads: settings.threads)
        var text = report(model: model, tiles: tiles.count, what: calibration.slideList,
                          seconds: (ContinuousClock.now - started).seconds)
        for slide in skipped { text += "\nint8: a slide passed over for calibration: \(slide)" }
        return (quantized, calibration, text)
    }

    /// Up to `count` calibration tiles from `slides` in order, spread evenly over the first `slidesToSpreadOver` that
    /// give tiles; a slide with too few tissue tiles leaves the rest to the slides after it.
    static func drawTiles(slides: [URL], source: any SlideSource, settings: RunSettings.Resolved,
                          count: Int) -> (tiles: [RGBImage], sources: [CalibrationSource], skipped: [SkippedSlide]) {
        var tiles: [RGBImage] = []
        var sources: [CalibrationSource] = []
        var skipped: [SkippedSlide] = []
        for (index, url) in slides.enumerated() where tiles.count < count {
            // The slides still to give tiles: the spread's remaining places, or the slides left when they are fewer.
            let slots = max(1, min(slidesToSpreadOver - sources.count, slides.count - index))
            let wanted = (count - tiles.count + slots - 1) / slots
            do {
                let slide = try source.open(url)
                let resolution = try slide.resolution(userStatedMPP: settings.slideMPP, overrideMPP: settings.overrideSlideMPP)
                let plan = try slide.planTiles(resolution: resolution, targetMPP: settings.targetMPP, tileSize: settings.tileSize,
                                               overlap: settings.overlap, tissue: settings.tissue)
                let read = { (tile: PlannedTile) in
                    try slide.read(level0Window: tile.readWindow, outputWidth: settings.tileSize, outputHeight: settings.tileSize)
                }
                // The network sees the tiles as the run hands them over: stain-normalised when the run normalises.
                let stain = settings.stain.planSlide(plan, read: read)
                let drawn = try CalibrationTiles.read(from: plan, count: wanted, seed: seed, read).map(\.image)
                guard !drawn.isEmpty else {
                    skipped.append(SkippedSlide(path: url.path, reason: "no tissue tiles at \(settings.targetMPP) µm/px"))
                    continue
                }
                tiles += stain.normalised(drawn)
                sources.append(CalibrationSource(path: url.path, fingerprint: CalibrationTiles.fingerprint(
                    quickhash: slide.quickhash, url: url), tiles: drawn.count))
            } catch {
                skipped.append(SkippedSlide(path: url.path, reason: describe(error)))
            }
        }
        return (tiles, sources, skipped)
    }
}
