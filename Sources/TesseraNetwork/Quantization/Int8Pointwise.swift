import CDNNL
import CTesseraKernels
import Foundation
import TesseraCore

/// Tessera's int8 1x1 convolution (CTesseraKernels/pointwise_int8.c) on nhwc activations, with oneDNN's int8
/// convolution semantics (output scales, bias, swish or ReLU, per-channel multiplier, residual sum, s8 or u8 out), for
/// the encoder's expand and project convolutions and the decoder's 1x1s with int8 outputs: on AVX2 without VNNI oneDNN
/// 2.6's `jit_uni_int8_1x1` runs no faster than its fp32 `jit_1x1` (issue 29's profile: expand 34.3 against 30.2 ms
/// per tile, project 22.7 against 22.8).
enum Int8Pointwise {
    typealias Kernel = Int8Depthwise.Kernel

    static var available: [Kernel] { Int8Depthwise.available }

    /// Whether the int8 network runs its int8-out 1x1 convolutions with Tessera's kernel rather than oneDNN's: only where
    /// `TESSERA_INT8_POINTWISE=tessera` asks for it (and the CPU has AVX2). Not the default anywhere: on the Zen 3 kind,
    /// in the network it measured 0.78x the speed of oneDNN's `jit_uni_int8_1x1` over the 1x1 layers (BENCHMARKS.md,
    /// issue 29).
    static var replacesOneDNN: Bool {
        ProcessInfo.processInfo.environment["TESSERA_INT8_POINTWISE"] == "tessera" && available.contains(.avx2)
    }

    /// One layer's constants: weights (outputs x inputs) and their AVX2 packing, and the per-channel requantisation.
    final class Layer: Sendable {
        let inputs: Int, outputs: Int, activation: QuantizedEltwise?, residualScale: Float?, unsignedLimit: Float?
        let weights: [Int8], packed: [Int16], bias: [Float], scales: [Float], multipliers: [Float]

        /// out = round(clamp(post(scales[c] * (acc + bias[c]) [+ residualScale * out[c]]) * multipliers[c])), post =
        /// `activation` or identity, clamped to s8, or to [0, `unsignedLimit`] for a u8 output; with `residualScale`, the
        /// destination holds the residual and is overwritten.
        init(weights: [Int8], inputs: Int, outputs: Int, activation: QuantizedEltwise?, residualScale: Float?, unsignedLimit: Float?,
             bias: [Float], scales: [Float], multipliers: [Float]) {
            precondition(weights.count == inputs * outputs && bias.count == outputs && scales.count == outputs && multipliers.count == outputs
                && inputs >= 1 && outputs >= 1, "int8 1x1 layer: inconsistent shapes")
            (self.inputs, self.outputs, self.activation, self.residualScale, self.unsignedLimit) = (inputs, outputs, activation, residualScale, unsignedLimit)
            (self.weights, self.bias, self.scales, self.multipliers) = (weights, bias, scales, multipliers)
            var packed = [Int16](repeating: 0, count: Int(tessera_pointwise_int8_packed_count(Int32(inputs), Int32(outputs))))
            weights.withUnsafeBufferPointer { w in
                packed.withUnsafeMutableBufferPointer { tessera_pointwise_int8_pack(w.baseAddress!, Int32(inputs), Int32(outputs), $0.baseAddress!) }
            }
            self.packed = packed
        }

        /// Runs the layer on `pixels` pixels: `source` pixels x inputs (s8 where `signed`, else u8), `destination` pixels x
        /// outputs s8 or u8 (holding the residual where the layer has one), pixels split over `threads`.
        func run(_ kernelChoice: Kernel, source: UnsafeRawPointer, signed: Bool, pixels: Int, destination: UnsafeMutableRawPointer, threads: Int) {
            precondition(kernelChoice == .reference || Int8Pointwise.available.contains(kernelChoice), "\(kernelChoice) kernel asked of a CPU without it")
            weights.withUnsafeBufferPointer { w in
                packed.withUnsafeBufferPointer { pk in
                    bias.withUnsafeBufferPointer { b in
                        scales.withUnsafeBufferPointer { s in
                            multipliers.withUnsafeBufferPointer { m in
                                var parameters = TesseraPointwiseInt8(
                                    source: source, destination: destination, weights: w.baseAddress, packed: pk.baseAddress,
                                    bias: b.baseAddress, scales: s.baseAddress, multipliers: m.baseAddress, residualScale: residualScale ?? 0,
                                    unsignedLimit: unsignedLimit ?? 0, pixels: Int32(pixels), inputChannels: Int32(inputs),
                                    outputChannels: Int32(outputs), sourceSigned: signed ? 1 : 0, swish: activation == .swish ? 1 : 0,
                                    relu: activation == .relu ? 1 : 0, residual: residualScale == nil ? 0 : 1)
                                withUnsafePointer(to: &parameters) { p in
                                    // Whole 4-pixel register blocks per thread.
                                    parallelFor((pixels + 3) / 4, threads: threads) { blocks in
                                        let begin = Int64(blocks.lowerBound * 4), end = Int64(min(pixels, blocks.upperBound * 4))
                                        switch kernelChoice {
                                        case .reference: tessera_pointwise_int8_reference(p, begin, end)
                                        case .avx2: tessera_pointwise_int8_avx2(p, begin, end)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension PlanBuilder {
    /// A 1x1 int8 convolution with s8 output (or u8 after ReLU, up to `unsignedLimit`) through Tessera's kernel, with
    /// `int8Convolution`'s semantics: `conv` with per-channel input scales already folded into its weights, `inputScale`
    /// the input's one scale, `output` the destination (the residual's memory rescaled, where `residual` is given).
    func int8PointwiseConvolution(_ label: String, input: QuantizedActivation, conv: QuantizedConvolution, inputScale: Float,
                                  eltwise: QuantizedEltwise?, output: QuantizedActivation, residual: QuantizedActivation?) -> QuantizedActivation {
        precondition((output.dataType == dnnl_s8 && eltwise != .relu) || (output.dataType == dnnl_u8 && eltwise == .relu),
                     "\(label): Tessera's int8 1x1 gives s8, or u8 after ReLU")
        let (inputs, outputs) = (input.channels, output.channels)
        let accumulatorScales = (0..<outputs).map { inputScale * conv.weightScales[$0] }
        let layer = Int8Pointwise.Layer(
            weights: conv.weights, inputs: inputs, outputs: outputs, activation: eltwise,
            residualScale: residual.map { $0.scales[0] / output.scales[0] }, unsignedLimit: output.dataType == dnnl_u8 ? Self.unsignedLimit : nil,
            bias: conv.bias.map { zip($0, accumulatorScales).map { $0 / $1 } } ?? [Float](repeating: 0, count: outputs),
            scales: eltwise == nil ? (0..<outputs).map { accumulatorScales[$0] / output.scales[$0] } : accumulatorScales,
            multipliers: eltwise == nil ? [Float](repeating: 1, count: outputs) : output.scales.map { 1 / $0 })
        let (source, destination, signed) = (UnsafeRawPointer(input.bytes), output.bytes, input.dataType == dnnl_s8)
        let (pixels, threads) = (input.pixels, self.threads)
        steps.append(PlanStep(label: label, implementation: "tessera_int8_1x1:avx2", run: {
            layer.run(.avx2, source: source, signed: signed, pixels: pixels, destination: destination, threads: threads)
        }, output: output.read))
        return output
    }
}
