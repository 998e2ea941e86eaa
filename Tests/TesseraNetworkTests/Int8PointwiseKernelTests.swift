import CTesseraKernels
import Foundation
import Testing
@testable import TesseraNetwork

/// Tessera's int8 1x1 kernel: the scalar reference against a plain Swift statement of the semantics, and every kernel
/// this CPU offers against the reference, to the last bit, on the encoder's shapes and their edges (pixel counts that
/// are not a multiple of the register block, odd input channel counts, output counts with 8- and sub-8 tails, the
/// residual sum, swish, ReLU to u8 (7 and 8 bits) or none, u8 and s8 inputs).
struct Int8PointwiseKernelTests {
    typealias Generator = Int8KernelTests.Generator

    struct Case: CustomStringConvertible {
        var pixels, inputs, outputs: Int
        var signed, swish, residual: Bool
        var relu = false
        /// A u8 output's largest value (ReLU), nil for s8.
        var unsignedLimit: Float?
        var description: String {
            "\(pixels)px \(inputs)->\(outputs) \(signed ? "s8" : "u8")\(swish ? " swish" : "")\(relu ? " relu" : "")"
                + "\(residual ? " residual" : "")\(unsignedLimit.map { " to u8 <= \($0)" } ?? "")"
        }
    }

    static let cases: [Case] = [
        Case(pixels: 37, inputs: 16, outputs: 96, signed: true, swish: true, residual: false),     // an expand
        Case(pixels: 64, inputs: 144, outputs: 24, signed: true, swish: false, residual: true),    // a project with its skip
        Case(pixels: 13, inputs: 352, outputs: 2112, signed: true, swish: true, residual: false),
        Case(pixels: 29, inputs: 2112, outputs: 352, signed: true, swish: false, residual: true),
        Case(pixels: 41, inputs: 17, outputs: 20, signed: false, swish: true, residual: false),    // odd inputs, 16 + 4 outputs
        Case(pixels: 7, inputs: 33, outputs: 9, signed: true, swish: false, residual: true),
        Case(pixels: 3, inputs: 5, outputs: 3, signed: false, swish: false, residual: true),
        Case(pixels: 50, inputs: 88, outputs: 88, signed: false, swish: true, residual: true),
        Case(pixels: 1, inputs: 120, outputs: 720, signed: true, swish: true, residual: false),
        Case(pixels: 53, inputs: 304, outputs: 256, signed: true, swish: false, residual: false, relu: true, unsignedLimit: 127),  // the fusion
        Case(pixels: 19, inputs: 33, outputs: 20, signed: false, swish: false, residual: false, relu: true, unsignedLimit: 255),
    ]

    static func layer(_ c: Case, using generator: inout Generator) -> Int8Pointwise.Layer {
        let weights = (0..<(c.inputs * c.outputs)).map { _ in Int8(Int.random(in: -127...127, using: &generator)) }
        // Scales so that outputs spread over the whole s8 range (sums grow with the input count), saturating at both ends.
        let spread = 30 / Float(c.inputs)
        let scales = (0..<c.outputs).map { _ in Float.random(in: 2e-4...3e-3, using: &generator) * spread }
        let multipliers = (0..<c.outputs).map { _ in c.swish || c.relu ? Float.random(in: 4...90, using: &generator) : 1 }
        let bias = (0..<c.outputs).map { _ in Float.random(in: -3000...3000, using: &generator) }
        return Int8Pointwise.Layer(weights: weights, inputs: c.inputs, outputs: c.outputs, activation: c.swish ? .swish : c.relu ? .relu : nil,
                                   residualScale: c.residual ? Float.random(in: 0.3...2, using: &generator) : nil, unsignedLimit: c.unsignedLimit,
                                   bias: bias, scales: scales, multipliers: multipliers)
    }

    static func bytes(_ count: Int, using generator: inout Generator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Runs `kernel` on `input` with the destination starting as `residual` (pixels x outputs); s8 or u8 bit patterns.
    static func run(_ layer: Int8Pointwise.Layer, _ kernel: Int8Pointwise.Kernel, _ c: Case, input: [UInt8], residual: [UInt8], threads: Int) -> [UInt8] {
        var output = residual
        input.withUnsafeBytes { source in
            output.withUnsafeMutableBufferPointer { destination in
                layer.run(kernel, source: source.baseAddress!, signed: c.signed, pixels: c.pixels, destination: UnsafeMutableRawPointer(destination.baseAddress!),
                          threads: threads)
            }
        }
        return output
    }

    /// The semantics in plain Swift: exact integer sums, then the requantisation's float steps in the stated order.
    static func plain(_ layer: Int8Pointwise.Layer, _ c: Case, input: [UInt8], residual: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: c.pixels * c.outputs)
        for pixel in 0..<c.pixels {
            for o in 0..<c.outputs {
                var sum: Int32 = 0
                for k in 0..<c.inputs {
                    let byte = input[pixel * c.inputs + k]
                    sum += (c.signed ? Int32(Int8(bitPattern: byte)) : Int32(byte)) * Int32(layer.weights[o * c.inputs + k])
                }
                var x = Float(sum)
                x = x + layer.bias[o]
                x = x * layer.scales[o]
                if let residualScale = layer.residualScale {
                    let old = residual[pixel * c.outputs + o]
                    x = x.addingProduct(c.unsignedLimit == nil ? Float(Int8(bitPattern: old)) : Float(old), residualScale)  // fused, as fmaf
                }
                if c.relu { x = max(x, 0) }
                if c.swish { x = x / (1 + tessera_kernels_exp(-x)) }
                x = x * layer.multipliers[o]
                if let limit = c.unsignedLimit {
                    output[pixel * c.outputs + o] = UInt8(min(max(x, 0), limit).rounded(.toNearestOrEven))
                } else {
                    output[pixel * c.outputs + o] = UInt8(bitPattern: Int8(min(max(x, -128), 127).rounded(.toNearestOrEven)))
                }
            }
        }
        return output
    }

    @Test func referenceStatesTheSemantics() {
        var generator = Generator(state: 1129)
        for c in Self.cases {
            let layer = Self.layer(c, using: &generator)
            let input = Self.bytes(c.pixels * c.inputs, using: &generator), residual = Self.bytes(c.pixels * c.outputs, using: &generator)
            let reference = Self.run(layer, .reference, c, input: input, residual: residual, threads: 1)
            let plain = Self.plain(layer, c, input: input, residual: residual)
            let differing = zip(reference, plain).filter { $0 != $1 }.count
            #expect(differing == 0, "\(c): \(differing) outputs differ from the plain statement")
            #expect(Set(reference).count > 50 || c.pixels * c.outputs < 2000, "\(c): \(Set(reference).count) distinct outputs")
        }
    }

    @Test func everyOfferedKernelEqualsTheReference() {
        let kernels = Int8Pointwise.available
        print("int8 1x1 kernels on this CPU: \(kernels.map(\.rawValue))")
        #if arch(x86_64)
        #expect(kernels.contains(.avx2))
        #endif
        var generator = Generator(state: 2029)
        for c in Self.cases {
            let layer = Self.layer(c, using: &generator)
            let input = Self.bytes(c.pixels * c.inputs, using: &generator), residual = Self.bytes(c.pixels * c.outputs, using: &generator)
            let reference = Self.run(layer, .reference, c, input: input, residual: residual, threads: 1)
            for kernel in kernels where kernel != .reference {
                for threads in [1, 2] {
                    let output = Self.run(layer, kernel, c, input: input, residual: residual, threads: threads)
                    let differing = zip(output, reference).filter { $0 != $1 }.count
                    #expect(differing == 0, "\(kernel) on \(c), \(threads) threads: \(differing) of \(output.count) outputs differ")
                }
            }
        }
    }
}
