import Foundation

/// One convolution quantised for oneDNN's int8 kernels: s8 weights (symmetric, one scale per output channel, BatchNorm
/// folded in first) and a real-valued bias.
public struct QuantizedConvolution: Sendable, Equatable {
    /// smp's layout: O x I x kh x kw (depthwise: C x 1 x k x k).
    public var shape: [Int]
    public var weights: [Int8]
    /// Real weight = weights[i] * weightScales[output channel].
    public var weightScales: [Float]
    public var bias: [Float]?

    public var outputChannels: Int { shape[0] }

    /// Quantises float weights to [-127, 127] with scale max |w| / 127 per output channel.
    init(quantizing values: [Float], shape: [Int], bias: [Float]?) {
        let outputs = shape[0], perOutput = values.count / outputs
        var weights = [Int8](repeating: 0, count: values.count)
        var scales = [Float](repeating: 1, count: outputs)
        for o in 0..<outputs {
            let row = values[(o * perOutput)..<((o + 1) * perOutput)]
            let largest = row.reduce(0) { max($0, abs($1)) }
            let scale = largest > 0 ? largest / 127 : 1
            scales[o] = scale
            for (j, value) in row.enumerated() { weights[o * perOutput + j] = Int8(max(-127, min(127, (value / scale).rounded()))) }
        }
        self.init(shape: shape, weights: weights, weightScales: scales, bias: bias)
    }

    init(shape: [Int], weights: [Int8], weightScales: [Float], bias: [Float]?) {
        self.shape = shape
        self.weights = weights
        self.weightScales = weightScales
        self.bias = bias
    }

    /// This 1x1 convolution for inputs quantised with one scale per channel: each input channel's scale folded into
    /// its weights (w[o][c] * inputScales[c]), requantised per output channel, so that the input's scale is 1.
    func foldingInputScales(_ inputScales: [Float]) -> QuantizedConvolution {
        let real = dequantised(), inputs = shape[1], perOutput = weights.count / outputChannels
        precondition(perOutput == inputs && inputScales.count == inputs, "folding input scales needs a 1x1 convolution")
        let folded = real.indices.map { real[$0] * inputScales[$0 % inputs] }
        return QuantizedConvolution(quantizing: folded, shape: shape, bias: bias)
    }

    /// The float weights these stand for.
    func dequantised() -> [Float] {
        let perOutput = weights.count / outputChannels
        return weights.enumerated().map { Float($0.element) * weightScales[$0.offset / perOutput] }
    }
}

/// How activation ranges are set from the calibration tiles' histograms of |x|.
public enum CalibrationMethod: String, Sendable, CaseIterable {
    /// The largest |x| seen.
    case minMax = "minmax"
    /// The 99.99th percentile of |x| (outliers saturate).
    case percentile = "percentile"
    /// TensorRT's KL-divergence threshold over 128 levels.
    case entropy = "entropy"
}

/// A network quantised to int8: every convolution but the squeeze-excitation FCs and the ASPP image pooling, with a
/// scale per activation tensor from calibration. Stored in a safetensors file written by `tessera model quantize`
/// (`metadata["quantization"] == "int8-static"`).
public struct Int8Parameters: Sendable {
    /// By smp's weight name (e.g. `encoder._blocks.3._expand_conv.weight`).
    public var convolutions: [String: QuantizedConvolution]
    /// Layers kept in fp32, by smp's name (folded BatchNorm where the name ends in `.bias` of a folded layer).
    public var floatTensors: [String: [Float]]
    /// smp's shapes of the fp32 tensors (written to the file).
    var floatShapes: [String: [Int]]
    /// Scales of each int8 activation tensor (real = q * scale[channel]), by the layer label that writes it: one per
    /// channel for the activations `perChannelActivations` lists (every one but the input), one for the input. A
    /// single scale serves every channel (files written before a tensor became per-channel).
    public var activationScales: [String: [Float]]
    /// Provenance: source_sha256, quantization_method, calibration_tiles, calibration_slides, activation_smoothing,
    /// tessera_version.
    public var metadata: [String: String]

    static let formatName = "int8-static"
    static let activationPrefix = "activation_scale."

    /// Every tensor name the file holds.
    var tensorNames: Set<String> {
        var names = Set(floatTensors.keys)
        for (name, conv) in convolutions {
            names.insert(name)
            names.insert(Self.scaleName(name))
            if conv.bias != nil { names.insert(Self.biasName(name)) }
        }
        for label in activationScales.keys { names.insert(Self.activationPrefix + label) }
        return names
    }

    static func scaleName(_ weight: String) -> String { weight + "_scale" }
    static func biasName(_ weight: String) -> String { String(weight.dropLast(".weight".count)) + ".bias" }

    func convolution(_ name: String) -> QuantizedConvolution {
        guard let conv = convolutions[name] else { preconditionFailure("int8 convolution \(name) was not loaded") }
        return conv
    }

    func floats(_ name: String) -> [Float] {
        guard let values = floatTensors[name] else { preconditionFailure("fp32 tensor \(name) was not loaded") }
        return values
    }

    /// The one scale of a per-tensor activation.
    func scale(_ label: String) -> Float {
        guard let scales = activationScales[label], scales.count == 1 else { preconditionFailure("activation scale of \(label) was not loaded") }
        return scales[0]
    }

    /// The scale of each of an activation's `channels` channels.
    func scales(_ label: String, channels: Int) -> [Float] {
        guard let scales = activationScales[label], scales.count == 1 || scales.count == channels else {
            preconditionFailure("activation scales of \(label) (\(channels) channels) were not loaded")
        }
        return scales.count == 1 ? [Float](repeating: scales[0], count: channels) : scales
    }

    /// The activations quantised with one scale per channel, with their channel counts: the swish outputs of the
    /// stem, expand and depthwise convolutions, the gated tensors, the blocks' outputs (the residual stream) and the
    /// decoder's (ReLU outputs: relu, then the per-channel multiplication, then a clip to `unsignedLimit`), and the
    /// fusion's depthwise output (the upsampled ASPP's channels, then the low-level ones). Their channels' ranges differ
    /// up to ~100x (BatchNorm folded into depthwise filters), so one scale left most channels a few levels. The fusion's
    /// depthwise output had one scale until measured: its low-level channels span far less than the ASPP's, and that
    /// one tensor cost 1.5 points of argmax agreement and 1.3 of CMU's 2-point nuclei under-call. Per-channel scales
    /// cost nothing at run time: the convolution writing them scales each output channel (a binary post-op after the
    /// swish), a depthwise convolution reading them scales each channel, and the squeeze-excitation gate requantises
    /// per channel anyway; a 1x1 convolution reading them (projection, expansion, the decoder's) takes them folded
    /// into its weights. A residual block's output scales are its input's times one factor (`residualChains`).
    static func perChannelActivations(encoder: EfficientNetVariant, decoder: DeepLabV3PlusConfiguration) -> [String: Int] {
        var channels = ["stem": encoder.stemChannels]
        for block in encoder.blocks() where block.index < encoder.smpStageIndices[3] {
            if block.hasExpansion { channels["block\(block.index).expand"] = block.expandedChannels }
            channels["block\(block.index).depthwise"] = block.expandedChannels
            channels["block\(block.index).se"] = block.expandedChannels
            channels["block\(block.index).project"] = block.outputChannels
        }
        let d = decoder.decoderChannels, top = encoder.blocks().last { $0.index < encoder.smpStageIndices[3] }!.outputChannels
        for label in ["aspp.branch0", "aspp.project", "aspp.separable.depthwise", "aspp.separable.pointwise", "fusion.pointwise"] { channels[label] = d }
        for branch in 1...3 {
            channels["aspp.branch\(branch).depthwise"] = top
            channels["aspp.branch\(branch).pointwise"] = d
        }
        channels["decoder.lowlevel"] = decoder.lowLevelChannels
        channels["fusion.depthwise"] = d + decoder.lowLevelChannels
        return channels
    }

    /// The per-channel activations that a 1x1 convolution reads, with the channels' scales folded into its weights:
    /// each block's gated tensor (the projection's input), the residual stream where an expansion, the decoder's
    /// low-level branch or ASPP reads it, the ASPP branches' outputs (the projection's), the separable and fusion
    /// depthwise outputs, and the fusion's output (the head's). `Int8Calibration.smoothingStrength` applies to them.
    static func denseConvolutionInputs(encoder: EfficientNetVariant, decoder: DeepLabV3PlusConfiguration) -> [String] {
        let blocks = encoder.blocks().filter { $0.index < encoder.smpStageIndices[3] }
        var labels: [String] = []
        for (position, block) in blocks.enumerated() {
            labels.append("block\(block.index).se")
            let next = position + 1 < blocks.count ? blocks[position + 1] : nil
            if next?.hasExpansion ?? true || block.index + 1 == encoder.smpStageIndices[0] { labels.append("block\(block.index).project") }
        }
        labels.append("aspp.branch0")
        for branch in 1...3 { labels += ["aspp.branch\(branch).depthwise", "aspp.branch\(branch).pointwise"] }
        labels += ["aspp.separable.depthwise", "fusion.depthwise", "fusion.pointwise"]
        return labels
    }

    /// The residual chains: each block without a skip connection starts one, the blocks with one after it add into
    /// its output in place, so their outputs' per-channel scales differ by one factor (the sum post-op takes one).
    static func residualChains(encoder: EfficientNetVariant) -> [[String]] {
        var chains: [[String]] = []
        for block in encoder.blocks() where block.index < encoder.smpStageIndices[3] {
            if block.hasSkip, !chains.isEmpty { chains[chains.count - 1].append("block\(block.index).project") } else { chains.append(["block\(block.index).project"]) }
        }
        return chains
    }
}

// MARK: The layers: which are int8, which stay fp32

/// A convolution of the network as fp32 (BatchNorm folded), before quantisation.
struct FloatConvolution {
    var name: String
    var shape: [Int]
    var weights: [Float]
    var bias: [Float]?
}

extension Int8Parameters {
    /// The convolutions that run in int8 and the fp32 tensors kept, from an fp32 model. Names follow smp's; the ASPP
    /// projection keeps its four branch slices in int8 (`decoder.aspp.0.project.0.weight`, d x 4d) and its image
    /// pooling slice in fp32 (`decoder.aspp.0.project.0.weight.pooling`).
    static func layers(of model: SegmentationModel) -> (convolutions: [FloatConvolution], floats: [String: [Float]]) {
        var convs: [FloatConvolution] = []
        var floats: [String: [Float]] = [:]
        let variant = model.encoder
        func folded(_ weight: String, _ bn: String, _ epsilon: Float, shape: [Int]) {
            let f = foldBatchNorm(weights: model.tensor(weight), model: model, batchNorm: bn, epsilon: epsilon)
            convs.append(FloatConvolution(name: weight, shape: shape, weights: f.weights, bias: f.bias))
        }
        let shapes = Dictionary(uniqueKeysWithValues: SegmentationModel.requiredTensors(encoder: variant, decoder: model.decoder))
        let e = PlanBuilder.encoderEpsilon, d = PlanBuilder.decoderEpsilon
        folded("encoder._conv_stem.weight", "encoder._bn0", e, shape: shapes["encoder._conv_stem.weight"]!)
        for block in variant.blocks() where block.index < variant.smpStageIndices[3] {
            let p = "encoder._blocks.\(block.index)"
            if block.hasExpansion { folded("\(p)._expand_conv.weight", "\(p)._bn0", e, shape: shapes["\(p)._expand_conv.weight"]!) }
            folded("\(p)._depthwise_conv.weight", "\(p)._bn1", e, shape: shapes["\(p)._depthwise_conv.weight"]!)
            for part in ["_se_reduce.weight", "_se_reduce.bias", "_se_expand.weight", "_se_expand.bias"] {
                floats["\(p).\(part)"] = model.tensor("\(p).\(part)")
            }
            folded("\(p)._project_conv.weight", "\(p)._bn2", e, shape: shapes["\(p)._project_conv.weight"]!)
        }
        let channels = model.decoder.decoderChannels
        folded("decoder.aspp.0.convs.0.0.weight", "decoder.aspp.0.convs.0.1", d, shape: shapes["decoder.aspp.0.convs.0.0.weight"]!)
        for branch in 1...3 {
            floats["decoder.aspp.0.convs.\(branch).0.0.weight"] = model.tensor("decoder.aspp.0.convs.\(branch).0.0.weight")
            folded("decoder.aspp.0.convs.\(branch).0.1.weight", "decoder.aspp.0.convs.\(branch).1", d,
                   shape: shapes["decoder.aspp.0.convs.\(branch).0.1.weight"]!)
        }
        let pooling = foldBatchNorm(weights: model.tensor("decoder.aspp.0.convs.4.1.weight"), model: model,
                                    batchNorm: "decoder.aspp.0.convs.4.2", epsilon: d)
        floats["decoder.aspp.0.convs.4.1.weight"] = pooling.weights
        floats["decoder.aspp.0.convs.4.1.bias"] = pooling.bias
        let projection = foldBatchNorm(weights: model.tensor("decoder.aspp.0.project.0.weight"), model: model,
                                       batchNorm: "decoder.aspp.0.project.1", epsilon: d)
        convs.append(FloatConvolution(name: "decoder.aspp.0.project.0.weight", shape: [channels, 4 * channels, 1, 1],
                                      weights: inputSlice(projection.weights, outputs: channels, inputs: 5 * channels, 0..<(4 * channels)),
                                      bias: projection.bias))
        floats["decoder.aspp.0.project.0.weight.pooling"] = inputSlice(projection.weights, outputs: channels, inputs: 5 * channels,
                                                                        (4 * channels)..<(5 * channels))
        convs.append(FloatConvolution(name: "decoder.aspp.1.0.weight", shape: shapes["decoder.aspp.1.0.weight"]!,
                                      weights: model.tensor("decoder.aspp.1.0.weight"), bias: nil))
        folded("decoder.aspp.1.1.weight", "decoder.aspp.2", d, shape: shapes["decoder.aspp.1.1.weight"]!)
        folded("decoder.block1.0.weight", "decoder.block1.1", d, shape: shapes["decoder.block1.0.weight"]!)
        convs.append(FloatConvolution(name: "decoder.block2.0.0.weight", shape: shapes["decoder.block2.0.0.weight"]!,
                                      weights: model.tensor("decoder.block2.0.0.weight"), bias: nil))
        folded("decoder.block2.0.1.weight", "decoder.block2.1", d, shape: shapes["decoder.block2.0.1.weight"]!)
        convs.append(FloatConvolution(name: "segmentation_head.0.weight", shape: shapes["segmentation_head.0.weight"]!,
                                      weights: model.tensor("segmentation_head.0.weight"), bias: model.tensor("segmentation_head.0.bias")))
        return (convs, floats)
    }

    /// Shapes of the fp32 tensors kept, for checking a file.
    static func floatShapes(encoder: EfficientNetVariant, decoder: DeepLabV3PlusConfiguration) -> [String: [Int]] {
        let required = Dictionary(uniqueKeysWithValues: SegmentationModel.requiredTensors(encoder: encoder, decoder: decoder))
        var shapes: [String: [Int]] = [:]
        for (name, shape) in required where name.contains("._se_") || (name.hasPrefix("decoder.aspp.0.convs.") && name.hasSuffix(".0.0.weight") && !name.hasPrefix("decoder.aspp.0.convs.0.")) {
            shapes[name] = shape
        }
        let d = decoder.decoderChannels
        shapes["decoder.aspp.0.convs.4.1.weight"] = required["decoder.aspp.0.convs.4.1.weight"]!.map { $0 }
        shapes["decoder.aspp.0.convs.4.1.bias"] = [d]
        shapes["decoder.aspp.0.project.0.weight.pooling"] = [d, d]
        return shapes
    }

    /// Shapes of the int8 convolutions, for checking a file.
    static func convolutionShapes(encoder: EfficientNetVariant, decoder: DeepLabV3PlusConfiguration) -> [String: (shape: [Int], hasBias: Bool)] {
        let required = Dictionary(uniqueKeysWithValues: SegmentationModel.requiredTensors(encoder: encoder, decoder: decoder))
        var shapes: [String: (shape: [Int], hasBias: Bool)] = [:]
        for (name, shape) in required where shape.count == 4 && !name.contains("._se_") && !name.hasPrefix("decoder.aspp.0.convs.4.") {
            if name.hasPrefix("decoder.aspp.0.convs."), name.hasSuffix(".0.0.weight"), !name.hasPrefix("decoder.aspp.0.convs.0.") { continue }
            let depthwiseWithoutBias = name == "decoder.aspp.1.0.weight" || name == "decoder.block2.0.0.weight"
            shapes[name] = (shape, !depthwiseWithoutBias)
        }
        let d = decoder.decoderChannels
        shapes["decoder.aspp.0.project.0.weight"] = ([d, 4 * d, 1, 1], true)
        return shapes
    }
}
