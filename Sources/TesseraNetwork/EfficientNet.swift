import Foundation

/// EfficientNet's compound scaling (Tan & Le 2019): one coefficient phi scales depth, width and resolution together.
public struct CompoundScaling: Sendable, Equatable {
    public static let alpha = 1.2   // depth
    public static let beta = 1.1    // width
    public static let gamma = 1.15  // resolution
    public var phi: Double
    public init(phi: Double) { self.phi = phi }
    public var depth: Double { pow(Self.alpha, phi) }
    public var width: Double { pow(Self.beta, phi) }
    public var resolution: Double { pow(Self.gamma, phi) }
}

/// One stage of MBConv blocks before scaling (efficientnet-pytorch's block strings, e.g. 'r2_k3_s22_e6_i16_o24_se0.25').
public struct MBConvStage: Sendable, Equatable {
    public var repeats: Int
    public var kernel: Int
    public var stride: Int
    public var expandRatio: Int
    public var inputChannels: Int
    public var outputChannels: Int
    public var seRatio: Double
}

/// One MBConv block after scaling, with its padding for the variant's native resolution.
public struct MBConvBlock: Sendable, Equatable {
    public var index: Int
    public var inputChannels: Int
    public var outputChannels: Int
    public var expandedChannels: Int
    public var squeezedChannels: Int
    public var kernel: Int
    public var stride: Int
    public var dilation: Int
    /// Padding [left, right, top, bottom] of the depthwise convolution.
    public var padding: [Int]
    public var hasExpansion: Bool { expandedChannels != inputChannels }
    public var hasSkip: Bool { stride == 1 && inputChannels == outputChannels }
}

/// An EfficientNet variant: efficientnet-pytorch's coefficients and rounding rules.
public struct EfficientNetVariant: Sendable, Equatable {
    public var name: String
    public var widthCoefficient: Double
    public var depthCoefficient: Double
    public var resolution: Int
    public var dropout: Double

    public static let b0 = EfficientNetVariant(name: "efficientnet-b0", widthCoefficient: 1.0, depthCoefficient: 1.0, resolution: 224, dropout: 0.2)
    public static let b1 = EfficientNetVariant(name: "efficientnet-b1", widthCoefficient: 1.0, depthCoefficient: 1.1, resolution: 240, dropout: 0.2)
    public static let b2 = EfficientNetVariant(name: "efficientnet-b2", widthCoefficient: 1.1, depthCoefficient: 1.2, resolution: 260, dropout: 0.3)
    public static let b3 = EfficientNetVariant(name: "efficientnet-b3", widthCoefficient: 1.2, depthCoefficient: 1.4, resolution: 300, dropout: 0.3)
    public static let b4 = EfficientNetVariant(name: "efficientnet-b4", widthCoefficient: 1.4, depthCoefficient: 1.8, resolution: 380, dropout: 0.4)
    public static let b5 = EfficientNetVariant(name: "efficientnet-b5", widthCoefficient: 1.6, depthCoefficient: 2.2, resolution: 456, dropout: 0.4)
    public static let b6 = EfficientNetVariant(name: "efficientnet-b6", widthCoefficient: 1.8, depthCoefficient: 2.6, resolution: 528, dropout: 0.5)
    public static let b7 = EfficientNetVariant(name: "efficientnet-b7", widthCoefficient: 2.0, depthCoefficient: 3.1, resolution: 600, dropout: 0.5)
    public static let named: [EfficientNetVariant] = [b0, b1, b2, b3, b4, b5, b6, b7]

    public static func named(_ name: String) -> EfficientNetVariant? { named.first { $0.name == name } }

    /// A variant from the paper's compound scaling for any phi (B0's resolution 224 as the base).
    public static func compound(phi: Double, dropout: Double = 0.2) -> EfficientNetVariant {
        let scaling = CompoundScaling(phi: phi)
        return EfficientNetVariant(name: "efficientnet-phi\(phi)", widthCoefficient: scaling.width, depthCoefficient: scaling.depth,
                                   resolution: Int((224 * scaling.resolution).rounded()), dropout: dropout)
    }

    /// B0's stages (efficientnet-pytorch `efficientnet()` block strings).
    public static let baseStages: [MBConvStage] = [
        MBConvStage(repeats: 1, kernel: 3, stride: 1, expandRatio: 1, inputChannels: 32, outputChannels: 16, seRatio: 0.25),
        MBConvStage(repeats: 2, kernel: 3, stride: 2, expandRatio: 6, inputChannels: 16, outputChannels: 24, seRatio: 0.25),
        MBConvStage(repeats: 2, kernel: 5, stride: 2, expandRatio: 6, inputChannels: 24, outputChannels: 40, seRatio: 0.25),
        MBConvStage(repeats: 3, kernel: 3, stride: 2, expandRatio: 6, inputChannels: 40, outputChannels: 80, seRatio: 0.25),
        MBConvStage(repeats: 3, kernel: 5, stride: 1, expandRatio: 6, inputChannels: 80, outputChannels: 112, seRatio: 0.25),
        MBConvStage(repeats: 4, kernel: 5, stride: 2, expandRatio: 6, inputChannels: 112, outputChannels: 192, seRatio: 0.25),
        MBConvStage(repeats: 1, kernel: 3, stride: 1, expandRatio: 6, inputChannels: 192, outputChannels: 320, seRatio: 0.25),
    ]

    /// efficientnet-pytorch `round_filters`: multiples of 8, never below 90% of the scaled count.
    public func roundFilters(_ filters: Int) -> Int {
        let divisor = 8
        let scaled = Double(filters) * widthCoefficient
        var rounded = max(divisor, Int(scaled + Double(divisor) / 2) / divisor * divisor)
        if Double(rounded) < 0.9 * scaled { rounded += divisor }
        return rounded
    }

    /// efficientnet-pytorch `round_repeats`: always up.
    public func roundRepeats(_ repeats: Int) -> Int { Int((depthCoefficient * Double(repeats)).rounded(.up)) }

    public var stemChannels: Int { roundFilters(32) }
    public var headChannels: Int { roundFilters(1280) }

    /// TensorFlow "SAME" padding for a static input size: [before, after].
    static func samePadding(inputSize: Int, kernel: Int, stride: Int, dilation: Int = 1) -> (Int, Int) {
        let outputSize = (inputSize + stride - 1) / stride
        let total = max((outputSize - 1) * stride + (kernel - 1) * dilation + 1 - inputSize, 0)
        return (total / 2, total - total / 2)
    }

    /// Stem padding [left, right, top, bottom] for the native resolution.
    public var stemPadding: [Int] {
        let (a, b) = Self.samePadding(inputSize: resolution, kernel: 3, stride: 2)
        return [a, b, a, b]
    }

    /// The MBConv blocks. With `dilateFromBlock`, blocks from that index on run at stride 1 with dilation 2 and
    /// padding (k/2)*2 (smp's output stride 16).
    public func blocks(dilateFromBlock: Int? = nil) -> [MBConvBlock] {
        var result: [MBConvBlock] = []
        var imageSize = (resolution + 1) / 2
        for stage in Self.baseStages {
            let input = roundFilters(stage.inputChannels), output = roundFilters(stage.outputChannels)
            for r in 0..<roundRepeats(stage.repeats) {
                let blockInput = r == 0 ? input : output
                let stride = r == 0 ? stage.stride : 1
                let index = result.count
                var block = MBConvBlock(index: index, inputChannels: blockInput, outputChannels: output,
                                        expandedChannels: blockInput * stage.expandRatio,
                                        squeezedChannels: max(1, Int(Double(blockInput) * stage.seRatio)),
                                        kernel: stage.kernel, stride: stride, dilation: 1, padding: [])
                let (a, b) = Self.samePadding(inputSize: imageSize, kernel: stage.kernel, stride: stride)
                block.padding = [a, b, a, b]
                if let dilateFromBlock, index >= dilateFromBlock {
                    block.stride = 1
                    block.dilation = 2
                    let p = (stage.kernel / 2) * 2
                    block.padding = [p, p, p, p]
                }
                imageSize = (imageSize + stride - 1) / stride
                result.append(block)
            }
        }
        return result
    }

    /// Parameters of the 1000-class ImageNet classifier (convolutions, BatchNorm weight+bias, SE biases, fc).
    public func classifierParameterCount(classes: Int = 1000) -> Int {
        var count = encoderParameterCount()
        count += headChannels * classes + classes
        return count
    }

    /// Parameters of the encoder including `_conv_head` and `_bn1` (smp keeps them in the state dict).
    public func encoderParameterCount() -> Int {
        var count = stemChannels * 3 * 9 + 2 * stemChannels
        for block in blocks() {
            if block.hasExpansion { count += block.expandedChannels * block.inputChannels + 2 * block.expandedChannels }
            count += block.expandedChannels * block.kernel * block.kernel + 2 * block.expandedChannels
            count += block.squeezedChannels * block.expandedChannels + block.squeezedChannels
            count += block.expandedChannels * block.squeezedChannels + block.expandedChannels
            count += block.outputChannels * block.expandedChannels + 2 * block.outputChannels
        }
        let last = roundFilters(320)
        count += headChannels * last + 2 * headChannels
        return count
    }

    /// segmentation_models_pytorch's `_stage_idxs` for the named variants (the stride 4, 8, 16, 32 feature ends;
    /// B0's third value is 9, not a stage boundary, and smp's weights follow it). Other variants use stage ends.
    public var smpStageIndices: [Int] {
        switch name {
        case "efficientnet-b0": return [3, 5, 9, 16]
        case "efficientnet-b1", "efficientnet-b2": return [5, 8, 16, 23]
        case "efficientnet-b3": return [5, 8, 18, 26]
        case "efficientnet-b4": return [6, 10, 22, 32]
        case "efficientnet-b5": return [8, 13, 27, 39]
        case "efficientnet-b6": return [9, 15, 31, 45]
        case "efficientnet-b7": return [11, 18, 38, 55]
        default:
            var ends: [Int] = []
            var total = 0
            for stage in Self.baseStages { total += roundRepeats(stage.repeats); ends.append(total) }
            return [ends[1], ends[2], ends[4], ends[6]]
        }
    }

    public var blockCount: Int { Self.baseStages.reduce(0) { $0 + roundRepeats($1.repeats) } }
}
