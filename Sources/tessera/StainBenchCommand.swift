import ArgumentParser
import Foundation
import TesseraCore
import TesseraNetwork
import TesseraSlide
import TesseraStain

/// `tessera model stain-bench`: the cost of stain normalisation per tile next to the network's, measured in one
/// process, alternating, on real tiles of a slide (the machine's noise hits both alike).
struct StainBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stain-bench",
        abstract: "Measure the stain transform's time per tile against the network's (release builds).")

    @Argument(help: "Model file (.safetensors).") var model: String
    @Option(name: .long, help: "Slide to take tiles from.") var slide: String
    @Option(name: .long, help: "Tile width and height.") var size = 256
    @Option(name: .long, help: "Tiles per network batch.") var batch = 4
    @Option(name: .long, help: "Threads for the network.") var threads = 2
    @Option(name: .long, help: "Rounds; each runs one network batch and each method on the same tiles.") var rounds = 5
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let loaded = try SegmentationModel.load(contentsOf: URL(fileURLWithPath: model))
        let opened = try Slide(contentsOf: URL(fileURLWithPath: slide))
        let resolution = try opened.resolution()
        let (plan, _) = try TilePlan.plan(slide: opened, resolution: resolution, targetMPP: loaded.micronsPerPixel ?? 0.5,
                                          tileSize: size, overlap: 0)
        let tiles = try StainSample.slideTiles(of: plan, count: batch).map {
            try opened.read(level0Window: $0.readWindow, outputWidth: size, outputHeight: size)
        }
        guard tiles.count == batch else { throw ValidationError("\(slide) has \(tiles.count) tissue tiles of \(size) px; \(batch) needed") }
        let sample = try StainSample.slide(opened, targetMPP: loaded.micronsPerPixel ?? 0.5, tileSize: size)
        let transforms = try StainMethod.allCases.map { method -> (StainMethod, StainTransform) in
            let source = try StainEstimation.estimate(method, from: sample)
            return (method, StainTransform(source: source, target: source))
        }
        let segmenter = try Segmenter(model: loaded, batch: batch, height: size, width: size, threads: threads)
        _ = try segmenter.logits(tiles)
        var network: [Double] = []
        var perMethod: [StainMethod: [Double]] = [:]
        for _ in 0..<rounds {
            let start = ContinuousClock.now
            _ = try segmenter.logits(tiles)
            network.append((ContinuousClock.now - start).seconds / Double(batch))
            for (method, transform) in transforms {
                let start = ContinuousClock.now
                for tile in tiles { _ = transform.applied(to: tile) }
                perMethod[method, default: []].append((ContinuousClock.now - start).seconds / Double(batch))
            }
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let networkMS = median(network) * 1000
        let estimateStart = ContinuousClock.now
        for method in StainMethod.allCases { _ = try StainEstimation.estimate(method, from: sample) }
        let estimateMS = (ContinuousClock.now - estimateStart).seconds * 1000 / Double(StainMethod.allCases.count)
        let results = StainMethod.allCases.map { method -> [String: Any] in
            let ms = median(perMethod[method] ?? [0]) * 1000
            return ["method": method.rawValue, "ms_per_tile": ms, "fraction_of_network": ms / networkMS]
        }
        if json {
            let object: [String: Any] = ["size": size, "batch": batch, "threads": threads, "rounds": rounds,
                                         "network_ms_per_tile": networkMS, "methods": results,
                                         "slide_estimate_ms": estimateMS, "sample_pixels": sample.tissuePixelCount]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]), as: UTF8.self))
        } else {
            print(String(format: "network: %.1f ms per %dx%d tile (median of %d batches of %d, %d threads)", networkMS, size, size, rounds, batch, threads))
            for result in results {
                print(String(format: "%@: %.2f ms per tile, %.2f%% of the network", result["method"] as! String,
                             result["ms_per_tile"] as! Double, 100 * (result["fraction_of_network"] as! Double)))
            }
            print(String(format: "per-slide estimate: %.0f ms (once per slide, %d tissue pixels)", estimateMS, sample.tissuePixelCount))
        }
    }
}

private extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
