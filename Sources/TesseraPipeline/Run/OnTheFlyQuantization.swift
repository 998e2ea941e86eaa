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

    public typealias SkippedSlide = CalibrationSlides.SkippedSlide

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
    /// resolution) is passed over for the next. When none gives any, no slide has a tile for the network either
    /// (the draw plans every slide as the run does): nothing is quantised, and the report says why (`.nothingToInfer`),
    /// so the run goes on as at fp32: slides without tissue are done with no tiles, unreadable ones fail.
    static func quantize(_ model: SegmentationModel, slides: [URL], source: any SlideSource,
                         settings: RunSettings.Resolved) throws -> Quantized {
        let started = ContinuousClock.now
        let drawn = CalibrationSlides.draw(from: slides, source: source, settings: settings,
                                           count: settings.calibrationTiles, seed: seed, spreadOver: slidesToSpreadOver)
        let (tiles, sources, skipped) = (drawn.tiles, drawn.sources, drawn.skipped)
        guard !tiles.isEmpty else {
            return .nothingToInfer(report: "int8: no slide gave tissue tiles to quantise \(model.url.path) on ("
                + skipped.map(\.description).joined(separator: "; ")
                + "), so no slide has a tile for the network: nothing was quantised")
        }
        let calibration = Calibration(method: Int8Calibration.defaultMethod, seed: seed, sources: sources, skipped: skipped)
        let quantized = try quantize(model, tiles: tiles, sources: sources, threads: settings.threads)
        var text = report(model: model, tiles: tiles.count, what: calibration.slideList,
                          seconds: (ContinuousClock.now - started).seconds)
        for slide in skipped { text += "\nint8: a slide passed over for calibration: \(slide)" }
        return .quantized(quantized, calibration, report: text)
    }

    /// What quantising from a run's slides gave.
    enum Quantized {
        case quantized(SegmentationModel, Calibration, report: String)
        /// No slide gave a tissue tile: the run has nothing for the network.
        case nothingToInfer(report: String)
    }
}
