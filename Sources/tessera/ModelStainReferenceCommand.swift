import ArgumentParser
import Foundation
import TesseraCore
import TesseraNetwork
import TesseraSlide
import TesseraStain

/// `tessera model stain-reference MODEL --from SLIDE|PNG...`: estimates the stain of the images a model was trained
/// on and records it as the model's `stain_reference`, the target `tessera run` normalises every slide to.
struct ModelStainReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stain-reference",
        abstract: "Compute a model's stain reference from its training images and record it in the model.",
        discussion: """
            Slides are sampled as a run samples them: 16 tissue tiles at the model's mpp and tile size, every \
            2nd pixel. PNG images are used whole (every pixel). Tissue pixels (optical density >= 0.15 in every \
            channel) of all inputs together give both methods' statistics; --method sets the one runs use by \
            default. The reference is written into the model's safetensors metadata (key stain_reference; the file \
            is rewritten, tensors unchanged, so its SHA-256 changes), or into its JSON sidecar with --sidecar, or \
            only to a file with --out.
            """)

    @Argument(help: "Model file (.safetensors).") var model: String
    @Option(name: .long, parsing: .upToNextOption, help: "Slides or PNG images the model was trained on.") var from: [String]
    @Option(name: .long, help: "Method runs use by default: \(StainMethod.allCases.map(\.rawValue).joined(separator: ", ")).")
    var method: StainMethod = .macenko
    @Option(name: .long, help: "Slide resolution in µm/px when a slide does not state it.") var slideMpp: Double?
    @Flag(name: .long, help: "Write into the model's JSON sidecar (MODEL.json) instead of the safetensors file.") var sidecar = false
    @Option(name: .long, help: "Write the reference JSON to this file and leave the model unchanged.") var out: String?

    func validate() throws {
        guard !from.isEmpty else { throw ValidationError("--from needs at least one slide or PNG image") }
        if sidecar && out != nil { throw ValidationError("--sidecar and --out exclude each other") }
    }

    func run() throws {
        let modelURL = URL(fileURLWithPath: model)
        let metadata = try SafetensorsFile(contentsOf: modelURL).metadata
        let targetMPP = metadata["mpp"].flatMap(Double.init) ?? 0.5
        let tileSize = metadata["tile_size"].flatMap(Int.init) ?? 512
        var sample = StainSample()
        var described: [String] = []
        for path in from {
            let url = URL(fileURLWithPath: path)
            let before = sample.tissuePixelCount
            if url.pathExtension.lowercased() == "png" {
                sample.add(try PNGImage.readRGB(from: url))
            } else {
                let slide = try Slide(contentsOf: url)
                let part = try StainSample.slide(slide, targetMPP: targetMPP, tileSize: tileSize, slideMPP: slideMpp)
                sample.add(part)
            }
            described.append("\(url.lastPathComponent) (\(sample.tissuePixelCount - before) tissue pixels)")
        }
        let source = "\(described.joined(separator: ", ")) at \(targetMPP) um/px; tessera \(TesseraVersion.string)"
        let reference: StainReference
        do {
            reference = try StainEstimation.reference(from: sample, method: method, source: source)
        } catch {
            throw ValidationError("cannot estimate a stain reference from \(from.joined(separator: ", ")): \(error)")
        }
        if let out {
            try Data((reference.json + "\n").utf8).write(to: URL(fileURLWithPath: out))
            print("\(out): \(reference.json)")
        } else if sidecar {
            let sidecarURL = modelURL.deletingPathExtension().appendingPathExtension("json")
            var object: [String: Any] = [:]
            if FileManager.default.fileExists(atPath: sidecarURL.path) {
                guard let existing = (try? JSONSerialization.jsonObject(with: Data(contentsOf: sidecarURL))) as? [String: Any] else {
                    throw ValidationError("sidecar \(sidecarURL.path) is not a JSON object; fix or remove it")
                }
                object = existing
            }
            object[StainReference.metadataKey] = try JSONSerialization.jsonObject(with: Data(reference.json.utf8))
            try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: sidecarURL)
            print("\(sidecarURL.path): stain_reference \(reference.json)")
        } else {
            try SafetensorsFile.setMetadata(StainReference.metadataKey, to: reference.json, in: modelURL)
            print("\(model): stain_reference \(reference.json)")
        }
    }
}

extension StainMethod: ExpressibleByArgument {}
