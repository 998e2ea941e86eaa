import Foundation
import TesseraCore

// Tessera's kernels on int8 activations in oneDNN's nhwc layout (channels contiguous per pixel), for the steps between
// int8 convolutions: squeeze-excitation, the ASPP's large-dilation depthwise convolution, its image pooling, and the
// decoder's upsampling into the fusion concatenation.
//
// Written as plain loops over channels on unsafe pointers, which LLVM vectorises. Not with Swift's SIMD16 types: their
// Int8 <-> Float conversions and `rounded()` are generic per-element code in Swift 6.3 (and `rounded` calls libm's
// rintf on the baseline x86-64 target), which made these kernels 75x slower (35 ns per byte measured, 600 ms of a
// 256x256 tile's 800 ms).

/// Rounds to nearest and saturates to [low, high], as one byte (s8 and u8 alike): `VectorRounding.byte`.
@inline(__always) func narrow(_ value: Float, low: Float, high: Float) -> UInt8 { VectorRounding.byte(value, low: low, high: high) }

/// The mean of each channel of an s8 nhwc tensor (one image) in real values: its integer sum over all pixels times
/// scales[channel] / pixels (squeeze-excitation's and the ASPP image pooling's input). Sums run in Int16 over runs of
/// `int16Run` pixels (258 x 127 still fits) and then widen: twice as fast as Int32 sums on baseline x86-64, where
/// each vector then holds 8 lanes and the s8 widening costs less.
func channelMeans(_ source: UnsafePointer<Int8>, pixels: Int, channels: Int, scales: [Float], into means: UnsafeMutablePointer<Float>,
                  threads: Int) {
    let int16Run = 258
    let parts = max(1, min(threads, pixels / 64))
    let partial = UnsafeMutablePointer<Int32>.allocate(capacity: parts * channels)
    partial.initialize(repeating: 0, count: parts * channels)
    defer { partial.deallocate() }
    parallelFor(parts, threads: threads) { range in
        let short = UnsafeMutablePointer<Int16>.allocate(capacity: channels)
        defer { short.deallocate() }
        for part in range {
            let accumulator = partial + part * channels
            var p = pixels * part / parts
            let end = pixels * (part + 1) / parts
            while p < end {
                let runEnd = min(end, p + int16Run)
                short.initialize(repeating: 0, count: channels)
                for q in p..<runEnd {
                    let row = source + q * channels
                    for c in 0..<channels { short[c] &+= Int16(row[c]) }
                }
                for c in 0..<channels { accumulator[c] &+= Int32(short[c]) }
                p = runEnd
            }
        }
    }
    for c in 0..<channels {
        var sum: Int32 = 0
        for part in 0..<parts { sum &+= partial[part * channels + c] }
        means[c] = Float(sum) * (scales[c] / Float(pixels))
    }
}

/// ASPP's depthwise 3x3 with a large dilation and "same" padding on s8 nhwc, exact like `dilatedDepthwise3x3`: taps in
/// the padding are skipped. `weights`: 9 taps x channels, already multiplied by input scale / output scale.
func dilatedDepthwise3x3Int8(_ source: UnsafePointer<Int8>, _ destination: UnsafeMutablePointer<Int8>, channels: Int, height: Int,
                             width: Int, dilation: Int, weights: UnsafePointer<Float>, threads: Int) {
    let output = UnsafeMutableRawPointer(destination).assumingMemoryBound(to: UInt8.self)
    parallelFor(height, threads: threads) { range in
        let accumulator = UnsafeMutablePointer<Float>.allocate(capacity: channels)
        defer { accumulator.deallocate() }
        for y in range {
            for x in 0..<width {
                accumulator.initialize(repeating: 0, count: channels)
                for ky in 0..<3 {
                    let sy = y + (ky - 1) * dilation
                    guard sy >= 0, sy < height else { continue }
                    for kx in 0..<3 {
                        let sx = x + (kx - 1) * dilation
                        guard sx >= 0, sx < width else { continue }
                        let input = source + (sy * width + sx) * channels, tap = weights + (ky * 3 + kx) * channels
                        for c in 0..<channels { accumulator[c] += Float(input[c]) * tap[c] }
                    }
                }
                let row = output + (y * width + x) * channels
                for c in 0..<channels { row[c] = narrow(accumulator[c], low: -127, high: 127) }
            }
        }
    }
}

/// An f32 nhwc tensor (non-negative: after ReLU) to u8 with a scale per channel: q = min(round(x / scale), limit).
func quantizeToUInt8(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<UInt8>, pixels: Int, channels: Int,
                     inverseScales: UnsafePointer<Float>, limit: Float, threads: Int) {
    parallelFor(pixels, threads: threads) { range in
        for p in range {
            let input = source + p * channels, output = destination + p * channels
            for c in 0..<channels { output[c] = narrow(input[c] * inverseScales[c], low: 0, high: limit) }
        }
    }
}

/// Bilinear x4 (align_corners) of a u8 nhwc tensor into channels 0..<C of a wider u8 nhwc tensor (same scale), and a
/// copy of `appended` (u8 nhwc at the output size) into the channels after: the fusion's concatenation, built once.
func upsampleAndConcatenate(_ source: UnsafePointer<UInt8>, channels: Int, inputHeight: Int, inputWidth: Int,
                            appended: UnsafePointer<UInt8>, appendedChannels: Int,
                            into destination: UnsafeMutablePointer<UInt8>, outputHeight: Int, outputWidth: Int,
                            rows: LinearTaps, columns: LinearTaps, threads: Int) {
    let total = channels + appendedChannels
    parallelFor(outputHeight, threads: threads) { range in
        for oy in range {
            let row0 = source + Int(rows.first[oy]) * inputWidth * channels
            let row1 = source + Int(rows.second[oy]) * inputWidth * channels
            let h0 = rows.weightFirst[oy], h1 = rows.weightSecond[oy]
            for ox in 0..<outputWidth {
                let a = row0 + Int(columns.first[ox]) * channels, b = row0 + Int(columns.second[ox]) * channels
                let c = row1 + Int(columns.first[ox]) * channels, d = row1 + Int(columns.second[ox]) * channels
                let w00 = h0 * columns.weightFirst[ox], w01 = h0 * columns.weightSecond[ox]
                let w10 = h1 * columns.weightFirst[ox], w11 = h1 * columns.weightSecond[ox]
                let output = destination + (oy * outputWidth + ox) * total
                for k in 0..<channels {
                    let value = w00 * Float(a[k]) + w01 * Float(b[k]) + w10 * Float(c[k]) + w11 * Float(d[k])
                    output[k] = narrow(value, low: 0, high: 255)
                }
                (output + channels).update(from: appended + (oy * outputWidth + ox) * appendedChannels, count: appendedChannels)
            }
        }
    }
}

/// nhwc bytes (s8 or u8) to plain C x H x W floats times each channel's scale.
func dequantizeToPlain(_ source: UnsafeRawPointer, signed: Bool, channels: Int, pixels: Int, scales: [Float]) -> [Float] {
    [Float](unsafeUninitializedCapacity: channels * pixels) { out, count in
        for p in 0..<pixels {
            for c in 0..<channels {
                let q = signed ? Float(source.load(fromByteOffset: p * channels + c, as: Int8.self))
                               : Float(source.load(fromByteOffset: p * channels + c, as: UInt8.self))
                out[c * pixels + p] = q * scales[c]
            }
        }
        count = channels * pixels
    }
}
