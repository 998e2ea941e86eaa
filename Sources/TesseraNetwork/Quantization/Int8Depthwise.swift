import CDNNL
import CTesseraKernels
import Foundation
import TesseraCore

/// Tessera's int8 depthwise convolution (CTesseraKernels/depthwise_int8.c) on nhwc activations, with oneDNN's int8
/// convolution semantics, so it can stand in for `jit_uni_int8` where that loses to fp32: on AVX2 without VNNI,
/// oneDNN 2.6 runs int8 depthwise at 0.6x its fp32 `jit_dw` (issue 29's profile: 21.4 against 12.9 ms per tile).
enum Int8Depthwise {
    /// Which kernel runs it.
    enum Kernel: String, Sendable { case reference, avx2 }

    /// The kernels this CPU can run (the scalar reference everywhere, AVX2 where the CPU has AVX2 and FMA).
    static var available: [Kernel] { tessera_kernels_have_avx2() != 0 ? [.reference, .avx2] : [.reference] }

    /// Whether the int8 network runs its depthwise convolutions with Tessera's kernel rather than oneDNN's, by rule for
    /// the instruction set oneDNN dispatches: without VNNI, oneDNN's int8 depthwise widens to s16 and saturates like its
    /// dense kernels and measured 0.6x fp32; Tessera's AVX2 kernel measured faster on the Zen 3 kind (BENCHMARKS.md,
    /// issue 29). `TESSERA_INT8_DEPTHWISE=onednn|tessera` overrides it for measurements.
    static var replacesOneDNN: Bool {
        switch ProcessInfo.processInfo.environment["TESSERA_INT8_DEPTHWISE"] {
        case "onednn": false
        case "tessera": available.contains(.avx2)
        default: available.contains(.avx2) && !ActivationLayout.runsVNNIKernels
        }
    }

    static let maximumChannels = Int(TESSERA_DEPTHWISE_INT8_MAX_CHANNELS)

    /// One layer's constants: weights (C x k x k) and their AVX2 packing, and the per-channel requantisation.
    final class Layer: Sendable {
        /// `padding`: [left, right, top, bottom], as `ConvolutionShape`.
        let channels: Int, kernel: Int, stride: Int, dilation: Int, padding: [Int], swish: Bool
        let weights: [Int8], packed: [Int16], bias: [Float], scales: [Float], multipliers: [Float]

        /// out = saturate_s8(round(post(scales[c] * (acc + bias[c])) * multipliers[c])), post = swish or identity.
        init(weights: [Int8], channels: Int, kernel: Int, stride: Int, dilation: Int, padding: [Int], swish: Bool,
             bias: [Float], scales: [Float], multipliers: [Float]) {
            precondition(weights.count == channels * kernel * kernel && bias.count == channels && scales.count == channels
                && multipliers.count == channels && padding.count == 4 && channels <= Int8Depthwise.maximumChannels && kernel >= 1 && kernel <= 5,
                         "int8 depthwise layer: inconsistent shapes")
            (self.channels, self.kernel, self.stride, self.dilation, self.padding, self.swish) =
                (channels, kernel, stride, dilation, padding, swish)
            (self.weights, self.bias, self.scales, self.multipliers) = (weights, bias, scales, multipliers)
            var packed = [Int16](repeating: 0, count: Int(tessera_depthwise_int8_packed_count(Int32(channels), Int32(kernel))) + 16)
            weights.withUnsafeBufferPointer { w in
                packed.withUnsafeMutableBufferPointer { tessera_depthwise_int8_pack(w.baseAddress!, Int32(channels), Int32(kernel), $0.baseAddress!) }
            }
            self.packed = packed
        }

        func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
            let extent = (kernel - 1) * dilation + 1
            return ((height + padding[2] + padding[3] - extent) / stride + 1, (width + padding[0] + padding[1] - extent) / stride + 1)
        }

        /// Runs the layer on one image: `source` height x width x channels (s8 where `signed`, else u8), `destination`
        /// the output size x channels s8, output rows split over `threads`.
        func run(_ kernelChoice: Kernel, source: UnsafeRawPointer, signed: Bool, height: Int, width: Int,
                 outputHeight: Int, outputWidth: Int, destination: UnsafeMutablePointer<Int8>, threads: Int) {
            precondition(kernelChoice == .reference || Int8Depthwise.available.contains(kernelChoice), "\(kernelChoice) kernel asked of a CPU without it")
            weights.withUnsafeBufferPointer { w in
                packed.withUnsafeBufferPointer { pk in
                    bias.withUnsafeBufferPointer { b in
                        scales.withUnsafeBufferPointer { s in
                            multipliers.withUnsafeBufferPointer { m in
                                var parameters = TesseraDepthwiseInt8(
                                    source: source, destination: destination, weights: w.baseAddress, packed: pk.baseAddress,
                                    bias: b.baseAddress, scales: s.baseAddress, multipliers: m.baseAddress,
                                    channels: Int32(channels), height: Int32(height), width: Int32(width),
                                    outHeight: Int32(outputHeight), outWidth: Int32(outputWidth), kernel: Int32(kernel),
                                    stride: Int32(stride), dilation: Int32(dilation), padTop: Int32(padding[2]), padLeft: Int32(padding[0]),
                                    sourceSigned: signed ? 1 : 0, swish: swish ? 1 : 0)
                                withUnsafePointer(to: &parameters) { p in
                                    parallelFor(outputHeight, threads: threads) { rows in
                                        switch kernelChoice {
                                        case .reference: tessera_depthwise_int8_reference(p, Int32(rows.lowerBound), Int32(rows.upperBound))
                                        case .avx2: tessera_depthwise_int8_avx2(p, Int32(rows.lowerBound), Int32(rows.upperBound))
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
    /// A depthwise int8 convolution through Tessera's kernel, with `int8Convolution`'s semantics (no accumulation).
    func int8DepthwiseConvolution(_ label: String, input: QuantizedActivation, conv: QuantizedConvolution, kernel: Int, stride: Int,
                                  dilation: Int, padding: [Int], eltwise: QuantizedEltwise?, outputScales: [Float]) throws -> QuantizedActivation {
        precondition(eltwise == nil || eltwise == .swish, "\(label): Tessera's int8 depthwise takes swish or no activation")
        let channels = input.channels
        let accumulatorScales = (0..<channels).map { input.scales[$0] * conv.weightScales[$0] }
        let layer = Int8Depthwise.Layer(
            weights: conv.weights, channels: channels, kernel: kernel, stride: stride, dilation: dilation, padding: padding, swish: eltwise == .swish,
            bias: conv.bias.map { zip($0, accumulatorScales).map { $0 / $1 } } ?? [Float](repeating: 0, count: channels),
            scales: eltwise == nil ? (0..<channels).map { accumulatorScales[$0] / outputScales[$0] } : accumulatorScales,
            multipliers: eltwise == nil ? [Float](repeating: 1, count: channels) : outputScales.map { 1 / $0 })
        let (outHeight, outWidth) = layer.outputSize(height: input.height, width: input.width)
        let output = try nhwc(channels: channels, height: outHeight, width: outWidth, type: dnnl_s8, scales: outputScales, label: label)
        let (source, destination, signed) = (UnsafeRawPointer(input.bytes), output.bytes.assumingMemoryBound(to: Int8.self), input.dataType == dnnl_s8)
        let (height, width, threads) = (input.height, input.width, self.threads)
        steps.append(PlanStep(label: label, implementation: "tessera_int8_dw:avx2", run: {
            layer.run(.avx2, source: source, signed: signed, height: height, width: width, outputHeight: outHeight, outputWidth: outWidth,
                      destination: destination, threads: threads)
        }, output: output.read))
        return output
    }
}
