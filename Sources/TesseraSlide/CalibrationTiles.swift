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

    /// Why `tile` cannot calibrate an int8 network, or nil when it can. A tile given as an image (a PNG tile, a
    /// tile of a .npy stack) at `micronsPerPixel` passes the test a slide's tiles pass to be planned: its tissue
    /// (`TissueMask`, on the tile shrunk to the tissue thumbnail's resolution) must cover at least the minimum
    /// fraction. Regions are not filtered by area: one tile shows only part of its regions. A tile of one flat colour
    /// is refused too (it would pass as "tissue" when the colour is saturated): its activations have no range.
    public static func unusableReason(_ tile: RGBImage, micronsPerPixel: Double,
                                      tissue: TissueSettings = TissueSettings()) -> String? {
        guard tile.width > 0, tile.height > 0 else { return "the tile is empty" }
        let first = tile.pixels.prefix(3)
        if stride(from: 0, to: tile.pixels.count, by: 3).allSatisfy({ tile.pixels[$0..<($0 + 3)].elementsEqual(first) }) {
            return "every pixel is the same colour (RGB \(first.map(String.init).joined(separator: ", "))), no image"
        }
        let factor = max(1, Int((tissue.thumbnailMPP / micronsPerPixel).rounded()))
        let thumbnail = shrunk(tile, by: factor)
        var parameters = tissue
        parameters.minimumRegionAreaMM2 = 0
        let mask = TissueMask.detect(thumbnail: thumbnail, level0PerPixel: Double(factor),
                                     micronsPerPixel: micronsPerPixel * Double(factor), slideWidth: tile.width,
                                     slideHeight: tile.height, parameters: parameters)
        let fraction = mask.slideTissueFraction
        guard fraction > 0, fraction >= tissue.minimumTissueFraction else {
            return String(format: "no tissue (%.0f%% of the tile, under the %.0f%% a slide's tile needs)", fraction * 100,
                          tissue.minimumTissueFraction * 100)
        }
        return nil
    }

    /// `image` shrunk by a whole `factor` (box average; a partial block at the edge averages what it holds).
    static func shrunk(_ image: RGBImage, by factor: Int) -> RGBImage {
        if factor == 1 { return image }
        let width = (image.width + factor - 1) / factor, height = (image.height + factor - 1) / factor
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                var sums = (0, 0, 0), count = 0
                for yy in (y * factor)..<min(image.height, (y + 1) * factor) {
                    for xx in (x * factor)..<min(image.width, (x + 1) * factor) {
                        let i = (yy * image.width + xx) * 3
                        sums.0 += Int(image.pixels[i]); sums.1 += Int(image.pixels[i + 1]); sums.2 += Int(image.pixels[i + 2])
                        count += 1
                    }
                }
                let o = (y * width + x) * 3
                pixels[o] = UInt8(sums.0 / count); pixels[o + 1] = UInt8(sums.1 / count); pixels[o + 2] = UInt8(sums.2 / count)
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
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
