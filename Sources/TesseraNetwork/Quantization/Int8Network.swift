import CDNNL
import Foundation
import TesseraCore

/// An activation of the int8 network in nhwc, the only layout oneDNN 2.6's int8 convolutions take without falling
/// to `ref_int8` (nChw8c/nChw16c int8 activations do). s8 in [-127, 127] where values are signed (swish, linear
/// outputs), u8 after ReLU: [0, 255] where oneDNN multiplies with VNNI, else [0, 127] so that vpmaddubsw cannot
/// saturate (`unsignedLimit`); f32 for the ASPP projection's accumulator and the head's logits.
final class QuantizedActivation {
    let memory: MemoryObject
    let channels: Int
    let height: Int
    let width: Int
    let dataType: dnnl_data_type_t
    /// Real value = q * scales[channel].
    let scales: [Float]
    var bytes: UnsafeMutableRawPointer { memory.buffer.pointer }
    var pixels: Int { height * width }

    init(memory: MemoryObject, channels: Int, height: Int, width: Int, dataType: dnnl_data_type_t, scales: [Float]) {
        self.memory = memory
        self.channels = channels
        self.height = height
        self.width = width
        self.dataType = dataType
        self.scales = scales
    }

    /// The same memory read at other scales (a convolution accumulated into it with a sum post-op, a gate applied).
    func rescaled(_ scales: [Float]) -> QuantizedActivation {
        QuantizedActivation(memory: memory, channels: channels, height: height, width: width, dataType: dataType,
                            scales: scales.count == 1 ? [Float](repeating: scales[0], count: channels) : scales)
    }

    /// The values as plain floats (channels x height x width).
    func read() -> LayerOutput {
        let values: [Float]
        if dataType == dnnl_f32 {
            let floats = memory.buffer.floats
            values = (0..<(channels * pixels)).map { i in floats[(i % pixels) * channels + i / pixels] }
        } else {
            values = dequantizeToPlain(bytes, signed: dataType == dnnl_s8, channels: channels, pixels: pixels, scales: scales)
        }
        return LayerOutput(channels: channels, height: height, width: width, values: values)
    }
}

enum QuantizedEltwise { case swish, relu }

extension Int8Parameters {
    /// The labels of the int8 activation tensors, each with a calibrated scale.
    static func activationLabels(encoder: EfficientNetVariant) -> [String] {
        var labels = ["input", "stem"]
        for block in encoder.blocks() where block.index < encoder.smpStageIndices[3] {
            if block.hasExpansion { labels.append("block\(block.index).expand") }
            labels += ["block\(block.index).depthwise", "block\(block.index).se", "block\(block.index).project"]
        }
        labels.append("aspp.branch0")
        for branch in 1...3 { labels += ["aspp.branch\(branch).depthwise", "aspp.branch\(branch).pointwise"] }
        labels += ["aspp.project", "aspp.separable.depthwise", "aspp.separable.pointwise", "decoder.lowlevel", "fusion.depthwise", "fusion.pointwise"]
        return labels
    }

    /// The fp32 network's layer whose output an int8 tensor stands for, where the label differs (the fp32 network
    /// splits the fusion into two halves and accumulates the ASPP projection in four steps).
    static func floatLabels(of label: String) -> [String] {
        switch label {
        case "aspp.project": ["aspp.project3"]
        case "fusion.depthwise": ["fusion.depthwise.aspp", "fusion.depthwise.lowlevel"]
        case "fusion.pointwise": ["fusion.pointwise.lowlevel"]
        default: [label]
        }
    }
}

extension PlanBuilder {
    /// The largest u8 activation value: 255 where oneDNN's int8 convolutions use VNNI (exact u8 x s8 sums), else 127.
    /// Without VNNI, vpmaddubsw sums u8 x s8 pairs in s16 and would saturate on 8-bit inputs (oneDNN protects s8
    /// inputs itself by halving the weights, not u8 ones). Files store scales for 127 steps; `unsignedScale` adapts.
    static var unsignedLimit: Float { ActivationLayout.runsVNNIKernels ? 255 : 127 }

    /// The scales of a u8 activation whose calibrated scales (range / 127) are `calibrated`.
    static func unsignedScales(_ calibrated: [Float]) -> [Float] { calibrated.map { $0 * 127 / unsignedLimit } }

    /// An nhwc activation with one scale (`scales.count == 1`) or one per channel.
    func nhwc(channels: Int, height: Int, width: Int, type: dnnl_data_type_t, scales: [Float], label: String) throws -> QuantizedActivation {
        let md = try memoryDescriptor([1, channels, height, width], dnnl_acdb, type: type, context: "\(label) output descriptor")
        let buffer = acquire(byteCount(md))
        let activation = QuantizedActivation(memory: try MemoryObject(md, buffer: buffer, engine: engine, context: "\(label) output memory"),
                                             channels: channels, height: height, width: width, dataType: type,
                                             scales: scales.count == 1 ? [Float](repeating: scales[0], count: channels) : scales)
        owned.append(activation)
        return activation
    }

    func release(_ activation: QuantizedActivation) { freeBuffers.append(activation.memory.buffer) }

    /// Constant memory (int8 weights or f32 bias) in the layout a primitive wants (see `constantMemory`).
    private func constantMemory(_ bytes: UnsafeRawBufferPointer, plain: dnnl_memory_desc_t, wanted: dnnl_memory_desc_t, label: String) throws -> MemoryObject {
        let memory = try TesseraNetwork.constantMemory(bytes, plain: plain, wanted: wanted, engine: engine, label: label)
        owned.append(memory)
        return memory
    }

    /// An int8 convolution with per-output-channel scales. oneDNN computes
    /// dst = post_ops(output_scale[oc] * (acc_s32 + bias[oc])) with post-ops [sum_scale * dst] + [eltwise_scale *
    /// eltwise] + [x binary_src1[oc]], so: with an activation (not linear in its argument), output_scale = input scale x
    /// weight scale (real values), then 1 / output scale as the eltwise's own scale (one output scale) or as a
    /// per-channel binary multiplication (`outputScales` per channel); without, output_scale also divides by the output
    /// scale. The bias is given in accumulator units. A dense convolution whose input has per-channel scales takes them
    /// folded into its weights. With `accumulateInto`, the result adds to that tensor (sum post-op scaled from its
    /// scale to the output's) and takes its memory.
    func int8Convolution(_ label: String, input: QuantizedActivation, conv quantized: QuantizedConvolution, kernel: Int, stride: Int = 1,
                         dilation: Int = 1, padding: [Int] = [0, 0, 0, 0], groups: Int = 1, eltwise: QuantizedEltwise? = nil,
                         outputType: dnnl_data_type_t, outputScales: [Float], accumulateInto: QuantizedActivation? = nil) throws -> QuantizedActivation {
        if groups > 1, groups == input.channels, accumulateInto == nil, outputType == dnnl_s8, eltwise != .relu, Int8Depthwise.replacesOneDNN {
            return try int8DepthwiseConvolution(label, input: input, conv: quantized, kernel: kernel, stride: stride, dilation: dilation,
                                                padding: padding, eltwise: eltwise, outputScales: outputScales)
        }
        var conv = quantized, inputScales = input.scales
        if groups == 1, Set(inputScales).count > 1 {
            conv = conv.foldingInputScales(inputScales)
            inputScales = [Float](repeating: 1, count: input.channels)
        }
        let outputs = conv.outputChannels
        let shape = ConvolutionShape(inputChannels: input.channels, outputChannels: outputs, kernel: kernel, stride: stride,
                                     dilation: dilation, padding: padding, groups: groups)
        let (outHeight, outWidth) = shape.outputSize(height: input.height, width: input.width)
        let output: QuantizedActivation
        if let target = accumulateInto {
            precondition(target.height == outHeight && target.width == outWidth && target.channels == outputs && target.dataType == outputType,
                         "\(label): accumulation target has the wrong shape or type")
            output = target.rescaled(outputScales)
        } else {
            output = try nhwc(channels: outputs, height: outHeight, width: outWidth, type: outputType, scales: outputScales, label: label)
        }
        owned.append(output)
        let perChannelOutput = Set(output.scales).count > 1, outputScale = output.scales[0]
        if let target = accumulateInto {
            let ratio = outputScale / target.scales[0]
            precondition(zip(output.scales, target.scales).allSatisfy { abs($0 / $1 - ratio) <= 1e-3 * ratio },
                         "\(label): a residual sum's scales must be its input's times one factor (checked when the file is loaded)")
        }
        let int8Output = (outputType == dnnl_s8 && eltwise != .relu) || (outputType == dnnl_u8 && eltwise == .relu)
        if groups == 1, kernel == 1, stride == 1, padding.allSatisfy({ $0 == 0 }), int8Output, Int8Pointwise.replacesOneDNN {
            return int8PointwiseConvolution(label, input: input, conv: conv, inputScale: inputScales[0], eltwise: eltwise, output: output,
                                            residual: accumulateInto)
        }
        let accumulatorScales = (0..<outputs).map { o in (groups == 1 ? inputScales[0] : inputScales[o]) * conv.weightScales[o] }
        let primitiveOutputScales = (0..<outputs).map { o in eltwise == nil ? accumulatorScales[o] / output.scales[o] : accumulatorScales[o] }

        let biasMD = try memoryDescriptor([outputs], dnnl_a, context: label)
        var opDesc = try shape.descriptor(label, source: input.memory.descriptor, destination: output.memory.descriptor,
                                          weightType: dnnl_s8, bias: conv.bias == nil ? nil : biasMD)
        let attributes = try PrimitiveAttributes(postOps: [], context: label)
        try dnnlCheck(dnnl_primitive_attr_set_output_scales(attributes.attr, Int64(outputs), 1 << 1, primitiveOutputScales), "\(label): output scales")
        var ops: dnnl_post_ops_t?
        try dnnlCheck(dnnl_post_ops_create(&ops), label)
        defer { dnnl_post_ops_destroy(ops) }
        if let target = accumulateInto { try dnnlCheck(dnnl_post_ops_append_sum(ops, target.scales[0] / outputScale), "\(label): sum post-op") }
        switch eltwise {
        case .swish: try dnnlCheck(dnnl_post_ops_append_eltwise(ops, perChannelOutput ? 1 : 1 / outputScale, dnnl_eltwise_swish, 1, 0), "\(label): swish post-op")
        case .relu where outputType == dnnl_u8 && !perChannelOutput:
            // ReLU bounded at `unsignedLimit` steps: without VNNI, u8 inputs stay in 7 bits, so vpmaddubsw (u8 x s8 pairs
            // summed in s16) cannot saturate in the next convolution.
            try dnnlCheck(dnnl_post_ops_append_eltwise(ops, 1 / outputScale, dnnl_eltwise_bounded_relu, Self.unsignedLimit * outputScale, 0),
                          "\(label): relu post-op")
        case .relu: try dnnlCheck(dnnl_post_ops_append_eltwise(ops, perChannelOutput ? 1 : 1 / outputScale, dnnl_eltwise_relu, 0, 0), "\(label): relu post-op")
        case nil: break
        }
        var channelMultipliers: (index: Int32, values: [Float], descriptor: dnnl_memory_desc_t)?
        if perChannelOutput, eltwise != nil {
            var descriptor = try memoryDescriptor([1, outputs, 1, 1], dnnl_abcd, context: "\(label) output scales")
            try dnnlCheck(dnnl_post_ops_append_binary(ops, dnnl_binary_mul, &descriptor), "\(label): per-channel output scale post-op")
            channelMultipliers = (Int32(dnnl_post_ops_len(ops) - 1), output.scales.map { 1 / $0 }, descriptor)
            if eltwise == .relu, outputType == dnnl_u8, Self.unsignedLimit < 255 {
                try dnnlCheck(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_clip, 0, Self.unsignedLimit), "\(label): 7-bit clip post-op")
            }
        }
        try dnnlCheck(dnnl_primitive_attr_set_post_ops(attributes.attr, ops), label)
        var pd: dnnl_primitive_desc_t?
        try dnnlCheck(dnnl_primitive_desc_create(&pd, &opDesc, attributes.attr, engine.engine, nil), "\(label): no int8 convolution implementation")
        let descriptor = PrimitiveDescriptor(pd!)
        let primitive = try Primitive(descriptor, context: label)
        let plainWeights = try memoryDescriptor(shape.weightDims, groups == 1 ? dnnl_abcd : dnnl_abcde, type: dnnl_s8, context: label)
        let weightMemory = try conv.weights.withUnsafeBytes {
            try constantMemory($0, plain: plainWeights, wanted: descriptor.memoryDescriptor(dnnl_query_weights_md), label: label)
        }
        var args = [dnnl_exec_arg_t(arg: DNNLArgument.src, memory: input.memory.memory),
                    dnnl_exec_arg_t(arg: DNNLArgument.weights, memory: weightMemory.memory),
                    dnnl_exec_arg_t(arg: DNNLArgument.dst, memory: output.memory.memory)]
        if let bias = conv.bias {
            let scaled = zip(bias, accumulatorScales).map { $0 / $1 }
            let memory = try scaled.withUnsafeBytes { try constantMemory($0, plain: biasMD, wanted: biasMD, label: label) }
            args.append(dnnl_exec_arg_t(arg: DNNLArgument.bias, memory: memory.memory))
        }
        if let multipliers = channelMultipliers {
            let memory = try multipliers.values.withUnsafeBytes {
                try constantMemory($0, plain: multipliers.descriptor, wanted: multipliers.descriptor, label: label)
            }
            args.append(dnnl_exec_arg_t(arg: DNNLArgument.postOpSource1(multipliers.index), memory: memory.memory))
        }
        append(primitive, label: label, args: args, output: output.read)
        return output
    }

    func int8Kernel(_ label: String, output: QuantizedActivation?, _ body: @escaping () -> Void) {
        steps.append(PlanStep(label: label, implementation: "tessera", run: body, output: output.map { $0.read }))
    }

    /// The int8 network, mirroring `buildNetwork`. Returns the head's logits (f32 nhwc, stride 4, as an `Activation`
    /// with one block of `classes` channels) and the step that quantises a tile into the input.
    func buildInt8Network(model: SegmentationModel, parameters q: Int8Parameters, height: Int, width: Int) throws
        -> (head: Activation, quantizeInput: (RGBImage) -> Void) {
        let variant = model.encoder
        let stageIndices = variant.smpStageIndices

        // Input: (v / 255 - mean) / std quantised to s8 through a table per channel.
        let input = try nhwc(channels: 3, height: height, width: width, type: dnnl_s8, scales: [q.scale("input")], label: "input")
        owned.append(input)
        var table = [Int8](repeating: 0, count: 3 * 256)
        for c in 0..<3 {
            for v in 0..<256 {
                let real = (Float(v) / 255 - model.normalisation.mean[c]) / model.normalisation.std[c]
                table[c * 256 + v] = Int8(max(-127, min(127, (real / q.scale("input")).rounded())))
            }
        }
        let inputBytes = input.bytes.assumingMemoryBound(to: Int8.self), plane = height * width
        let quantizeInput: (RGBImage) -> Void = { tile in
            tile.pixels.withUnsafeBufferPointer { pixels in
                table.withUnsafeBufferPointer { lut in
                    for i in 0..<(3 * plane) { inputBytes[i] = lut[(i % 3) * 256 + Int(pixels[i])] }
                }
            }
        }

        var x = try int8Convolution("stem", input: input, conv: q.convolution("encoder._conv_stem.weight"), kernel: 3, stride: 2,
                                    padding: variant.stemPadding, eltwise: .swish, outputType: dnnl_s8,
                                    outputScales: q.scales("stem", channels: variant.stemChannels))
        var lowLevel: QuantizedActivation?
        for block in variant.blocks(dilateFromBlock: stageIndices[2]) where block.index < stageIndices[3] {
            let p = "encoder._blocks.\(block.index)", name = "block\(block.index)"
            var expanded = x
            if block.hasExpansion {
                expanded = try int8Convolution("\(name).expand", input: x, conv: q.convolution("\(p)._expand_conv.weight"), kernel: 1,
                                               eltwise: .swish, outputType: dnnl_s8,
                                               outputScales: q.scales("\(name).expand", channels: block.expandedChannels))
            }
            let depthwise = try int8Convolution("\(name).depthwise", input: expanded, conv: q.convolution("\(p)._depthwise_conv.weight"),
                                                kernel: block.kernel, stride: block.stride, dilation: block.dilation, padding: block.padding,
                                                groups: block.expandedChannels, eltwise: .swish, outputType: dnnl_s8,
                                                outputScales: q.scales("\(name).depthwise", channels: block.expandedChannels))
            if block.hasExpansion { release(expanded) }
            let gated = try squeezeExcitationInt8("\(name).se", depthwise, parameters: q, prefix: p, squeezed: block.squeezedChannels)
            let project = q.convolution("\(p)._project_conv.weight")
            let output = try int8Convolution("\(name).project", input: gated, conv: project, kernel: 1, outputType: dnnl_s8,
                                             outputScales: q.scales("\(name).project", channels: block.outputChannels), accumulateInto: block.hasSkip ? x : nil)
            if !block.hasSkip, x !== lowLevel { release(x) }
            release(depthwise)
            x = output
            if block.index + 1 == stageIndices[0] { lowLevel = x }
        }
        return (try buildInt8Decoder(model: model, parameters: q, lowLevel: lowLevel!, top: x), quantizeInput)
    }

    /// Squeeze-excitation on s8: channel means and the fp32 FCs (Tessera's kernel, `<label>.pool`), then the gate and
    /// the requantisation to the gated scales in place as one oneDNN binary multiplication by a per-channel f32
    /// multiplier (`<label>`, a jit kernel with the machine's widest vectors, 4-8x faster than Tessera's loop).
    private func squeezeExcitationInt8(_ label: String, _ tensor: QuantizedActivation, parameters q: Int8Parameters, prefix: String,
                                       squeezed: Int) throws -> QuantizedActivation {
        let channels = tensor.channels, pixels = tensor.pixels, threads = self.threads
        let gated = tensor.rescaled(q.scales(label, channels: channels))
        owned.append(gated)
        let reduce = q.floats("\(prefix)._se_reduce.weight"), reduceBias = q.floats("\(prefix)._se_reduce.bias")
        let expand = q.floats("\(prefix)._se_expand.weight"), expandBias = q.floats("\(prefix)._se_expand.bias")
        let scales = tensor.scales, requantise = (0..<channels).map { tensor.scales[$0] / gated.scales[$0] }
        let data = tensor.bytes.assumingMemoryBound(to: Int8.self)
        var multiplierMD = try memoryDescriptor([1, channels, 1, 1], dnnl_abcd, context: "\(label) gate")
        let multipliers = try MemoryObject(multiplierMD, buffer: AlignedBuffer(byteCount: 4 * channels), engine: engine, context: "\(label) gate")
        let meansBuffer = AlignedBuffer(byteCount: channels * 4)
        owned += [meansBuffer, multipliers]
        int8Kernel("\(label).pool", output: nil) {
            let (means, gates) = (meansBuffer.floats, multipliers.buffer.floats)
            channelMeans(data, pixels: pixels, channels: channels, scales: scales, into: means, threads: threads)
            squeezeExcitationGates(means: means, into: gates, channels: channels, squeezed: squeezed,
                                   reduce: reduce, reduceBias: reduceBias, expand: expand, expandBias: expandBias)
            for c in 0..<channels { gates[c] *= requantise[c] }
        }
        var source = tensor.memory.descriptor
        var opDesc = dnnl_binary_desc_t()
        try dnnlCheck(dnnl_binary_desc_init(&opDesc, dnnl_binary_mul, &source, &multiplierMD, &source), "\(label): gate descriptor")
        var pd: dnnl_primitive_desc_t?
        try dnnlCheck(dnnl_primitive_desc_create(&pd, &opDesc, nil, engine.engine, nil), "\(label): no int8 binary implementation")
        let primitive = try Primitive(PrimitiveDescriptor(pd!), context: label)
        append(primitive, label: label, args: [dnnl_exec_arg_t(arg: DNNLArgument.src, memory: tensor.memory.memory),
                                               dnnl_exec_arg_t(arg: DNNLArgument.source1, memory: multipliers.memory),
                                               dnnl_exec_arg_t(arg: DNNLArgument.dst, memory: tensor.memory.memory)], output: gated.read)
        return gated
    }

    private func buildInt8Decoder(model: SegmentationModel, parameters q: Int8Parameters, lowLevel: QuantizedActivation,
                                  top f5: QuantizedActivation) throws -> Activation {
        let d = model.decoder.decoderChannels, inputs = f5.channels, threads = self.threads
        let (h16, w16) = (f5.height, f5.width)

        // ASPP branch 0 and the separable atrous branches (Tessera's cropped depthwise on s8, oneDNN's 1x1 after).
        var branches = [try int8Convolution("aspp.branch0", input: f5, conv: q.convolution("decoder.aspp.0.convs.0.0.weight"), kernel: 1,
                                            eltwise: .relu, outputType: dnnl_u8, outputScales: Self.unsignedScales(q.scales("aspp.branch0", channels: d)))]
        for (index, rate) in model.decoder.atrousRates.enumerated() {
            let branch = index + 1, label = "aspp.branch\(branch).depthwise"
            let atrous = try nhwc(channels: inputs, height: h16, width: w16, type: dnnl_s8, scales: q.scales(label, channels: inputs), label: label)
            let raw = q.floats("decoder.aspp.0.convs.\(branch).0.0.weight"), factors = (0..<inputs).map { f5.scales[$0] / atrous.scales[$0] }
            let packed = AlignedBuffer(byteCount: 9 * inputs * 4)
            owned.append(packed)
            for c in 0..<inputs { for tap in 0..<9 { packed.floats[tap * inputs + c] = raw[c * 9 + tap] * factors[c] } }
            let (source, destination) = (f5.bytes.assumingMemoryBound(to: Int8.self), atrous.bytes.assumingMemoryBound(to: Int8.self))
            int8Kernel(label, output: atrous) {
                dilatedDepthwise3x3Int8(source, destination, channels: inputs, height: h16, width: w16, dilation: rate,
                                        weights: packed.floats, threads: threads)
            }
            branches.append(try int8Convolution("aspp.branch\(branch).pointwise", input: atrous,
                                                conv: q.convolution("decoder.aspp.0.convs.\(branch).0.1.weight"), kernel: 1, eltwise: .relu,
                                                outputType: dnnl_u8, outputScales: Self.unsignedScales(q.scales("aspp.branch\(branch).pointwise", channels: d))))
            release(atrous)
        }

        // Projection of [b0, b1, b2, b3, pooling]: per-branch 1x1 convs accumulating in f32 (a 256-channel map at
        // stride 16) onto the image pooling's constant share, ReLU after the last; then one requantisation to u8.
        let projection = q.convolution("decoder.aspp.0.project.0.weight")
        let accumulator = try nhwc(channels: d, height: h16, width: w16, type: dnnl_f32, scales: [1], label: "aspp.project")
        do {
            let poolingWeights = q.floats("decoder.aspp.0.convs.4.1.weight"), poolingBias = q.floats("decoder.aspp.0.convs.4.1.bias")
            let pooledProjection = q.floats("decoder.aspp.0.project.0.weight.pooling"), projectionBias = projection.bias!
            let source = f5.bytes.assumingMemoryBound(to: Int8.self), destination = accumulator.memory.buffer.floats
            let meansBuffer = AlignedBuffer(byteCount: inputs * 4)
            owned.append(meansBuffer)
            let scales = f5.scales, pixels = f5.pixels
            int8Kernel("aspp.pooling", output: nil) {
                let means = meansBuffer.floats
                channelMeans(source, pixels: pixels, channels: inputs, scales: scales, into: means, threads: threads)
                let constant = imagePoolingContribution(means: means, inputs: inputs, channels: d, pooling: poolingWeights, poolingBias: poolingBias,
                                                        projection: pooledProjection, projectionBias: projectionBias)
                constant.withUnsafeBufferPointer { values in
                    for p in 0..<pixels { (destination + p * d).update(from: values.baseAddress!, count: d) }
                }
            }
        }
        var projected = accumulator
        for (index, branch) in branches.enumerated() {
            let slice = QuantizedConvolution(shape: [d, d, 1, 1], weights: inputSlice(projection.weights, outputs: d, inputs: 4 * d, (index * d)..<((index + 1) * d)),
                                             weightScales: projection.weightScales, bias: nil)
            projected = try int8Convolution("aspp.project\(index)", input: branch, conv: slice, kernel: 1,
                                            eltwise: index == branches.count - 1 ? .relu : nil, outputType: dnnl_f32, outputScales: [1],
                                            accumulateInto: projected)
            release(branch)
        }
        let asppProjected = try nhwc(channels: d, height: h16, width: w16, type: dnnl_u8, scales: Self.unsignedScales(q.scales("aspp.project", channels: d)),
                                     label: "aspp.project")
        do {
            let (source, destination, pixels) = (accumulator.memory.buffer.floats, asppProjected.bytes.assumingMemoryBound(to: UInt8.self), f5.pixels)
            let inverseScales = asppProjected.scales.map { 1 / $0 }, limit = Self.unsignedLimit
            int8Kernel("aspp.project", output: asppProjected) {
                inverseScales.withUnsafeBufferPointer { inverse in
                    quantizeToUInt8(source, destination, pixels: pixels, channels: d, inverseScales: inverse.baseAddress!, limit: limit, threads: threads)
                }
            }
        }
        release(accumulator)

        // Separable 3x3 + BN + ReLU.
        let asppDepthwise = try int8Convolution("aspp.separable.depthwise", input: asppProjected, conv: q.convolution("decoder.aspp.1.0.weight"),
                                                kernel: 3, padding: [1, 1, 1, 1], groups: d, outputType: dnnl_s8,
                                                outputScales: q.scales("aspp.separable.depthwise", channels: d))
        release(asppProjected)
        let aspp = try int8Convolution("aspp.separable.pointwise", input: asppDepthwise, conv: q.convolution("decoder.aspp.1.1.weight"),
                                       kernel: 1, eltwise: .relu, outputType: dnnl_u8, outputScales: Self.unsignedScales(q.scales("aspp.separable.pointwise", channels: d)))
        release(asppDepthwise)

        // Low-level branch, then the fusion's concatenation [x4 upsampled ASPP, low-level] built once in u8, each part
        // at its own scale (the depthwise conv after it is per channel, so per-channel input scales cost nothing).
        let low = try int8Convolution("decoder.lowlevel", input: lowLevel, conv: q.convolution("decoder.block1.0.weight"), kernel: 1,
                                      eltwise: .relu, outputType: dnnl_u8, outputScales: Self.unsignedScales(q.scales("decoder.lowlevel", channels: model.decoder.lowLevelChannels)))
        release(lowLevel)
        let lowChannels = low.channels, fusedChannels = d + lowChannels
        let concatenationMD = try memoryDescriptor([1, fusedChannels, low.height, low.width], dnnl_acdb, type: dnnl_u8, context: "fusion.concatenate")
        let concatenation = QuantizedActivation(
            memory: try MemoryObject(concatenationMD, buffer: acquire(byteCount(concatenationMD)), engine: engine, context: "fusion.concatenate"),
            channels: fusedChannels, height: low.height, width: low.width, dataType: dnnl_u8,
            scales: aspp.scales + low.scales)
        owned.append(concatenation)
        do {
            let rows = LinearTaps(input: aspp.height, output: low.height), columns = LinearTaps(input: aspp.width, output: low.width)
            let (source, appended, destination) = (aspp.bytes.assumingMemoryBound(to: UInt8.self), low.bytes.assumingMemoryBound(to: UInt8.self),
                                                   concatenation.bytes.assumingMemoryBound(to: UInt8.self))
            let (ih, iw, oh, ow) = (aspp.height, aspp.width, low.height, low.width)
            int8Kernel("aspp.upsample", output: concatenation) {
                upsampleAndConcatenate(source, channels: d, inputHeight: ih, inputWidth: iw, appended: appended, appendedChannels: lowChannels,
                                       into: destination, outputHeight: oh, outputWidth: ow, rows: rows, columns: columns, threads: threads)
            }
        }
        release(aspp)
        release(low)
        let fusedDepthwise = try int8Convolution("fusion.depthwise", input: concatenation, conv: q.convolution("decoder.block2.0.0.weight"),
                                                 kernel: 3, padding: [1, 1, 1, 1], groups: fusedChannels, outputType: dnnl_s8,
                                                 outputScales: q.scales("fusion.depthwise", channels: fusedChannels))
        release(concatenation)
        let fused = try int8Convolution("fusion.pointwise", input: fusedDepthwise, conv: q.convolution("decoder.block2.0.1.weight"), kernel: 1,
                                        eltwise: .relu, outputType: dnnl_u8, outputScales: Self.unsignedScales(q.scales("fusion.pointwise", channels: d)))
        release(fusedDepthwise)

        // Head: int8 1x1 with f32 logits out (nhwc = one block of `classes` channels for the final upsampling).
        let logits = try int8Convolution("head", input: fused, conv: q.convolution("segmentation_head.0.weight"), kernel: 1,
                                         outputType: dnnl_f32, outputScales: [1])
        release(fused)
        let head = Activation(memory: logits.memory, channels: logits.channels, height: logits.height, width: logits.width, block: logits.channels)
        owned.append(head)
        return head
    }
}

