import Foundation
import Testing
import TesseraCore
import TesseraSlide
import TesseraTestSupport

/// No seams in a stitched heatmap: `tessera run` (the built binary, the bundled model, Reinhard to its reference) on
/// CMU-1-Small-Region.svs with the slide's stain estimated once, against the same run with each tile estimated on
/// its own, both measured against the run without normalisation.
///
/// Δ = (class probabilities with normalisation) - (without), per heatmap pixel. A "step" across a line is the L1
/// distance (summed over classes) between the mean Δ of the 4 px strips on either side of it, over 16 px segments
/// of the line where both strips are predicted tissue. Steps across the borders between tiles' own windows are
/// compared with steps across the lines through the tiles' middles (the interior statistics). One transform for the
/// whole slide changes Δ with the tissue, alike on both sides of a border; a transform per tile shifts each tile's
/// Δ on its own, so its border steps stand out (measured with the bundled model: ratio 2.50 per tile, 1.44 per slide; DeepLabv3+'s image
/// pooling sees a whole tile, so even one transform leaves a little of its colour change at the borders).
@Suite(.serialized) struct StainSeamTests {
    static let cmu = Fixtures.slide("CMU-1-Small-Region.svs")
    // 1 µm/px (level 0 is 0.499 µm/px: f = 2.004 level-0 px per model px), 256 px tiles, 64 px overlap: own windows
    // of 192 model px; heatmap pixel = 1 model pixel (downsample round(2.004) = 2 level-0 px).
    static let mpp = 1.0, tile = 256, overlap = 64, strip = 4, segment = 16

    /// The three probability planes of a run (background, eosin-stroma, nuclei: the files' sorted names), read
    /// back through OpenSlide (a grey TIFF reads as (p, p, p)), as 0...1.
    struct Heatmap {
        var width = 0, height = 0
        var planes: [[Double]] = []
        var backgroundPlane = 0
    }

    static func run(_ stain: [String], in directory: URL) throws -> Heatmap {
        let out = directory.appendingPathComponent(stain.joined(separator: "-"))
        let result = try TesseraCLI.run(["run", cmu.path, "--out", out.path, "--mpp", String(mpp), "--tile", String(tile),
                                         "--overlap", String(overlap), "--heatmap-pixel", "1", "--quiet"] + stain)
        #expect(result.status == 0, "\(result.stderr)")
        let heatmaps = out.appendingPathComponent("heatmaps")
        // The slide run's own files (the plain names are links to them).
        let files = try FileManager.default.contentsOfDirectory(atPath: heatmaps.path)
            .filter { $0.contains(".sr1.prob-") }.sorted()
        #expect(files.count == 3 && files[0].hasSuffix(".prob-background.tif"), "\(files)")
        var heatmap = Heatmap()
        for file in files {
            let slide = try Slide(contentsOf: heatmaps.appendingPathComponent(file))
            (heatmap.width, heatmap.height) = (slide.width, slide.height)
            let image = try slide.read(level0Window: PixelRect(x: 0, y: 0, width: slide.width, height: slide.height),
                                       outputWidth: slide.width, outputHeight: slide.height)
            heatmap.planes.append(Swift.stride(from: 0, to: image.pixels.count, by: 3).map { Double(image.pixels[$0]) / 255 })
        }
        return heatmap
    }

    struct Steps: CustomStringConvertible {
        var border: Double, interior: Double, borderSegments: Int, interiorSegments: Int
        var ratio: Double { border / interior }
        var description: String {
            String(format: "border step %.4f (%d segments), interior step %.4f (%d segments), ratio %.2f",
                   border, borderSegments, interior, interiorSegments, ratio)
        }
    }

    /// Steps of (run - reference) across the tile borders and across the tiles' middle lines.
    static func steps(_ run: Heatmap, minus reference: Heatmap) throws -> Steps {
        let (width, height) = (run.width, run.height)
        #expect(reference.width == width && reference.height == height)
        // Own-window borders in heatmap pixels: tile k starts at level-0 round(k * S * f) (TileGrid), and heatmap
        // pixel h belongs to the tile whose own window holds its centre (h + 0.5) * d (HeatmapCanvas.paint).
        let f = mpp / (try Slide(contentsOf: cmu).resolution()).mpp, d = f.rounded(), stride = tile - overlap
        func start(_ k: Int) -> Int { Int(((Double(k * stride) * f).rounded() / d - 0.5).rounded(.up)) }
        func lines(_ extent: Int) -> (borders: [Int], middles: [Int]) {
            var borders: [Int] = [], middles: [Int] = []
            var k = 0
            while start(k) + strip <= extent {
                if k > 0 { borders.append(start(k)) }
                let middle = (start(k) + start(k + 1)) / 2
                if middle >= strip, middle + strip <= extent { middles.append(middle) }
                k += 1
            }
            return (borders, middles)
        }
        let columns = lines(width), rows = lines(height)
        #expect(columns.borders.count >= 4 && rows.borders.count >= 6, "\(columns) \(rows)")
        // Predicted tissue in both runs: some probability (no prediction is 0 in every plane), background < 1/2.
        func tissue(_ i: Int) -> Bool {
            [run, reference].allSatisfy { h in h.planes.reduce(0) { $0 + $1[i] } > 0 && h.planes[0][i] < 0.5 }
        }
        // Mean of Δ over a rectangle, or nil when any pixel of it is not tissue.
        func meanDelta(x: Range<Int>, y: Range<Int>) -> [Double]? {
            var sums = [Double](repeating: 0, count: run.planes.count)
            for yy in y { for xx in x {
                let i = yy * width + xx
                guard tissue(i) else { return nil }
                for c in sums.indices { sums[c] += run.planes[c][i] - reference.planes[c][i] }
            } }
            return sums.map { $0 / Double(x.count * y.count) }
        }
        func step(at line: Int, vertical: Bool) -> [Double] {
            let length = vertical ? height : width
            return Swift.stride(from: 0, to: length - segment + 1, by: segment).compactMap { s in
                let along = s..<(s + segment), before = (line - strip)..<line, after = line..<(line + strip)
                guard let a = vertical ? meanDelta(x: before, y: along) : meanDelta(x: along, y: before),
                      let b = vertical ? meanDelta(x: after, y: along) : meanDelta(x: along, y: after) else { return nil }
                return zip(a, b).reduce(0) { $0 + abs($1.0 - $1.1) }
            }
        }
        let border = columns.borders.flatMap { step(at: $0, vertical: true) } + rows.borders.flatMap { step(at: $0, vertical: false) }
        let interior = columns.middles.flatMap { step(at: $0, vertical: true) } + rows.middles.flatMap { step(at: $0, vertical: false) }
        return Steps(border: border.reduce(0, +) / Double(border.count), interior: interior.reduce(0, +) / Double(interior.count),
                     borderSegments: border.count, interiorSegments: interior.count)
    }

    @Test func perSlideStatisticsLeaveNoSeamPerTileStatisticsDo() throws {
        let directory = try Fixtures.temporaryDirectory("stain-seam")
        defer { try? FileManager.default.removeItem(at: directory) }
        let none = try Self.run(["--stain", "none"], in: directory)
        let perSlide = try Self.steps(try Self.run(["--stain", "reinhard", "--stain-estimate", "slide"], in: directory), minus: none)
        let perTile = try Self.steps(try Self.run(["--stain", "reinhard", "--stain-estimate", "tile"], in: directory), minus: none)
        print("stain seam: per slide \(perSlide); per tile \(perTile)")
        #expect(perSlide.borderSegments >= 200 && perSlide.interiorSegments >= 200 && perTile.borderSegments >= 200)
        // Normalisation does change the probabilities (else there is nothing to measure).
        #expect(perSlide.interior > 0.005 && perTile.interior > 0.005, "\(perSlide) \(perTile)")
        #expect(perSlide.ratio < 1.8, "per slide: \(perSlide)")
        #expect(perTile.ratio > perSlide.ratio * 1.4, "per tile: \(perTile); per slide: \(perSlide)")
    }
}
