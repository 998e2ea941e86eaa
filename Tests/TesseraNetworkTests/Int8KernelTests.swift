import CTesseraKernels
import Foundation
import Testing
@testable import TesseraNetwork

/// Tessera's int8 depthwise kernel: the scalar reference against a plain Swift statement of the semantics, and every
/// kernel this CPU offers against the reference, to the last bit, on the shapes the network uses and their edges
/// (asymmetric "same" padding, stride 2, dilation 2, u8 and s8 inputs, swish or none, channel counts with a tail).
struct Int8KernelTests {
    struct Case: CustomStringConvertible {
        var channels, height, width, kernel, stride, dilation: Int
        var padding: [Int]
        var signed, swish: Bool
        var description: String {
            "\(channels)ch \(height)x\(width) k\(kernel) s\(stride) d\(dilation) pad \(padding) \(signed ? "s8" : "u8")\(swish ? " swish" : "")"
        }
    }

    static let cases: [Case] = [
        Case(channels: 32, height: 17, width: 13, kernel: 3, stride: 1, dilation: 1, padding: [1, 1, 1, 1], signed: true, swish: true),
        Case(channels: 48, height: 16, width: 16, kernel: 3, stride: 2, dilation: 1, padding: [0, 1, 0, 1], signed: true, swish: true),
        Case(channels: 40, height: 15, width: 18, kernel: 5, stride: 2, dilation: 1, padding: [1, 2, 1, 2], signed: true, swish: true),
        Case(channels: 64, height: 9, width: 11, kernel: 5, stride: 1, dilation: 2, padding: [4, 4, 4, 4], signed: true, swish: true),
        Case(channels: 37, height: 8, width: 7, kernel: 3, stride: 1, dilation: 2, padding: [2, 2, 2, 2], signed: true, swish: false),
        Case(channels: 304, height: 12, width: 10, kernel: 3, stride: 1, dilation: 1, padding: [1, 1, 1, 1], signed: false, swish: false),
        Case(channels: 21, height: 6, width: 5, kernel: 5, stride: 1, dilation: 1, padding: [2, 2, 2, 2], signed: false, swish: true),
    ]

    /// A deterministic pseudo-random generator (SplitMix64).
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func layer(_ c: Case, using generator: inout Generator) -> Int8Depthwise.Layer {
        let weights = (0..<(c.channels * c.kernel * c.kernel)).map { _ in Int8(Int.random(in: -127...127, using: &generator)) }
        // Scales so that outputs spread over the whole s8 range, saturating at both ends for some channels.
        let scales = (0..<c.channels).map { _ in Float.random(in: 2e-4...3e-3, using: &generator) }
        let multipliers = (0..<c.channels).map { _ in c.swish ? Float.random(in: 4...90, using: &generator) : 1 }
        let bias = (0..<c.channels).map { _ in Float.random(in: -3000...3000, using: &generator) }
        return Int8Depthwise.Layer(weights: weights, channels: c.channels, kernel: c.kernel, stride: c.stride, dilation: c.dilation,
                                   padding: c.padding, swish: c.swish, bias: bias, scales: scales, multipliers: multipliers)
    }

    static func input(_ c: Case, using generator: inout Generator) -> [UInt8] {
        (0..<(c.height * c.width * c.channels)).map { _ in
            c.signed ? UInt8(bitPattern: Int8(truncatingIfNeeded: Int.random(in: -128...127, using: &generator))) : UInt8.random(in: 0...255, using: &generator)
        }
    }

    static func run(_ layer: Int8Depthwise.Layer, _ kernel: Int8Depthwise.Kernel, _ c: Case, input: [UInt8], threads: Int = 2) -> [Int8] {
        let (oh, ow) = layer.outputSize(height: c.height, width: c.width)
        var output = [Int8](repeating: 99, count: oh * ow * c.channels)
        input.withUnsafeBytes { source in
            output.withUnsafeMutableBufferPointer { destination in
                layer.run(kernel, source: source.baseAddress!, signed: c.signed, height: c.height, width: c.width, outputHeight: oh,
                          outputWidth: ow, destination: destination.baseAddress!, threads: threads)
            }
        }
        return output
    }

    /// The semantics in plain Swift: exact integer sums, then the requantisation's float steps in the stated order.
    static func plain(_ layer: Int8Depthwise.Layer, _ c: Case, input: [UInt8]) -> [Int8] {
        let (oh, ow) = layer.outputSize(height: c.height, width: c.width)
        var output = [Int8](repeating: 0, count: oh * ow * c.channels)
        for oy in 0..<oh {
            for ox in 0..<ow {
                for ch in 0..<c.channels {
                    var sum: Int32 = 0
                    for ky in 0..<c.kernel {
                        for kx in 0..<c.kernel {
                            let sy = oy * c.stride - c.padding[2] + ky * c.dilation, sx = ox * c.stride - c.padding[0] + kx * c.dilation
                            guard sy >= 0, sy < c.height, sx >= 0, sx < c.width else { continue }
                            let byte = input[(sy * c.width + sx) * c.channels + ch]
                            let value = c.signed ? Int32(Int8(bitPattern: byte)) : Int32(byte)
                            sum += value * Int32(layer.weights[(ch * c.kernel + ky) * c.kernel + kx])
                        }
                    }
                    var x = Float(sum)
                    x = x + layer.bias[ch]
                    x = x * layer.scales[ch]
                    if c.swish { x = x / (1 + tessera_kernels_exp(-x)) }
                    x = x * layer.multipliers[ch]
                    x = min(max(x, -128), 127)
                    output[(oy * ow + ox) * c.channels + ch] = Int8(x.rounded(.toNearestOrEven))
                }
            }
        }
        return output
    }

    @Test func referenceStatesTheSemantics() {
        var generator = Generator(state: 29)
        for c in Self.cases {
            let layer = Self.layer(c, using: &generator), input = Self.input(c, using: &generator)
            let reference = Self.run(layer, .reference, c, input: input)
            #expect(reference == Self.plain(layer, c, input: input), "\(c)")
            // The test data reach both ends of the s8 range and many values between.
            #expect(Set(reference).count > 100 || c.channels * c.height * c.width < 2000, "\(c): \(Set(reference).count) distinct outputs")
        }
    }

    @Test func everyOfferedKernelEqualsTheReference() {
        let kernels = Int8Depthwise.available
        print("int8 depthwise kernels on this CPU: \(kernels.map(\.rawValue))")
        // AVX2 + FMA is on every x86-64 machine kind CI runs on (AVX2-only EPYCs, AVX-512 Xeons).
        #if arch(x86_64)
        #expect(kernels.contains(.avx2))
        #endif
        var generator = Generator(state: 2026)
        for c in Self.cases {
            let layer = Self.layer(c, using: &generator), input = Self.input(c, using: &generator)
            let reference = Self.run(layer, .reference, c, input: input, threads: 1)
            for kernel in kernels where kernel != .reference {
                for threads in [1, 2] {
                    let output = Self.run(layer, kernel, c, input: input, threads: threads)
                    let differing = zip(output, reference).filter { $0 != $1 }.count
                    #expect(differing == 0, "\(kernel) on \(c), \(threads) threads: \(differing) of \(output.count) outputs differ")
                }
            }
        }
    }

    @Test func expMatchesLibm() {
        for x in stride(from: Float(-87), through: 88, by: 0.173) {
            let relative = abs(tessera_kernels_exp(x) - Foundation.exp(x)) / Foundation.exp(x)
            #expect(relative < 4e-7, "exp(\(x)): relative error \(relative)")
        }
    }
}
