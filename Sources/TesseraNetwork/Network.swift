import CDNNL
import Foundation

/// The network: EfficientNet encoder (smp's output stride 16) and the DeepLabv3+ decoder, as plan steps.
extension PlanBuilder {
    static let encoderEpsilon: Float = 1e-3
    static let decoderEpsilon: Float = 1e-5

    /// Builds every step; returns the segmentation head's output (classes, stride 4). `features` gets f1..f5.
    func buildNetwork(model: SegmentationModel, input: Activation, keepFeatures: Bool,
                      features: inout [Activation]) throws -> Activation {
        let variant = model.encoder
        let stageIndices = variant.smpStageIndices
        let eps = Self.encoderEpsilon

        // Stem: 3x3/2 conv, static SAME padding for the native resolution, BatchNorm, swish.
        let stem = foldBatchNorm(weights: model.tensor("encoder._conv_stem.weight"), model: model, batchNorm: "encoder._bn0", epsilon: eps)
        var x = try convolution("stem", input: input, outputChannels: variant.stemChannels, kernel: 3, stride: 2,
                                padding: variant.stemPadding, weights: stem.weights, bias: stem.bias, postOps: [.swish])
        var encoderFeatures = [x]
        if keepFeatures { keep(x) }

        for block in variant.blocks(dilateFromBlock: stageIndices[2]) where block.index < stageIndices[3] {
            let p = "encoder._blocks.\(block.index)"
            let name = "block\(block.index)"
            var expanded = x
            if block.hasExpansion {
                let w = foldBatchNorm(weights: model.tensor("\(p)._expand_conv.weight"), model: model, batchNorm: "\(p)._bn0", epsilon: eps)
                expanded = try convolution("\(name).expand", input: x, outputChannels: block.expandedChannels, kernel: 1,
                                           weights: w.weights, bias: w.bias, postOps: [.swish])
            }
            let dw = foldBatchNorm(weights: model.tensor("\(p)._depthwise_conv.weight"), model: model, batchNorm: "\(p)._bn1", epsilon: eps)
            let depthwise = try convolution("\(name).depthwise", input: expanded, outputChannels: block.expandedChannels,
                                            kernel: block.kernel, stride: block.stride, dilation: block.dilation,
                                            padding: block.padding, groups: block.expandedChannels,
                                            weights: dw.weights, bias: dw.bias, postOps: [.swish])
            if block.hasExpansion { release(expanded) }
            squeezeExcitation("\(name).se", depthwise, model: model, prefix: p, squeezed: block.squeezedChannels)

            let project = foldBatchNorm(weights: model.tensor("\(p)._project_conv.weight"), model: model, batchNorm: "\(p)._bn2", epsilon: eps)
            let output: Activation
            if block.hasSkip {
                // The residual add is a sum post-op: the projection accumulates into the block's input.
                var target = x
                if isKept(x) {
                    target = try blocked(channels: x.channels, height: x.height, width: x.width, label: "\(name).skip")
                    let (source, destination, count) = (x.floats, target.floats, x.buffer.byteCount / 4)
                    kernel("\(name).skip-copy") { destination.update(from: source, count: count) }
                }
                output = try convolution("\(name).project", input: depthwise, outputChannels: block.outputChannels, kernel: 1,
                                         weights: project.weights, bias: project.bias, postOps: [.sum], accumulateInto: target)
            } else {
                output = try convolution("\(name).project", input: depthwise, outputChannels: block.outputChannels, kernel: 1,
                                         weights: project.weights, bias: project.bias)
                release(x)
            }
            release(depthwise)
            x = output
            if stageIndices.contains(block.index + 1) {
                encoderFeatures.append(x)
                if keepFeatures || block.index + 1 == stageIndices[0] { keep(x) }
            }
        }
        features = encoderFeatures
        return try buildDecoder(model: model, lowLevel: encoderFeatures[2 - 1], top: x)
    }

    /// Squeeze-excitation in place: global average, 1x1 conv + swish, 1x1 conv + sigmoid, channel multiply.
    private func squeezeExcitation(_ label: String, _ tensor: Activation, model: SegmentationModel, prefix: String, squeezed: Int) {
        let channels = tensor.channels, blocks = tensor.channelBlocks, block = tensor.block, padded = tensor.paddedChannels
        let reduceWeights = model.tensor("\(prefix)._se_reduce.weight"), reduceBias = model.tensor("\(prefix)._se_reduce.bias")
        let expandWeights = model.tensor("\(prefix)._se_expand.weight"), expandBias = model.tensor("\(prefix)._se_expand.bias")
        let batch = self.batch, threads = self.threads
        let means = AlignedBuffer(byteCount: batch * padded * 4), gates = AlignedBuffer(byteCount: batch * padded * 4)
        owned.append(means); owned.append(gates)
        let data = tensor.floats, plane = tensor.planeSize
        kernel(label, output: tensor) {
            globalAveragePool(data, batch: batch, channelBlocks: blocks, block: block, planeSize: plane, into: means.floats, threads: threads)
            for n in 0..<batch {
                squeezeExcitationGates(means: means.floats + n * padded, into: gates.floats + n * padded, channels: channels, squeezed: squeezed,
                                       reduce: reduceWeights, reduceBias: reduceBias, expand: expandWeights, expandBias: expandBias)
            }
            scaleChannels(data, batch: batch, channelBlocks: blocks, block: block, planeSize: plane, gates: gates.floats, threads: threads)
        }
    }

    private func buildDecoder(model: SegmentationModel, lowLevel: Activation, top f5: Activation) throws -> Activation {
        let eps = Self.decoderEpsilon
        let d = model.decoder.decoderChannels, inputs = f5.channels
        let batch = self.batch, threads = self.threads

        // ASPP branch 0: 1x1 conv + BN + ReLU.
        let b0w = foldBatchNorm(weights: model.tensor("decoder.aspp.0.convs.0.0.weight"), model: model, batchNorm: "decoder.aspp.0.convs.0.1", epsilon: eps)
        var branches = [try convolution("aspp.branch0", input: f5, outputChannels: d, kernel: 1, weights: b0w.weights, bias: b0w.bias, postOps: [.relu])]

        // Branches 1-3: separable atrous convs. The depthwise part is Tessera's exact cropped kernel (oneDNN 2.6 falls
        // to a slow gemm path for these dilations); the pointwise part is a oneDNN 1x1 with BN + ReLU.
        for (index, rate) in model.decoder.atrousRates.enumerated() {
            let branch = index + 1
            let depthwiseWeights = model.tensor("decoder.aspp.0.convs.\(branch).0.0.weight")
            let block = f5.block
            let packed = AlignedBuffer(byteCount: f5.channelBlocks * 9 * block * 4)
            owned.append(packed)
            for c in 0..<inputs { for tap in 0..<9 { packed.floats[((c / block) * 9 + tap) * block + c % block] = depthwiseWeights[c * 9 + tap] } }
            let atrous = try blocked(channels: inputs, height: f5.height, width: f5.width, label: "aspp.branch\(branch).depthwise")
            let (source, destination, blocks, h, w) = (f5.floats, atrous.floats, f5.channelBlocks, f5.height, f5.width)
            kernel("aspp.branch\(branch).depthwise", output: atrous) {
                dilatedDepthwise3x3(source, destination, batch: batch, channelBlocks: blocks, block: block, height: h, width: w,
                                    dilation: rate, packedWeights: packed.floats, threads: threads)
            }
            let pw = foldBatchNorm(weights: model.tensor("decoder.aspp.0.convs.\(branch).0.1.weight"), model: model,
                                   batchNorm: "decoder.aspp.0.convs.\(branch).1", epsilon: eps)
            branches.append(try convolution("aspp.branch\(branch).pointwise", input: atrous, outputChannels: d, kernel: 1,
                                            weights: pw.weights, bias: pw.bias, postOps: [.relu]))
            release(atrous)
        }

        // Projection of the concatenation [b0, b1, b2, b3, pooling] = the sum of per-branch 1x1 convs, so the
        // 1280-channel concatenation is never built: the pooling branch (constant over the image) and the BN bias are
        // written first, then each branch's conv accumulates with a sum post-op; ReLU after the last.
        let projection = foldBatchNorm(weights: model.tensor("decoder.aspp.0.project.0.weight"), model: model,
                                       batchNorm: "decoder.aspp.0.project.1", epsilon: eps)
        let pooling = foldBatchNorm(weights: model.tensor("decoder.aspp.0.convs.4.1.weight"), model: model,
                                    batchNorm: "decoder.aspp.0.convs.4.2", epsilon: eps)
        let pooledProjection = inputSlice(projection.weights, outputs: d, inputs: 5 * d, (4 * d)..<(5 * d))
        let projected = try blocked(channels: d, height: f5.height, width: f5.width, label: "aspp.project")
        let means = AlignedBuffer(byteCount: batch * f5.paddedChannels * 4)
        owned.append(means)
        do {
            let (source, destination, blocks, plane, projectionBias) = (f5.floats, projected.floats, f5.channelBlocks, f5.planeSize, projection.bias)
            let (block, paddedInputs, outputBlocks) = (f5.block, f5.paddedChannels, projected.channelBlocks)
            kernel("aspp.pooling") {
                globalAveragePool(source, batch: batch, channelBlocks: blocks, block: block, planeSize: plane, into: means.floats, threads: threads)
                for n in 0..<batch {
                    let constant = imagePoolingContribution(means: means.floats + n * paddedInputs, inputs: inputs, channels: d,
                                                            pooling: pooling.weights, poolingBias: pooling.bias,
                                                            projection: pooledProjection, projectionBias: projectionBias)
                    for outputBlock in 0..<outputBlocks {
                        let values = (0..<block).map { outputBlock * block + $0 < d ? constant[outputBlock * block + $0] : 0 }
                        let base = destination + ((n * outputBlocks + outputBlock) * plane) * block
                        for i in 0..<plane { (base + i * block).update(from: values, count: block) }
                    }
                }
            }
        }
        for (index, branch) in branches.enumerated() {
            let slice = inputSlice(projection.weights, outputs: d, inputs: 5 * d, (index * d)..<((index + 1) * d))
            _ = try convolution("aspp.project\(index)", input: branch, outputChannels: d, kernel: 1, weights: slice, bias: nil,
                                postOps: index == branches.count - 1 ? [.sum, .relu] : [.sum], accumulateInto: projected)
            release(branch)
        }

        // Separable 3x3 conv + BN + ReLU.
        let asppDepthwise = try convolution("aspp.separable.depthwise", input: projected, outputChannels: d, kernel: 3,
                                            padding: [1, 1, 1, 1], groups: d, weights: model.tensor("decoder.aspp.1.0.weight"), bias: nil)
        release(projected)
        let separable = foldBatchNorm(weights: model.tensor("decoder.aspp.1.1.weight"), model: model, batchNorm: "decoder.aspp.2", epsilon: eps)
        let aspp = try convolution("aspp.separable.pointwise", input: asppDepthwise, outputChannels: d, kernel: 1,
                                   weights: separable.weights, bias: separable.bias, postOps: [.relu])
        release(asppDepthwise)

        // x4 bilinear (align_corners) to the low-level resolution.
        let upsampled = try blocked(channels: d, height: lowLevel.height, width: lowLevel.width, label: "aspp.upsample")
        do {
            let rows = LinearTaps(input: aspp.height, output: upsampled.height), columns = LinearTaps(input: aspp.width, output: upsampled.width)
            let (source, destination, blocks, block) = (aspp.floats, upsampled.floats, aspp.channelBlocks, aspp.block)
            let (ih, iw, oh, ow) = (aspp.height, aspp.width, upsampled.height, upsampled.width)
            kernel("aspp.upsample", output: upsampled) {
                upsampleBlocked(source, destination, batch: batch, channelBlocks: blocks, block: block, inputHeight: ih, inputWidth: iw,
                                outputHeight: oh, outputWidth: ow, rows: rows, columns: columns, threads: threads)
            }
        }
        release(aspp)

        // Low-level branch: 1x1 conv 48 + BN + ReLU on the stride-4 features.
        let block1 = foldBatchNorm(weights: model.tensor("decoder.block1.0.weight"), model: model, batchNorm: "decoder.block1.1", epsilon: eps)
        let low = try convolution("decoder.lowlevel", input: lowLevel, outputChannels: model.decoder.lowLevelChannels, kernel: 1,
                                  weights: block1.weights, bias: block1.bias, postOps: [.relu])
        release(lowLevel)

        // Fusion: separable 3x3 over concat[upsampled, low] + BN + ReLU. Depthwise is per channel and the pointwise
        // conv is linear, so it runs as two depthwise convs and two pointwise convs accumulating (sum post-op).
        let lowChannels = low.channels, fusedChannels = d + lowChannels
        let fusedDepthwise = model.tensor("decoder.block2.0.0.weight")
        let upDepthwise = try convolution("fusion.depthwise.aspp", input: upsampled, outputChannels: d, kernel: 3, padding: [1, 1, 1, 1],
                                          groups: d, weights: Array(fusedDepthwise[0..<(d * 9)]), bias: nil)
        release(upsampled)
        let lowDepthwise = try convolution("fusion.depthwise.lowlevel", input: low, outputChannels: lowChannels, kernel: 3,
                                           padding: [1, 1, 1, 1], groups: lowChannels,
                                           weights: Array(fusedDepthwise[(d * 9)..<(fusedChannels * 9)]), bias: nil)
        release(low)
        let fusion = foldBatchNorm(weights: model.tensor("decoder.block2.0.1.weight"), model: model, batchNorm: "decoder.block2.1", epsilon: eps)
        let fused = try convolution("fusion.pointwise.aspp", input: upDepthwise, outputChannels: d, kernel: 1,
                                    weights: inputSlice(fusion.weights, outputs: d, inputs: fusedChannels, 0..<d), bias: fusion.bias)
        _ = try convolution("fusion.pointwise.lowlevel", input: lowDepthwise, outputChannels: d, kernel: 1,
                            weights: inputSlice(fusion.weights, outputs: d, inputs: fusedChannels, d..<fusedChannels), bias: nil,
                            postOps: [.sum, .relu], accumulateInto: fused)
        release(upDepthwise)
        release(lowDepthwise)

        // Segmentation head: 1x1 conv with bias (the x4 upsample to input size happens when reading the output).
        let head = try convolution("head", input: fused, outputChannels: model.classCount, kernel: 1,
                                   weights: model.tensor("segmentation_head.0.weight"), bias: model.tensor("segmentation_head.0.bias"))
        release(fused)
        keep(head)
        return head
    }
}
