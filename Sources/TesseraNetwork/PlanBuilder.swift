import CDNNL
import Foundation

/// Builds the execution plan once: oneDNN primitives with BatchNorm folded and activations/residual adds as
/// post-ops, Tessera's kernels in between, and a buffer pool so that activations reuse memory once dead.
final class PlanBuilder {
    let engine: DNNLEngine
    let batch: Int
    let threads: Int
    /// Channels per block of the activation layout (8: nChw8c, 16: nChw16c).
    let block: Int
    var steps: [PlanStep] = []
    var owned: [AnyObject] = []
    var freeBuffers: [AlignedBuffer] = []
    private var kept: Set<ObjectIdentifier> = []
    /// Primitives waiting for the shared scratchpad, which is sized once all are known.
    private var pendingScratchpads: [(step: Int, descriptor: dnnl_memory_desc_t, holder: ScratchpadHolder)] = []

    init(engine: DNNLEngine, batch: Int, threads: Int, block: Int) {
        self.engine = engine
        self.batch = batch
        self.threads = threads
        self.block = block
    }

    // MARK: Buffers

    func acquire(_ bytes: Int) -> AlignedBuffer {
        if let index = freeBuffers.indices.filter({ freeBuffers[$0].byteCount >= bytes })
            .min(by: { freeBuffers[$0].byteCount < freeBuffers[$1].byteCount }) {
            return freeBuffers.remove(at: index)
        }
        let buffer = AlignedBuffer(byteCount: bytes)
        owned.append(buffer)
        return buffer
    }

    /// Returns an activation's buffer to the pool (kept activations stay).
    func release(_ activation: Activation) {
        guard !kept.contains(ObjectIdentifier(activation)) else { return }
        freeBuffers.append(activation.buffer)
    }

    func keep(_ activation: Activation) { kept.insert(ObjectIdentifier(activation)) }
    func isKept(_ activation: Activation) -> Bool { kept.contains(ObjectIdentifier(activation)) }

    func plainInput(channels: Int, height: Int, width: Int) throws -> Activation {
        let md = try memoryDescriptor([batch, channels, height, width], dnnl_abcd, context: "input descriptor")
        let buffer = AlignedBuffer(byteCount: byteCount(md))
        owned.append(buffer)
        let activation = Activation(memory: try MemoryObject(md, buffer: buffer, engine: engine, context: "input memory"),
                                    channels: channels, height: height, width: width, block: 1)
        owned.append(activation)
        keep(activation)
        return activation
    }

    func blocked(channels: Int, height: Int, width: Int, label: String) throws -> Activation {
        let md = try memoryDescriptor([batch, channels, height, width], block == 16 ? dnnl_aBcd16b : dnnl_aBcd8b,
                                      context: "\(label) output descriptor")
        let buffer = acquire(byteCount(md))
        let activation = Activation(memory: try MemoryObject(md, buffer: buffer, engine: engine, context: "\(label) output memory"),
                                    channels: channels, height: height, width: width, block: block)
        owned.append(activation)  // the plan's steps hold its raw oneDNN handle
        return activation
    }

    /// Memory holding constant data (weights, biases) in a given layout, reordered from plain if needed.
    private func constant(_ values: [Float], plain: dnnl_memory_desc_t, wanted: dnnl_memory_desc_t, label: String) throws -> MemoryObject {
        precondition(values.count * 4 == byteCount(plain), "\(label): \(values.count) values for the descriptor")
        let memory = try values.withUnsafeBytes {
            try constantMemory($0, plain: plain, wanted: wanted, engine: engine, label: label)
        }
        owned.append(memory)
        return memory
    }

    // MARK: Steps

    func kernel(_ label: String, output: Activation? = nil, _ body: @escaping () -> Void) {
        steps.append(PlanStep(label: label, implementation: "tessera", run: body, output: output.map(readable)))
    }

    /// Reads an activation's valid channels as plain floats.
    func readable(_ activation: Activation) -> () -> LayerOutput {
        { LayerOutput(channels: activation.channels, height: activation.height, width: activation.width,
                      values: blockedToPlain(activation.floats, batch: 1, channels: activation.channels, block: activation.block,
                                             planeSize: activation.planeSize)) }
    }

    /// A convolution with folded bias and post-ops. `accumulateInto` makes the output the given activation (sum post-op).
    func convolution(_ label: String, input: Activation, outputChannels: Int, kernel: Int, stride: Int = 1,
                     dilation: Int = 1, padding: [Int] = [0, 0, 0, 0], groups: Int = 1, weights: [Float],
                     bias: [Float]?, postOps: [PostOp] = [], accumulateInto: Activation? = nil) throws -> Activation {
        let shape = ConvolutionShape(inputChannels: input.channels, outputChannels: outputChannels, kernel: kernel, stride: stride,
                                     dilation: dilation, padding: padding, groups: groups)
        let (outHeight, outWidth) = shape.outputSize(height: input.height, width: input.width)
        let output = try accumulateInto ?? blocked(channels: outputChannels, height: outHeight, width: outWidth, label: label)
        precondition(output.height == outHeight && output.width == outWidth && output.channels == outputChannels,
                     "\(label): accumulation target has the wrong shape")
        let biasMD = try memoryDescriptor([outputChannels], dnnl_a, context: label)
        var opDesc = try shape.descriptor(label, source: input.memory.descriptor, destination: output.memory.descriptor,
                                          weightType: dnnl_f32, bias: bias == nil ? nil : biasMD)
        let attributes = try PrimitiveAttributes(postOps: postOps, context: label)
        var pd: dnnl_primitive_desc_t?
        try dnnlCheck(dnnl_primitive_desc_create(&pd, &opDesc, attributes.attr, engine.engine, nil), "\(label): no convolution implementation")
        let descriptor = PrimitiveDescriptor(pd!)
        let primitive = try Primitive(descriptor, context: label)
        let plainWeights = try memoryDescriptor(shape.weightDims, groups == 1 ? dnnl_abcd : dnnl_abcde, context: label)
        let weightMemory = try constant(weights, plain: plainWeights, wanted: descriptor.memoryDescriptor(dnnl_query_weights_md), label: label)
        var args = [dnnl_exec_arg_t(arg: DNNLArgument.src, memory: input.memory.memory),
                    dnnl_exec_arg_t(arg: DNNLArgument.weights, memory: weightMemory.memory),
                    dnnl_exec_arg_t(arg: DNNLArgument.dst, memory: output.memory.memory)]
        if let bias {
            args.append(dnnl_exec_arg_t(arg: DNNLArgument.bias, memory: try constant(bias, plain: biasMD, wanted: biasMD, label: label).memory))
        }
        append(primitive, label: label, args: args, output: readable(output))
        return output
    }

    /// The geometry of a direct convolution, shared by the fp32 and int8 networks: its output size, its weights'
    /// dimensions (grouped: groups x out/groups x in/groups x k x k) and its oneDNN descriptor. Padding is [left, right,
    /// top, bottom].
    struct ConvolutionShape {
        let inputChannels: Int, outputChannels: Int, kernel: Int, stride: Int, dilation: Int, padding: [Int], groups: Int

        func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
            let extent = (kernel - 1) * dilation + 1
            return ((height + padding[2] + padding[3] - extent) / stride + 1, (width + padding[0] + padding[1] - extent) / stride + 1)
        }

        var weightDims: [Int] {
            groups == 1 ? [outputChannels, inputChannels, kernel, kernel]
                        : [groups, outputChannels / groups, inputChannels / groups, kernel, kernel]
        }

        /// Weights of `weightType` in the layout the primitive picks; `bias` (f32) when there is one.
        func descriptor(_ label: String, source: dnnl_memory_desc_t, destination: dnnl_memory_desc_t,
                        weightType: dnnl_data_type_t, bias: dnnl_memory_desc_t?) throws -> dnnl_convolution_desc_t {
            var src = source, dst = destination, biasMD = bias ?? dnnl_memory_desc_t()
            var weightsAny = try memoryDescriptor(weightDims, dnnl_format_tag_any, type: weightType, context: label)
            var opDesc = dnnl_convolution_desc_t()
            let strides: [Int64] = [Int64(stride), Int64(stride)]
            let dilates: [Int64] = [Int64(dilation - 1), Int64(dilation - 1)]
            let padLeft: [Int64] = [Int64(padding[2]), Int64(padding[0])], padRight: [Int64] = [Int64(padding[3]), Int64(padding[1])]
            try withUnsafeMutablePointer(to: &biasMD) { biasPointer in
                try dnnlCheck(dnnl_dilated_convolution_forward_desc_init(
                    &opDesc, dnnl_forward_inference, dnnl_convolution_direct, &src, &weightsAny,
                    bias == nil ? nil : biasPointer, &dst, strides, dilates, padLeft, padRight), "\(label): convolution descriptor")
            }
            return opDesc
        }
    }

    func append(_ primitive: Primitive, label: String, args: [dnnl_exec_arg_t], output: (() -> LayerOutput)? = nil) {
        let holder = ScratchpadHolder()
        let stream = engine.stream
        owned.append(primitive)
        let scratchpad = primitive.descriptor.memoryDescriptor(dnnl_query_scratchpad_md)
        if byteCount(scratchpad) > 0 {
            pendingScratchpads.append((steps.count, scratchpad, holder))
        }
        let raw = primitive.primitive
        steps.append(PlanStep(label: label, implementation: primitive.descriptor.implementation, run: {
            var all = args
            if let memory = holder.memory { all.append(dnnl_exec_arg_t(arg: DNNLArgument.scratchpad, memory: memory.memory)) }
            try dnnlCheck(dnnl_primitive_execute(raw, stream, Int32(all.count), &all), label)
            try dnnlCheck(dnnl_stream_wait(stream), label)
        }, output: output))
    }

    /// Allocates the one scratchpad that all primitives share (they run one at a time).
    func finish() throws {
        let largest = pendingScratchpads.map { byteCount($0.descriptor) }.max() ?? 0
        guard largest > 0 else { return }
        let buffer = AlignedBuffer(byteCount: largest)
        owned.append(buffer)
        for pending in pendingScratchpads {
            pending.holder.memory = try MemoryObject(pending.descriptor, buffer: buffer, engine: engine, context: "scratchpad")
        }
    }
}

final class ScratchpadHolder {
    var memory: MemoryObject?
}

// MARK: BatchNorm folding and weight slicing

/// conv(x) then BatchNorm = conv'(x) + b with conv' = conv * gamma / sqrt(var + eps), b = beta - mean * that scale.
func foldBatchNorm(weights: [Float], model: SegmentationModel, batchNorm prefix: String, epsilon: Float,
                   existingBias: [Float]? = nil) -> (weights: [Float], bias: [Float]) {
    let gamma = model.tensor("\(prefix).weight"), beta = model.tensor("\(prefix).bias")
    let mean = model.tensor("\(prefix).running_mean"), variance = model.tensor("\(prefix).running_var")
    let outputs = gamma.count, perOutput = weights.count / outputs
    var folded = weights
    var bias = [Float](repeating: 0, count: outputs)
    for o in 0..<outputs {
        let scale = gamma[o] / (variance[o] + epsilon).squareRoot()
        for j in 0..<perOutput { folded[o * perOutput + j] *= scale }
        bias[o] = beta[o] + ((existingBias?[o] ?? 0) - mean[o]) * scale
    }
    return (folded, bias)
}

/// Input channels lower..<upper of an O x I weight matrix (1x1 convolution; float or int8).
func inputSlice<Element>(_ weights: [Element], outputs: Int, inputs: Int, _ range: Range<Int>) -> [Element] {
    var slice: [Element] = []
    slice.reserveCapacity(outputs * range.count)
    for o in 0..<outputs { slice.append(contentsOf: weights[(o * inputs + range.lowerBound)..<(o * inputs + range.upperBound)]) }
    return slice
}

/// Constant data (fp32 or int8 weights, biases) copied into oneDNN memory of the wanted layout, reordered from the
/// plain layout by oneDNN when the two differ. For s8 sources the reorder also writes the compensation oneDNN's int8
/// kernels need and, without VNNI, halves the weights (its scale_adjust against vpmaddubsw saturation).
func constantMemory(_ bytes: UnsafeRawBufferPointer, plain: dnnl_memory_desc_t, wanted: dnnl_memory_desc_t,
                    engine: DNNLEngine, label: String) throws -> MemoryObject {
    precondition(bytes.count == byteCount(plain), "\(label): \(bytes.count) bytes for the descriptor")
    let source = AlignedBuffer(byteCount: byteCount(plain))
    source.pointer.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
    let sourceMemory = try MemoryObject(plain, buffer: source, engine: engine, context: "\(label) constant")
    if sameLayout(plain, wanted) { return sourceMemory }
    let target = AlignedBuffer(byteCount: byteCount(wanted))
    let targetMemory = try MemoryObject(wanted, buffer: target, engine: engine, context: "\(label) constant")
    let reorder = try Primitive.reorder(from: plain, to: wanted, engine: engine, context: "\(label) weights reorder")
    var args = [dnnl_exec_arg_t(arg: DNNLArgument.src, memory: sourceMemory.memory),
                dnnl_exec_arg_t(arg: DNNLArgument.dst, memory: targetMemory.memory)]
    try dnnlCheck(dnnl_primitive_execute(reorder.primitive, engine.stream, 2, &args), "\(label) weights reorder")
    try dnnlCheck(dnnl_stream_wait(engine.stream), "\(label) weights reorder")
    return targetMemory
}
