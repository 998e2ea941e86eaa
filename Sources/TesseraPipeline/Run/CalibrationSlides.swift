import Foundation
import TesseraCore
import TesseraNetwork
import TesseraSlide

/// Calibration tiles drawn from slides: the one piece of code that picks them, for `tessera model quantize` and for
/// `tessera run --precision int8` (`OnTheFlyQuantization`). Both plan each slide with the run's planner and tissue
/// settings, pick tiles with the same seeded draw, read them through the run's reader and normalise their stain as
/// the run does, so the same slides and settings give the same tiles, and so the same int8 model, from either command.
public enum CalibrationSlides {
    /// A slide passed over for calibration, and why.
    public struct SkippedSlide: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var reason: String
        /// The reason, led by the path unless the reason (a slide error) names it already.
        public var description: String { reason.contains(path) ? reason : "\(path): \(reason)" }
    }

    /// What `draw` took from the slides.
    public struct Drawn: Sendable {
        public var tiles: [RGBImage]
        /// The slides that gave tiles, with their fingerprints and tile counts, in order.
        public var sources: [CalibrationSource]
        /// Slides that gave none: unreadable, no resolution, or no tissue tiles.
        public var skipped: [SkippedSlide]
        /// "PATH: not stain-normalised (...)": slides whose tiles are used as read, as a run would use them.
        public var warnings: [String]
    }

    /// Up to `count` tiles from `slides` in order, spread evenly over the first `spreadOver` slides that give tiles;
    /// a slide with too few tissue tiles leaves the rest to the slides after it, and a slide that gives none is
    /// passed over (the caller decides whether that is an error). Tiles are planned, read and stain-normalised with
    /// `settings` (tile size, resolution, overlap, tissue, `--slide-mpp`, stain) and picked with `seed`.
    public static func draw(from slides: [URL], source: any SlideSource = OpenSlideSource(),
                            settings: RunSettings.Resolved, count: Int, seed: UInt64, spreadOver: Int) -> Drawn {
        var drawn = Drawn(tiles: [], sources: [], skipped: [], warnings: [])
        for (index, url) in slides.enumerated() where drawn.tiles.count < count {
            // The slides still to give tiles: the spread's remaining places, or the slides left when they are fewer.
            let slots = max(1, min(spreadOver - drawn.sources.count, slides.count - index))
            let wanted = (count - drawn.tiles.count + slots - 1) / slots
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
                let tiles = try CalibrationTiles.read(from: plan, count: wanted, seed: seed, read).map(\.image)
                guard !tiles.isEmpty else {
                    drawn.skipped.append(SkippedSlide(path: url.path, reason: "no tissue tiles at \(settings.targetMPP) µm/px"))
                    continue
                }
                drawn.tiles += stain.normalised(tiles)
                if let warning = stain.record.warning { drawn.warnings.append("\(url.path): \(warning)") }
                drawn.sources.append(CalibrationSource(path: url.path, fingerprint: CalibrationTiles.fingerprint(
                    quickhash: slide.quickhash, url: url), tiles: tiles.count))
            } catch {
                drawn.skipped.append(SkippedSlide(path: url.path, reason: describe(error)))
            }
        }
        return drawn
    }
}
