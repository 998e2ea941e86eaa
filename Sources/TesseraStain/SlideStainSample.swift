import Foundation
import TesseraCore
import TesseraSlide

extension StainSample {
    /// Tiles a per-slide estimate reads at most, and the pixel stride within each (every 2nd pixel of every 2nd
    /// row: 16 tiles of 256 x 256 give 262,144 pixels, at the model's resolution).
    public static let slideTileCount = 16
    public static let slideTileStride = 2

    /// The tiles a per-slide estimate reads: a fixed pseudo-random choice (seeded, so every run of a slide picks
    /// the same tiles) among the plan's tiles that are at least half tissue, or among all its tiles when fewer
    /// than `count` are. Spread over the whole slide, so a region that is mostly one stain cannot dominate.
    public static func slideTiles(of plan: TilePlan, count: Int = slideTileCount) -> [PlannedTile] {
        let mostlyTissue = plan.tiles.filter { $0.tissueFraction >= 0.5 }
        let pool = mostlyTissue.count >= count ? mostlyTissue : plan.tiles
        guard pool.count > count else { return pool }
        var generator = SplitMix64(seed: 0x7E55E7A)
        var chosen = Array(pool.indices)
        // Partial Fisher-Yates: the first `count` entries are a uniform sample.
        for i in 0..<count {
            let j = i + Int(generator.next() % UInt64(chosen.count - i))
            chosen.swapAt(i, j)
        }
        return chosen.prefix(count).sorted().map { pool[$0] }
    }

    /// The sample of `slide` for a per-slide estimate: `slideTiles(of:)` read at the plan's resolution and tile
    /// size with the given reader (the run's read stage passes its own, which reads on its pool).
    public static func slide(plan: TilePlan, read: (PlannedTile) throws -> RGBImage) rethrows -> StainSample {
        var sample = StainSample()
        for tile in slideTiles(of: plan) {
            sample.add(try read(tile), stride: slideTileStride)
        }
        return sample
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small seeded generator, identical on every platform.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

extension StainSample {
    /// Opens nothing itself: plans `slide`'s tissue tiles at `targetMPP` and `tileSize` (default tissue detection,
    /// tiles of at least 5% tissue) and samples them as a run would, for `tessera model stain-reference`.
    public static func slide(_ slide: Slide, targetMPP: Double, tileSize: Int, slideMPP: Double? = nil) throws -> StainSample {
        let resolution = try slide.resolution(userStatedMPP: slideMPP)
        let (plan, _) = try TilePlan.plan(slide: slide, resolution: resolution, targetMPP: targetMPP, tileSize: tileSize,
                                          overlap: 0)
        return try self.slide(plan: plan) { tile in
            try slide.read(level0Window: tile.readWindow, outputWidth: tileSize, outputHeight: tileSize)
        }
    }
}
