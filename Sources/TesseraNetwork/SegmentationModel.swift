import Foundation
import TesseraCore

/// The DeepLabv3+ decoder's settings (segmentation_models_pytorch `DeepLabV3Plus`).
public struct DeepLabV3PlusConfiguration: Sendable, Equatable {
    public var classes: Int
    public var decoderChannels: Int
    public var atrousRates: [Int]
    /// Channels of the low-level (stride 4) branch: fixed at 48 in smp.
    public var lowLevelChannels: Int
    public var outputStride: Int
}

/// Per-channel input normalisation: x = (rgb / 255 - mean) / std, channel order RGB.
public struct Normalisation: Sendable, Equatable {
    public var mean: [Float]
    public var std: [Float]
    public static let imageNet = Normalisation(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
}

/// A segmentation network's weights, architecture and metadata, loaded from a safetensors file holding an smp
/// `DeepLabV3Plus(encoder_name="efficientnet-bN")` state dict.
public struct SegmentationModel: Sendable {
    public var name: String
    public var url: URL
    public var architecture: String { "deeplabv3plus" }
    public var encoder: EfficientNetVariant
    public var decoder: DeepLabV3PlusConfiguration
    public var classCount: Int { decoder.classes }
    public var classNames: [String]
    public var classColours: [(UInt8, UInt8, UInt8)]
    /// The class whose instances are nuclei (issue 27): the metadata's `nucleus_class` (a class name, or "none"),
    /// else a class named "nuclei" or "nucleus"; nil when the model has none.
    public var nucleusClass: Int?
    /// How the classes appear in QuPath when exported, as the model's author chose (class name to value):
    /// `qupath_object_types` ("detection" or "annotation") and `qupath_classes` (a QuPath class name). Empty when
    /// the metadata says nothing; export's `--object-type` and `--qupath-class` override them.
    public var qupathObjectTypes: [String: String] = [:]
    public var qupathClasses: [String: String] = [:]
    public var micronsPerPixel: Double?
    public var tileSize: Int?
    public var normalisation: Normalisation
    /// The file's metadata merged with its sidecar's (the sidecar wins); read by other modules for their own keys
    /// (`stain_reference`, parsed by TesseraStain).
    public var metadata: [String: String] = [:]
    /// SHA-256 of the weights file, lowercase hex.
    public var sha256: String
    /// Parameters in the file (every tensor except BatchNorm running statistics and counters), used or not.
    public var parameterCount: Int
    /// Tensors in the file that the network does not use (smp keeps the encoder's `_conv_head`, `_bn1`).
    public var unusedTensors: [String]
    /// The weights the network uses, upcast to Float, by smp name.
    var weights: [String: [Float]]
    var shapes: [String: [Int]]
    /// The quantised network when the file is int8 (`tessera model quantize`), else nil.
    public internal(set) var int8: Int8Parameters? = nil

    func tensor(_ name: String) -> [Float] {
        guard let values = weights[name] else { preconditionFailure("tensor \(name) was not loaded") }
        return values
    }

    public static func load(contentsOf url: URL) throws -> SegmentationModel {
        let file = try SafetensorsFile(contentsOf: url)
        let path = url.path
        var metadataValues = file.metadata
        let sidecar = url.deletingPathExtension().appendingPathExtension("json")
        if FileManager.default.fileExists(atPath: sidecar.path) {
            guard let data = try? Data(contentsOf: sidecar), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw WeightsError(.badMetadata, "sidecar \(sidecar.path) is not a JSON object", file: path)
            }
            for (key, value) in object {
                if let string = value as? String { metadataValues[key] = string }
                else if let encoded = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]) {
                    metadataValues[key] = String(decoding: encoded, as: UTF8.self)
                }
            }
        }
        let metadata = ModelMetadata(values: metadataValues, file: path)
        if let architecture = metadata.string("architecture"), architecture.lowercased() != "deeplabv3plus" {
            throw WeightsError(.unsupportedArchitecture, "architecture \(architecture) is not supported (deeplabv3plus is)", file: path)
        }

        // The encoder variant: from metadata, else recognised from the tensor shapes.
        let variant: EfficientNetVariant
        if let encoderName = metadata.string("encoder") {
            guard let named = EfficientNetVariant.named(encoderName) else {
                throw WeightsError(.unsupportedArchitecture, "encoder \(encoderName) is not supported (efficientnet-b0 ... b7 are)", file: path)
            }
            variant = named
        } else {
            let blockCount = Set(file.tensors.keys.compactMap { name -> Int? in
                guard name.hasPrefix("encoder._blocks.") else { return nil }
                return Int(name.dropFirst("encoder._blocks.".count).prefix { $0 != "." })
            }).count
            let stem = file.tensors["encoder._conv_stem.weight"]?.shape.first
            guard let found = EfficientNetVariant.named.first(where: { $0.blockCount == blockCount && $0.stemChannels == stem
                && file.tensors["encoder._blocks.\(blockCount - 1)._project_conv.weight"]?.shape.first == $0.roundFilters(320) }) else {
                throw WeightsError(.unsupportedArchitecture, "no EfficientNet variant has \(blockCount) blocks and a \(stem ?? 0)-channel stem; is this an smp DeepLabV3Plus efficientnet state dict?", file: path)
            }
            variant = found
        }

        guard let head = file.tensors["segmentation_head.0.weight"], head.shape.count == 4 else {
            throw WeightsError(.missingTensor, "tensor is missing; the class count comes from it", file: path, tensor: "segmentation_head.0.weight")
        }
        // Classes index a uint8 class map in which 255 means "no prediction".
        let classes = head.shape[0]
        guard (1...maximumClassCount).contains(classes) else {
            throw WeightsError(.unsupportedArchitecture, "the head has \(classes) classes; 1 to \(maximumClassCount) are supported",
                               file: path, tensor: "segmentation_head.0.weight")
        }
        if let stated = try metadata.integer("classes", in: 1...maximumClassCount), stated != classes {
            throw WeightsError(.badMetadata, "metadata says \(stated) classes, segmentation_head.0.weight has \(classes)", file: path)
        }
        let decoderChannels = try metadata.integer("decoder_channels", in: 1...4096)
            ?? file.tensors["decoder.aspp.0.convs.0.0.weight"]?.shape.first ?? 256
        // Rates past the feature map (a 512-pixel tile has 32 stride-16 cells) only read padding; 1...256 covers any tile.
        let rates = try metadata.integers("atrous_rates", count: 3, in: 1...256) ?? [12, 24, 36]
        let outputStride = try metadata.integer("encoder_output_stride", in: 1...64) ?? 16
        guard outputStride == 16 else {
            throw WeightsError(.unsupportedArchitecture, "encoder_output_stride \(outputStride) is not supported (16 is)", file: path)
        }
        let decoder = DeepLabV3PlusConfiguration(classes: classes, decoderChannels: decoderChannels, atrousRates: rates,
                                                 lowLevelChannels: 48, outputStride: outputStride)

        let names = try metadata.strings("class_names", count: classes) ?? (0..<classes).map { "class \($0)" }
        let nucleusClass: Int?
        if let stated = metadata.string("nucleus_class") {
            guard stated.lowercased() == "none" || names.contains(stated) else {
                throw metadata.invalid("nucleus_class", stated, "must name one of the classes (\(names.joined(separator: ", "))) or be \"none\"")
            }
            nucleusClass = names.firstIndex(of: stated)
        } else {
            nucleusClass = names.firstIndex { ["nuclei", "nucleus"].contains($0.lowercased()) }
        }
        let colours = try metadata.colours("class_colours", count: classes) ?? metadata.colours("class_colors", count: classes)
            ?? (0..<classes).map { defaultPalette[$0 % defaultPalette.count] }
        var normalisation = Normalisation.imageNet
        if let mean = try metadata.numbers("mean", count: 3, in: -1000...1000) { normalisation.mean = mean.map { Float($0) } }
        if let std = try metadata.numbers("std", count: 3, in: 1e-6...1000) { normalisation.std = std.map { Float($0) } }
        let micronsPerPixel = try metadata.number("mpp", in: 0.01...1000)
        let tileSize = try metadata.integer("tile_size", in: 16...16384)
        if let tileSize, tileSize % 16 != 0 {
            throw metadata.invalid("tile_size", String(tileSize), "must be a multiple of 16 (the network's output stride)")
        }

        var weights: [String: [Float]] = [:]
        var shapes: [String: [Int]] = [:]
        // An int8 file (written by `tessera model quantize`) holds quantised convolutions instead of fp32 weights.
        let int8 = try Int8Parameters.load(from: file, encoder: variant, decoder: decoder)
        if int8 == nil {
            for (name, shape) in requiredTensors(encoder: variant, decoder: decoder) {
                weights[name] = try file.floats(name, shape: shape)
                shapes[name] = shape
            }
        }
        let unused = file.tensors.keys.filter { weights[$0] == nil && !(int8?.tensorNames.contains($0) ?? false) }.sorted()
        let parameterCount = file.tensors.values.filter {
            !$0.name.hasSuffix("running_mean") && !$0.name.hasSuffix("running_var") && !$0.name.hasSuffix("num_batches_tracked")
        }.reduce(0) { $0 + $1.elementCount }

        let digest = sha256Hex(file.data)

        var model = SegmentationModel(
            name: metadata.string("name") ?? url.deletingPathExtension().lastPathComponent, url: url, encoder: variant, decoder: decoder,
            classNames: names, classColours: colours, nucleusClass: nucleusClass, micronsPerPixel: micronsPerPixel,
            tileSize: tileSize, normalisation: normalisation, sha256: digest,
            parameterCount: parameterCount, unusedTensors: unused, weights: weights, shapes: shapes, int8: int8)
        model.metadata = metadataValues
        model.qupathObjectTypes = try metadata.classMap("qupath_object_types", classNames: names,
                                                        allowed: ["detection", "annotation"]) ?? [:]
        model.qupathClasses = try metadata.classMap("qupath_classes", classNames: names) ?? [:]
        return model
    }

    /// Multiply-accumulates of the convolutions for one tile (the encoder without its unused head).
    public func multiplyAccumulates(height: Int, width: Int) -> Int {
        var macs = 0
        var h = (height + 1) / 2, w = (width + 1) / 2
        macs += h * w * encoder.stemChannels * 27
        for block in encoder.blocks(dilateFromBlock: encoder.smpStageIndices[2]) {
            if block.hasExpansion { macs += h * w * block.expandedChannels * block.inputChannels }
            h = (h + block.stride - 1) / block.stride; w = (w + block.stride - 1) / block.stride
            macs += h * w * block.expandedChannels * block.kernel * block.kernel
            macs += 2 * block.expandedChannels * block.squeezedChannels
            macs += h * w * block.outputChannels * block.expandedChannels
        }
        let f5 = encoder.roundFilters(320), d = decoder.decoderChannels
        let (h16, w16) = (height / 16, width / 16), (h4, w4) = (height / 4, width / 4)
        macs += h16 * w16 * (f5 * d + 3 * (f5 * 9 + f5 * d)) + f5 * d + h16 * w16 * 5 * d * d
        macs += h16 * w16 * (d * 9 + d * d)
        let low = encoder.roundFilters(24)
        macs += h4 * w4 * low * decoder.lowLevelChannels
        let fused = d + decoder.lowLevelChannels
        macs += h4 * w4 * (fused * 9 + fused * d)
        macs += h4 * w4 * d * decoder.classes
        return macs
    }

    /// Every tensor the network reads, with its shape.
    static func requiredTensors(encoder: EfficientNetVariant, decoder: DeepLabV3PlusConfiguration) -> [(String, [Int])] {
        var list: [(String, [Int])] = []
        func bn(_ prefix: String, _ channels: Int) {
            for part in ["weight", "bias", "running_mean", "running_var"] { list.append(("\(prefix).\(part)", [channels])) }
        }
        let stem = encoder.stemChannels
        list.append(("encoder._conv_stem.weight", [stem, 3, 3, 3]))
        bn("encoder._bn0", stem)
        let lastBlock = encoder.smpStageIndices[3]
        for block in encoder.blocks() where block.index < lastBlock {
            let p = "encoder._blocks.\(block.index)"
            if block.hasExpansion {
                list.append(("\(p)._expand_conv.weight", [block.expandedChannels, block.inputChannels, 1, 1]))
                bn("\(p)._bn0", block.expandedChannels)
            }
            list.append(("\(p)._depthwise_conv.weight", [block.expandedChannels, 1, block.kernel, block.kernel]))
            bn("\(p)._bn1", block.expandedChannels)
            list.append(("\(p)._se_reduce.weight", [block.squeezedChannels, block.expandedChannels, 1, 1]))
            list.append(("\(p)._se_reduce.bias", [block.squeezedChannels]))
            list.append(("\(p)._se_expand.weight", [block.expandedChannels, block.squeezedChannels, 1, 1]))
            list.append(("\(p)._se_expand.bias", [block.expandedChannels]))
            list.append(("\(p)._project_conv.weight", [block.outputChannels, block.expandedChannels, 1, 1]))
            bn("\(p)._bn2", block.outputChannels)
        }
        let blocks = encoder.blocks()
        let f5 = blocks[lastBlock - 1].outputChannels
        let f2 = blocks[encoder.smpStageIndices[0] - 1].outputChannels
        let d = decoder.decoderChannels
        list.append(("decoder.aspp.0.convs.0.0.weight", [d, f5, 1, 1]))
        bn("decoder.aspp.0.convs.0.1", d)
        for branch in 1...3 {
            list.append(("decoder.aspp.0.convs.\(branch).0.0.weight", [f5, 1, 3, 3]))
            list.append(("decoder.aspp.0.convs.\(branch).0.1.weight", [d, f5, 1, 1]))
            bn("decoder.aspp.0.convs.\(branch).1", d)
        }
        list.append(("decoder.aspp.0.convs.4.1.weight", [d, f5, 1, 1]))
        bn("decoder.aspp.0.convs.4.2", d)
        list.append(("decoder.aspp.0.project.0.weight", [d, 5 * d, 1, 1]))
        bn("decoder.aspp.0.project.1", d)
        list.append(("decoder.aspp.1.0.weight", [d, 1, 3, 3]))
        list.append(("decoder.aspp.1.1.weight", [d, d, 1, 1]))
        bn("decoder.aspp.2", d)
        list.append(("decoder.block1.0.weight", [decoder.lowLevelChannels, f2, 1, 1]))
        bn("decoder.block1.1", decoder.lowLevelChannels)
        let fused = d + decoder.lowLevelChannels
        list.append(("decoder.block2.0.0.weight", [fused, 1, 3, 3]))
        list.append(("decoder.block2.0.1.weight", [d, fused, 1, 1]))
        bn("decoder.block2.1", d)
        list.append(("segmentation_head.0.weight", [decoder.classes, d, 1, 1]))
        list.append(("segmentation_head.0.bias", [decoder.classes]))
        return list
    }
}

/// Class maps are uint8 with 255 reserved for "no prediction".
let maximumClassCount = 255

let defaultPalette: [(UInt8, UInt8, UInt8)] = [
    (0, 0, 0), (230, 25, 75), (60, 180, 75), (0, 130, 200), (255, 225, 25), (245, 130, 48), (145, 30, 180),
    (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128), (220, 190, 255), (170, 110, 40),
]
