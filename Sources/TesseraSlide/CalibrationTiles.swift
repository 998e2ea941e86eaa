import Foundation
import TesseraCore

/// Tiles for calibrating an int8 network, drawn from a slide's tissue through the same planner and reader as
/// `tessera run` (TilePlan with tissue detection, `Slide.read(level0Window:outputWidth:outputHeight:)`).
public enum CalibrationTiles {
    /// One drawn tile: its index in the slide's plan and its pixels.
    public struct Drawn: Sendable {
        public var planIndex: Int
        public var image: RGBImage
    }

    /// The plan indices of up to `count` tissue tiles, picked without replacement by a fixed-seed generator
    /// (SplitMix64), in plan order. `excluding` removes indices first (held-out tiles for a test).
    public static func pick(from plan: TilePlan, count: Int, seed: UInt64, excluding: Set<Int> = []) -> [Int] {
        var candidates = plan.tiles.map(\.index).filter { !excluding.contains($0) }
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        // Fisher-Yates over the first `count` positions.
        let wanted = min(count, candidates.count)
        for i in 0..<wanted {
            let j = i + Int(next() % UInt64(candidates.count - i))
            candidates.swapAt(i, j)
        }
        return candidates.prefix(wanted).sorted()
    }

    /// Plans `slide` at `targetMPP` with `tileSize` tiles and reads the picked tissue tiles.
    public static func draw(from slide: Slide, resolution: SlideResolution, targetMPP: Double, tileSize: Int, count: Int,
                            seed: UInt64 = 7, excluding: Set<Int> = [], overlap: Int = 0,
                            tissue: TissueSettings = TissueSettings()) throws -> (plan: TilePlan, tiles: [Drawn]) {
        let (plan, _) = try TilePlan.plan(slide: slide, resolution: resolution, targetMPP: targetMPP, tileSize: tileSize,
                                          overlap: overlap, tissue: tissue)
        let tiles = try read(from: plan, count: count, seed: seed, excluding: excluding) { tile in
            try slide.read(level0Window: tile.readWindow, outputWidth: tileSize, outputHeight: tileSize)
        }
        return (plan, tiles)
    }

    /// The tiles of `plan` that `pick` chooses, read with `read` (a run reads through its own slide source).
    public static func read(from plan: TilePlan, count: Int, seed: UInt64 = 7, excluding: Set<Int> = [],
                            _ read: (PlannedTile) throws -> RGBImage) throws -> [Drawn] {
        let byIndex = Dictionary(uniqueKeysWithValues: plan.tiles.map { ($0.index, $0) })
        return try pick(from: plan, count: count, seed: seed, excluding: excluding).map { index in
            Drawn(planIndex: index, image: try read(byIndex[index]!))
        }
    }

    /// A fingerprint for a calibration source, recorded in the int8 file: OpenSlide's quickhash-1 (a hash of the
    /// slide's content) where the slide has one, else the file's size and name.
    public static func fingerprint(of slide: Slide) -> String {
        fingerprint(quickhash: slide.properties["openslide.quickhash-1"], url: slide.url)
    }

    /// The fingerprint of a slide file at `url` whose quickhash-1 is `quickhash` (nil when OpenSlide gives none).
    public static func fingerprint(quickhash: String?, url: URL) -> String {
        if let quickhash { return "quickhash-1:\(quickhash)" }
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        return "size:\(size):\(url.lastPathComponent)"
    }
}
