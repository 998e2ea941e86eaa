import ArgumentParser
import Foundation
import TesseraCore
import TesseraNetwork
import TesseraNuclei

/// `tessera model info|run|bench`: inspect a segmentation model, run it on one image, measure its speed.
/// These commands block on oneDNN on the main thread, which is theirs alone (no async work runs alongside).
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect, run and benchmark a segmentation model (smp DeepLabV3+ EfficientNet, safetensors).",
        subcommands: [Info.self, Run.self, Bench.self, ModelStainReferenceCommand.self, StainBenchCommand.self, ModelQuantizeCommand.self])

    /// Runs before any subcommand: oneDNN's OpenMP threads must sleep, not spin, when idle on a shared machine.
    mutating func validate() throws {
        OpenMPEnvironment.reexecWithBoundedSpinIfUnset()
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Architecture, classes, parameters, cost and SHA-256 of a model.")

        @Argument(help: "Model file (.safetensors).") var model: String
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() throws {
            let loaded = try loadModel(model)
            let gmac = Double(loaded.multiplyAccumulates(height: 512, width: 512)) / 1e9
            if json {
                let object: [String: Any] = [
                    "name": loaded.name, "path": loaded.url.path, "architecture": loaded.architecture,
                    "encoder": loaded.encoder.name, "classes": loaded.classCount, "class_names": loaded.classNames,
                    "class_colours": loaded.classColours.map { [Int($0.0), Int($0.1), Int($0.2)] },
                    "decoder_channels": loaded.decoder.decoderChannels, "atrous_rates": loaded.decoder.atrousRates,
                    "output_stride": loaded.decoder.outputStride, "parameters": loaded.parameterCount,
                    "gmac_per_512_tile": (gmac * 1000).rounded() / 1000, "sha256": loaded.sha256,
                    "unused_tensors": loaded.unusedTensors, "microns_per_pixel": loaded.micronsPerPixel as Any? ?? NSNull(),
                    "tile_size": loaded.tileSize as Any? ?? NSNull(),
                    "normalisation": ["mean": loaded.normalisation.mean, "std": loaded.normalisation.std],
                    "precision": loaded.int8 == nil ? "fp32" : "int8",
                    "quantization": loaded.int8.map { int8DescriptionJSON($0) } as Any? ?? NSNull(),
                ]
                print(try jsonText(object))
            } else {
                print("model:        \(loaded.name) (\(loaded.url.path))")
                print("architecture: DeepLabV3+ (ASPP rates \(loaded.decoder.atrousRates.map(String.init).joined(separator: "/")), \(loaded.decoder.decoderChannels) decoder channels, output stride \(loaded.decoder.outputStride))")
                print("encoder:      \(loaded.encoder.name) (width \(loaded.encoder.widthCoefficient), depth \(loaded.encoder.depthCoefficient), native resolution \(loaded.encoder.resolution))")
                print("classes:      \(loaded.classCount): \(loaded.classNames.joined(separator: ", "))")
                print("parameters:   \(loaded.parameterCount)")
                print(String(format: "cost:         %.2f GMAC per 512x512 tile", gmac))
                print("sha256:       \(loaded.sha256)")
                if let mpp = loaded.micronsPerPixel { print("mpp:          \(mpp)") }
                if let tile = loaded.tileSize { print("tile size:    \(tile)") }
                print("unused:       \(loaded.unusedTensors.isEmpty ? "none" : loaded.unusedTensors.joined(separator: ", "))")
                if let int8 = loaded.int8 { print(int8DescriptionText(int8)) }
            }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Segment one PNG image (width and height multiples of 16).",
            discussion: "labels.png holds the class index (0..classes-1) of each pixel as 8-bit grey; logits.npy is float32 classes x height x width.")

        @Argument(help: "Model file (.safetensors).") var model: String
        @Argument(help: "Input image (PNG, RGB).") var image: String
        @Option(name: .long, help: "Output label image (PNG, 8-bit class index per pixel).") var out: String
        @Option(name: .long, help: "Also write the logits as a NumPy float32 array (classes x height x width).") var logits: String?
        @Option(name: .long, help: "Threads for oneDNN and Tessera's kernels.") var threads = 2
        @Option(name: .long, help: "fp32 or int8 (default: the model file's; int8 on an fp32 model calibrates on this image).") var precision: Precision?
        @Option(name: .long, help: "Also separate the nuclei of the model's nucleus class as a run does, and write them as JSON (centroid in pixels, pixel count, measurements), with the probability map they came from as NumPy float32 height x width beside it (.npy).") var nuclei: String?
        @Flag(name: .long, help: "With --nuclei: redraw each nucleus from the image's haematoxylin within the model's (as `tessera run --refine-nuclei` does).") var refineNuclei = false

        func run() throws {
            let tile = try PNGImage.readRGB(from: URL(fileURLWithPath: image))
            let file = try loadModel(model)
            if nuclei != nil, file.nucleusClass == nil {
                throw ValidationError("--nuclei: the model \(model) names no nucleus class")
            }
            let loaded = try modelAtPrecision(file, precision, calibrationTiles: { [tile] }, what: image)
            let segmenter = try Segmenter(model: loaded, batch: 1, height: tile.height, width: tile.width, threads: threads)
            let values = try segmenter.logits([tile])
            let classes = loaded.classCount, plane = tile.width * tile.height
            let labels = classLabels(values, classes: classes, plane: plane)
            try PNGImage.write(gray: labels, width: tile.width, height: tile.height, to: URL(fileURLWithPath: out))
            if let logits {
                try NumPyFile.writeFloat32(URL(fileURLWithPath: logits), shape: [classes, tile.height, tile.width], values: values)
            }
            if let nuclei, let nucleusClass = loaded.nucleusClass {
                try Self.writeNuclei(try segmenter.probabilities([tile]), classes: classes, nucleusClass: nucleusClass,
                                     tile: tile, to: nuclei,
                                     settings: NucleusSegmentationSettings(refinesWithHaematoxylin: refineNuclei))
            }
            var counts = [Int](repeating: 0, count: classes)
            for label in labels { counts[Int(label)] += 1 }
            let summary = (0..<classes).map { String(format: "%@ %.1f%%", loaded.classNames[$0], 100 * Double(counts[$0]) / Double(plane)) }
            print("\(out): \(tile.width)x\(tile.height), \(summary.joined(separator: ", "))")
        }

        /// The nuclei of the image (the whole image is the tile's own window) as JSON, and the nucleus class's
        /// probability map beside it (`<name>.npy`): for tools/nuclei/reference.py, which separates the same map with
        /// scikit-image.
        static func writeNuclei(_ probabilities: [Float], classes: Int, nucleusClass: Int, tile: RGBImage, to path: String,
                                settings: NucleusSegmentationSettings = .init()) throws {
            precondition(tile.width == tile.height, "nuclei are separated on square tiles")
            let size = tile.width, plane = size * size
            let window = PixelRect(x: 0, y: 0, width: size, height: size)
            let found = probabilities.withUnsafeBufferPointer {
                TileNuclei(classCount: classes, nucleusClass: nucleusClass, size: size, settings: settings)
                    .find(probabilities: $0, readWindow: window, ownWindow: window, image: tile, micronsPerPixel: (1, 1))
            }
            let rows: [[String: Any]] = found.map {
                ["x": $0.x, "y": $0.y, "pixels": $0.areaMicrons2, "eccentricity": $0.eccentricity, "solidity": $0.solidity,
                 "haematoxylin_od": $0.meanHaematoxylinOD, "mean_probability": $0.meanProbability]
            }
            let data = try JSONSerialization.data(withJSONObject: ["width": size, "height": size, "nucleus_class": nucleusClass,
                                                                   "nuclei": rows], options: [.sortedKeys])
            try data.write(to: URL(fileURLWithPath: path))
            let map = Array(probabilities[(nucleusClass * plane)..<((nucleusClass + 1) * plane)])
            try NumPyFile.writeFloat32(URL(fileURLWithPath: (path as NSString).deletingPathExtension + ".npy"),
                                       shape: [size, size], values: map)
        }
    }

    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Measure tiles per second on fixed tiles.")

        @Argument(help: "Model file (.safetensors).") var model: String
        @Option(name: .long, help: "Tiles per batch.") var batch = 4
        @Option(name: .long, help: "Tile width and height (multiple of 16).") var size = 512
        @Option(name: .long, help: "Threads for oneDNN and Tessera's kernels.") var threads = 2
        @Option(name: .long, help: "Seconds to measure (after one warm-up batch).") var seconds = 10.0
        @Option(name: .long, help: "Tiles to use: a NumPy uint8 array N x size x size x 3 (default: fixed pseudo-random tiles).") var tiles: String?
        @Flag(name: .long, help: "Print per-layer timings (adds a stream wait per layer).") var profile = false
        @Flag(name: .long, help: "Print JSON.") var json = false
        @Option(name: .long, help: "fp32 or int8 (default: the model file's; int8 on an fp32 model calibrates on the bench tiles).") var precision: Precision?

        func run() throws {
            let inputs = try benchmarkTiles()
            let loaded = try modelAtPrecision(try loadModel(model), precision, calibrationTiles: { inputs }, what: tiles ?? "the pseudo-random bench tiles")
            let buildStart = Date()
            let segmenter = try Segmenter(model: loaded, batch: batch, height: size, width: size, threads: threads)
            let buildSeconds = Date().timeIntervalSince(buildStart)
            _ = try segmenter.logits(inputs)  // warm-up: first executions are slower
            segmenter.recordsTimings = profile
            var batches = 0
            let cpuStart = processCPUSeconds()
            let start = Date()
            var batchTimes: [Double] = []
            repeat {
                let batchStart = Date()
                _ = try segmenter.logits(inputs)
                batchTimes.append(Date().timeIntervalSince(batchStart))
                batches += 1
            } while Date().timeIntervalSince(start) < seconds
            let elapsed = Date().timeIntervalSince(start)
            let cpuSecondsPerTile = (processCPUSeconds() - cpuStart) / Double(batches * batch)
            let tilesPerSecond = Double(batches * batch) / elapsed
            let gmacPerTile = Double(loaded.multiplyAccumulates(height: size, width: size)) / 1e9
            let peakRSS = ProcessMemory.peakResidentMiB()
            let sorted = batchTimes.sorted()
            let openMP = OpenMPEnvironment.current
            if json {
                var object: [String: Any] = [
                    "engine": "tessera", "tiles_per_second": tilesPerSecond, "batch": batch, "size": size, "threads": threads,
                    "seconds": elapsed, "batches": batches, "gmac_per_tile": gmacPerTile, "gmac_per_second": tilesPerSecond * gmacPerTile,
                    "median_batch_seconds": sorted[sorted.count / 2], "cpu_seconds_per_tile": cpuSecondsPerTile, "build_seconds": buildSeconds, "peak_rss_mib": peakRSS,
                    "model_sha256": loaded.sha256, "precision": segmenter.precision.rawValue,
                    "openmp_wait_policy": openMP.waitPolicy ?? NSNull(), "gomp_spincount": openMP.spinCount ?? NSNull(),
                ]
                if profile {
                    object["layers"] = segmenter.layerTimings.map {
                        ["label": $0.label, "implementation": $0.implementation, "ms_per_tile": 1000 * $0.seconds / Double(max($0.runs, 1))] as [String: Any]
                    }
                }
                print(try jsonText(object))
                return
            }
            print(String(format: "%.2f tiles/s (%@, batch %d, %dx%d, %d threads, %d batches in %.1f s, median %.1f ms/batch)",
                         tilesPerSecond, segmenter.precision.rawValue, batch, size, size, threads, batches, elapsed, 1000 * sorted[sorted.count / 2]))
            print(String(format: "%.1f GMAC/s (%.2f GMAC per tile); %.3f CPU s per tile; peak RSS %.0f MiB; primitives built in %.2f s",
                         tilesPerSecond * gmacPerTile, gmacPerTile, cpuSecondsPerTile, peakRSS, buildSeconds))
            print("OpenMP wait: OMP_WAIT_POLICY=\(openMP.waitPolicy ?? "unset") GOMP_SPINCOUNT=\(openMP.spinCount ?? "unset")")
            if profile { printProfile(segmenter) }
        }

        private func benchmarkTiles() throws -> [RGBImage] {
            if let tiles {
                let (shape, values) = try NumPyFile.readUInt8(URL(fileURLWithPath: tiles))
                guard shape.count == 4, shape[1] == size, shape[2] == size, shape[3] == 3, shape[0] >= 1 else {
                    throw ValidationError("\(tiles) has shape \(shape); expected N x \(size) x \(size) x 3")
                }
                let tileBytes = size * size * 3
                return (0..<batch).map { i in
                    let n = i % shape[0]
                    return RGBImage(width: size, height: size, pixels: Array(values[(n * tileBytes)..<((n + 1) * tileBytes)]))
                }
            }
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            return (0..<batch).map { _ in
                RGBImage(width: size, height: size, pixels: (0..<(size * size * 3)).map { _ in
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    return UInt8(truncatingIfNeeded: state >> 56)
                })
            }
        }

        private func printProfile(_ segmenter: Segmenter) {
            let layers = segmenter.layerTimings
            let total = layers.reduce(0) { $0 + $1.seconds }
            var byKind: [String: Double] = [:]
            for layer in layers {
                let kind = layer.label.split(separator: ".").dropFirst().first.map(String.init) ?? layer.label
                byKind[layer.label.hasPrefix("block") ? "encoder " + kind : layer.label.hasPrefix("stem") ? "encoder stem" : "decoder " + layer.label.split(separator: ".").first!, default: 0] += layer.seconds
            }
            print("\nTime by kind of layer (ms per tile, share):")
            let runs = Double(max(layers.first?.runs ?? 1, 1))
            for (kind, seconds) in byKind.sorted(by: { $0.value > $1.value }) {
                print(String(format: "  %-28@ %8.2f  %5.1f%%", kind, 1000 * seconds / runs, 100 * seconds / total))
            }
            print("\nLayers (ms per tile, implementation):")
            for layer in layers {
                print(String(format: "  %-32@ %8.3f  %@", layer.label, 1000 * layer.seconds / runs, layer.implementation))
            }
        }
    }
}

private func loadModel(_ path: String) throws -> SegmentationModel {
    try SegmentationModel.load(contentsOf: URL(fileURLWithPath: path))
}

private func jsonText(_ object: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
}


/// User + system CPU time of this process so far: robust to other work on a shared machine, unlike wall time.
private func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
