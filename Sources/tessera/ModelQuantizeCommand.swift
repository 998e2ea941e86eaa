import ArgumentParser
import Foundation
import TesseraCore
import TesseraNetwork
import TesseraPipeline
import TesseraSlide

/// `tessera model quantize`: static int8 quantisation calibrated on tissue tiles of real slides (or PNG tiles).
struct ModelQuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Quantise a model to int8, calibrated on tissue tiles of real slides (or PNG tiles).",
        discussion: """
            Tiles are drawn from each slide's tissue by the code that draws `tessera run --precision int8`'s (its planner, \
            tiling, tissue settings, reader and stain normalisation), picked by a fixed seed, spread evenly over the \
            slides. PNG inputs are used as tiles (cropped to --tile); PNG and .npy tiles must show tissue. The output holds int8 \
            convolutions with per-output-channel scales, float biases, the fp32 layers kept, and each activation's scale; \
            its metadata records the fp32 model's SHA-256, the calibration slides' fingerprints, the tile count and method.
            """)

    @Argument(help: "The fp32 model (.safetensors).") var model: String
    @Option(name: .long, parsing: .upToNextOption, help: "Slides (any format OpenSlide reads; folders and glob patterns are searched as `tessera run` searches them), PNG tiles or .npy tile stacks to calibrate on.")
    var calibrate: [String] = []
    @Option(name: .long, help: "Output file (.safetensors).") var out: String
    @Option(name: .long, help: "Calibration tiles in all.") var tiles = 64
    @Option(name: .long, help: "Resolution in µm/px (default: the model's, else 0.5).") var mpp: Double?
    @Option(name: .customLong("slide-mpp"), help: "The slides' own resolution in µm/px, for files that do not state it (a file's own resolution wins).")
    var slideMPP: Double?
    @Option(name: .long, help: "Tile width and height (default: the model's, else 512).") var tile: Int?
    @Option(name: .long, help: "Pixels shared by neighbouring tiles of a slide, as `tessera run --overlap` (default: the run's, 64; 0 for tiles of 64 px or less).")
    var overlap: Int?
    @Option(name: .long, help: "Range of the activations with one scale: minmax, percentile or entropy (per-channel ones take each channel's largest |x|).") var method = Int8Calibration.defaultMethod.rawValue
    @Option(name: .long, help: "Stain normalisation of the calibration tiles: none, reinhard or macenko (default: the model's stain_reference method, as `tessera run` applies it).")
    var stain: StainOption?
    @Option(name: .long, help: "Seed that picks the tiles.") var seed: UInt64 = 7
    @Option(name: .long, help: "Threads for oneDNN and Tessera's kernels.") var threads = 2

    func validate() throws {
        guard !calibrate.isEmpty else { throw ValidationError("give --calibrate with at least one slide or PNG tile") }
        guard tiles >= 1 else { throw ValidationError("--tiles must be at least 1") }
        guard CalibrationMethod(rawValue: method) != nil else {
            throw ValidationError("--method \(method) is not one of \(CalibrationMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let source = try SegmentationModel.load(contentsOf: URL(fileURLWithPath: model))
        guard source.int8 == nil else { throw ValidationError("\(model) is already an int8 model") }
        // The tiles a run with these options would hand the network (`tessera run`'s defaults for the rest).
        var run = RunSettings()
        run.targetMPP = mpp
        run.tileSize = tile
        // A run's overlap would not fit a tile of its size or less: such tiles (image tiles, say) are cut without one.
        let size = tile ?? source.tileSize ?? RunSettings.fallbackTileSize
        run.overlap = overlap ?? (size <= run.overlap ? 0 : run.overlap)
        run.slideMPP = slideMPP
        run.stain = stain
        run.calibrationTiles = tiles
        run.threads = threads
        let settings = try run.resolve(model: source.identity)
        let resolution = settings.targetMPP
        let start = Date()
        let normalisation = try CalibrationStain(option: stain, model: source.identity)
        let (calibrationTiles, sources, warnings) = try drawCalibrationTiles(try calibrationInputs(calibrate), settings: settings,
                                                                             seed: seed, stain: normalisation)
        for warning in warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        var metadata = try SafetensorsFile(contentsOf: source.url).metadata
        metadata["calibration_stain"] = normalisation.method
        let quantized = try Int8Calibration.quantize(source, tiles: calibrationTiles, method: CalibrationMethod(rawValue: method)!,
                                                     sources: sources, sourceMetadata: metadata, threads: threads)
        try quantized.int8!.write(to: URL(fileURLWithPath: out))
        print("\(out): int8 (\(method)), \(calibrationTiles.count) calibration tiles of \(size)x\(size) at \(resolution) µm/px from \(sources.count) source(s), stain \(normalisation.method), \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        print("source sha256: \(source.sha256)")
        print("int8 sha256:   \(quantized.sha256)")
    }
}

/// The calibration inputs with folders and glob patterns expanded into their slides, as `tessera run` expands its
/// inputs (`SlideDiscovery`); files are taken as given (PNG tiles, .npy stacks, slides).
func calibrationInputs(_ inputs: [String]) throws -> [String] {
    var paths: [String] = []
    for input in inputs {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory)
        guard !exists || isDirectory.boolValue else { paths.append(input); continue }
        let slides = try SlideDiscovery.slides(in: [input])
        guard !slides.isEmpty else {
            throw ValidationError("\(input): no slide files (\(SlideDiscovery.slideExtensions.sorted().joined(separator: ", "))) to calibrate on")
        }
        paths += slides.map(\.path)
    }
    return paths
}

/// Calibration tiles from slides, PNG tiles (cropped to the tile size) and .npy stacks of tiles (N x tile x tile x 3
/// uint8, as `model bench --tiles` takes). The slides' tiles are drawn by `CalibrationSlides`, the code that draws a
/// run's (`settings`: the run's planner, tissue settings, overlap and stain), spread evenly over the slides; a slide
/// that gives none is an error naming it. Image tiles must pass the tissue test a slide's tiles pass
/// (`CalibrationTiles.unusableReason`): a PNG tile without tissue is an error naming it, tiles of a stack without
/// tissue are left out with a warning, and a stack with none is an error. Images are stain-normalised by `stain`,
/// the PNG tiles together, each stack on its own. Images take their share first, the slides the rest.
func drawCalibrationTiles(_ paths: [String], settings: RunSettings.Resolved, seed: UInt64,
                          stain: CalibrationStain) throws -> ([RGBImage], [CalibrationSource], [String]) {
    let count = settings.calibrationTiles, tileSize = settings.tileSize
    var tiles: [RGBImage] = []
    var sources: [CalibrationSource] = []
    var warnings: [String] = []
    var pngTiles: [RGBImage] = []
    let isImage = { (path: String) in ["npy", "png"].contains(URL(fileURLWithPath: path).pathExtension.lowercased()) }
    let images = paths.filter(isImage), slides = paths.filter { !isImage($0) }
    func unusable(_ tile: RGBImage) -> String? {
        CalibrationTiles.unusableReason(tile, micronsPerPixel: settings.targetMPP, tissue: settings.tissue)
    }
    for (index, path) in images.enumerated() {
        let url = URL(fileURLWithPath: path)
        let remainingSources = paths.count - index, wanted = (count - tiles.count - pngTiles.count + remainingSources - 1) / remainingSources
        guard wanted > 0 else { break }
        if url.pathExtension.lowercased() == "npy" {
            let (shape, values) = try NumPyFile.readUInt8(url)
            guard shape.count == 4, shape[1] == tileSize, shape[2] == tileSize, shape[3] == 3 else {
                throw ValidationError("\(path) has shape \(shape); expected N x \(tileSize) x \(tileSize) x 3 tiles")
            }
            let bytes = tileSize * tileSize * 3
            let stack = (0..<shape[0]).map { RGBImage(width: tileSize, height: tileSize, pixels: Array(values[($0 * bytes)..<(($0 + 1) * bytes)])) }
            let reasons = stack.map(unusable)
            let usable = zip(stack, reasons).filter { $0.1 == nil }.map(\.0)
            guard !usable.isEmpty else {
                throw ValidationError("\(path): no tissue tiles to calibrate on: none of its \(stack.count) tiles passes the "
                    + "tissue test a slide's tiles pass (the first: \(reasons.first.flatMap { $0 } ?? "no tiles")); calibrate on tiles of tissue")
            }
            if usable.count < stack.count {
                warnings.append("\(path): \(stack.count - usable.count) of its \(stack.count) tiles show no tissue and are left out")
            }
            let used = Array(usable.prefix(wanted))
            let (normalised, warning) = stain.normalise(used)
            tiles += normalised
            if let warning { warnings.append("\(path): \(warning)") }
            sources.append(CalibrationSource(path: path, fingerprint: "sha256:\(try CalibrationSource.sha256(of: url))", tiles: used.count))
        } else {
            let image = try PNGImage.readRGB(from: url)
            guard image.width >= tileSize, image.height >= tileSize else {
                throw ValidationError("\(path) is \(image.width)x\(image.height), smaller than the \(tileSize)x\(tileSize) tile")
            }
            var pixels = [UInt8](repeating: 0, count: tileSize * tileSize * 3)
            for y in 0..<tileSize {
                pixels.replaceSubrange((y * tileSize * 3)..<((y + 1) * tileSize * 3), with: image.pixels[(y * image.width * 3)..<((y * image.width + tileSize) * 3)])
            }
            let tile = RGBImage(width: tileSize, height: tileSize, pixels: pixels)
            if let reason = unusable(tile) {
                throw ValidationError("\(path): no tissue to calibrate on: \(reason); calibrate on tiles of tissue")
            }
            pngTiles.append(tile)
            sources.append(CalibrationSource(path: path, fingerprint: "sha256:\(try CalibrationSource.sha256(of: url))", tiles: 1))
        }
    }
    if !pngTiles.isEmpty {
        let (normalised, warning) = stain.normalise(pngTiles)
        tiles += normalised
        if let warning { warnings.append("the PNG tiles: \(warning)") }
    }
    if !slides.isEmpty, tiles.count < count {
        let drawn = CalibrationSlides.draw(from: slides.map { URL(fileURLWithPath: $0) }, settings: settings,
                                           count: count - tiles.count, seed: seed, spreadOver: slides.count)
        // Each slide was named to calibrate on: one that gives no tiles is a mistake to report, not to pass over.
        if let skipped = drawn.skipped.first { throw ValidationError(skipped.description) }
        tiles += drawn.tiles
        sources += drawn.sources
        warnings += drawn.warnings
    }
    return (tiles, sources, warnings)
}

/// The model to run at `precision` (`OnTheFlyQuantization.model`, as `tessera run` decides it): an int8 file runs
/// int8; an fp32 model asked for int8 is quantised on the fly from `calibrationTiles`, and says so on standard error.
func modelAtPrecision(_ model: SegmentationModel, _ precision: Precision?, calibrationTiles: () throws -> [RGBImage],
                      what: String) throws -> SegmentationModel {
    let (model, report) = try OnTheFlyQuantization.model(model, at: precision, calibrationTiles: calibrationTiles, what: what)
    if let report { FileHandle.standardError.write(Data((report + "\n").utf8)) }
    return model
}

extension Precision: ExpressibleByArgument {}

/// What `tessera model info` says about an int8 model.
func int8DescriptionJSON(_ int8: Int8Parameters) -> [String: Any] {
    var object: [String: Any] = [
        "method": int8.metadata["quantization_method"] ?? "", "source_sha256": int8.metadata["source_sha256"] ?? "",
        "calibration_tiles": Int(int8.metadata["calibration_tiles"] ?? "") ?? 0, "tessera_version": int8.metadata["tessera_version"] ?? "",
        "int8_convolutions": int8.convolutions.count, "fp32_tensors": int8.floatTensors.keys.sorted(),
    ]
    // Absent from files written before activation smoothing (their per-channel scales are each channel's own range).
    if let smoothing = int8.metadata["activation_smoothing"].flatMap(Double.init) { object["activation_smoothing"] = smoothing }
    if let stain = int8.metadata["calibration_stain"] { object["calibration_stain"] = stain }
    if let slides = int8.metadata["calibration_slides"], let parsed = try? JSONSerialization.jsonObject(with: Data(slides.utf8)) {
        object["calibration_slides"] = parsed
    }
    return object
}

func int8DescriptionText(_ int8: Int8Parameters) -> String {
    let json = int8DescriptionJSON(int8)
    let smoothing = ((json["activation_smoothing"] as? Double).map { ", activation smoothing \($0)" } ?? "")
        + ((json["calibration_stain"] as? String).map { ", tiles stain-normalised: \($0)" } ?? "")
    var lines = ["precision:    int8 (\(json["method"]!) calibration on \(json["calibration_tiles"]!) tiles\(smoothing); \(int8.convolutions.count) int8 convolutions; SE FCs, ASPP atrous depthwise and image pooling in fp32)",
                 "source:       fp32 model sha256 \(json["source_sha256"]!), quantised by Tessera \(json["tessera_version"]!)"]
    for slide in json["calibration_slides"] as? [[String: Any]] ?? [] {
        lines.append("calibration:  \(slide["path"] ?? "?") (\(slide["tiles"] ?? 0) tiles, \(slide["fingerprint"] ?? "?"))")
    }
    return lines.joined(separator: "\n")
}
