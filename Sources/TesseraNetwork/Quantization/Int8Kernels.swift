import Foundation

// Tessera's kernels on int8 activations in oneDNN's nhwc layout (channels contiguous per pixel), for the steps between
// int8 convolutions: the input quantisation, squeeze-excitation, the ASPP's large-dilation depthwise convolution, its
// image pooling, and the decoder's upsampling into the fusion concatenation. 16 channels per SIMD vector; channel
// counts here are multiples of 8, so a tail of 8 is handled with SIMD8.

typealias Bytes16 = SIMD16<Int8>
typealias Floats16 = SIMD16<Float>

@inline(__always) private func load16(_ p: UnsafeRawPointer) -> Floats16 {
    Floats16(SIMD16<Int32>(truncatingIfNeeded: p.loadUnaligned(as: Bytes16.self)))
}

@inline(__always) private func load16u(_ p: UnsafeRawPointer) -> Floats16 {
    Floats16(SIMD16<Int32>(truncatingIfNeeded: p.loadUnaligned(as: SIMD16<UInt8>.self)))
}

/// Rounds to nearest and saturates to [low, high], then narrows to bytes (the bit pattern serves s8 and u8 alike).
@inline(__always) private func narrow16(_ v: Floats16, low: Float, high: Float) -> Bytes16 {
    let clamped = v.rounded(.toNearestOrEven).clamped(lowerBound: Floats16(repeating: low), upperBound: Floats16(repeating: high))
    return Bytes16(truncatingIfNeeded: SIMD16<Int32>(clamped))
}

@inline(__always) private func narrow(_ v: Float, low: Float, high: Float) -> Int8 {
    Int8(truncatingIfNeeded: Int32(min(max(v.rounded(.toNearestOrEven), low), high)))
}

/// Sums of each channel over all pixels of an s8 nhwc tensor (one image).
func channelSums(_ source: UnsafePointer<Int8>, pixels: Int, channels: Int, into sums: UnsafeMutablePointer<Int32>, threads: Int) {
    let parts = max(1, min(threads, pixels / 64))
    let partial = UnsafeMutablePointer<Int32>.allocate(capacity: parts * channels)
    partial.initialize(repeating: 0, count: parts * channels)
    defer { partial.deallocate() }
    let vectors = channels / 16
    parallelFor(parts, threads: threads) { range in
        for part in range {
            let acc = partial + part * channels
            let accRaw = UnsafeMutableRawPointer(acc)
            for p in (pixels * part / parts)..<(pixels * (part + 1) / parts) {
                let row = UnsafeRawPointer(source + p * channels)
                for v in 0..<vectors {
                    let x = SIMD16<Int32>(truncatingIfNeeded: row.loadUnaligned(fromByteOffset: v * 16, as: Bytes16.self))
                    let sum = accRaw.loadUnaligned(fromByteOffset: v * 64, as: SIMD16<Int32>.self) &+ x
                    accRaw.storeBytes(of: sum, toByteOffset: v * 64, as: SIMD16<Int32>.self)
                }
                for c in (vectors * 16)..<channels { acc[c] &+= Int32(source[p * channels + c]) }
            }
        }
    }
    for c in 0..<channels {
        var total: Int32 = 0
        for part in 0..<parts { total &+= partial[part * channels + c] }
        sums[c] = total
    }
}

/// In place: q = saturate(round(q * multipliers[channel])) on an s8 nhwc tensor (squeeze-excitation's channel gate
/// folded with the requantisation to the gated tensor's scale).
func scaleChannelsInt8(_ tensor: UnsafeMutablePointer<Int8>, pixels: Int, channels: Int, multipliers: UnsafePointer<Float>, threads: Int) {
    let vectors = channels / 16
    parallelFor(pixels, threads: threads) { range in
        let m = UnsafeRawPointer(multipliers)
        for p in range {
            let row = UnsafeMutableRawPointer(tensor + p * channels)
            for v in 0..<vectors {
                let x = load16(row + v * 16) * m.loadUnaligned(fromByteOffset: v * 64, as: Floats16.self)
                row.storeBytes(of: narrow16(x, low: -127, high: 127), toByteOffset: v * 16, as: Bytes16.self)
            }
            for c in (vectors * 16)..<channels {
                tensor[p * channels + c] = narrow(Float(tensor[p * channels + c]) * multipliers[c], low: -127, high: 127)
            }
        }
    }
}

/// ASPP's depthwise 3x3 with a large dilation and "same" padding on s8 nhwc, exact like `dilatedDepthwise3x3`: taps in
/// the padding are skipped. `weights`: 9 taps x channels, already multiplied by input scale / output scale.
func dilatedDepthwise3x3Int8(_ source: UnsafePointer<Int8>, _ destination: UnsafeMutablePointer<Int8>, channels: Int, height: Int,
                             width: Int, dilation: Int, weights: UnsafePointer<Float>, threads: Int) {
    let vectors = channels / 16
    precondition(vectors * 16 == channels, "channels \(channels) must be a multiple of 16")
    parallelFor(height, threads: threads) { range in
        var acc = [Floats16](repeating: Floats16(), count: vectors)
        let w = UnsafeRawPointer(weights)
        for y in range {
            for x in 0..<width {
                for v in 0..<vectors { acc[v] = Floats16() }
                for ky in 0..<3 {
                    let sy = y + (ky - 1) * dilation
                    guard sy >= 0, sy < height else { continue }
                    for kx in 0..<3 {
                        let sx = x + (kx - 1) * dilation
                        guard sx >= 0, sx < width else { continue }
                        let input = UnsafeRawPointer(source + (sy * width + sx) * channels)
                        let tap = (ky * 3 + kx) * channels * 4
                        for v in 0..<vectors {
                            acc[v] += load16(input + v * 16) * w.loadUnaligned(fromByteOffset: tap + v * 64, as: Floats16.self)
                        }
                    }
                }
                let output = UnsafeMutableRawPointer(destination + (y * width + x) * channels)
                for v in 0..<vectors { output.storeBytes(of: narrow16(acc[v], low: -127, high: 127), toByteOffset: v * 16, as: Bytes16.self) }
            }
        }
    }
}

/// An f32 nhwc tensor (non-negative: after ReLU) to u8 in 7 bits: q = min(round(x / scale), 127).
func quantizeToUInt8(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<UInt8>, count: Int, scale: Float, threads: Int) {
    let inverse = 1 / scale
    parallelFor(count / 16, threads: threads) { range in
        for i in range {
            let v = UnsafeRawPointer(source + i * 16).loadUnaligned(as: Floats16.self) * inverse
            UnsafeMutableRawPointer(destination + i * 16).storeBytes(of: narrow16(v, low: 0, high: 127), as: Bytes16.self)
        }
    }
    for i in (count / 16 * 16)..<count { destination[i] = UInt8(bitPattern: narrow(source[i] * inverse, low: 0, high: 127)) }
}

/// Bilinear x4 (align_corners) of a u8 nhwc tensor into channels 0..<C of a wider u8 nhwc tensor (same scale), and a
/// copy of `appended` (u8 nhwc at the output size) into the channels after: the fusion's concatenation, built once.
func upsampleAndConcatenate(_ source: UnsafePointer<UInt8>, channels: Int, inputHeight: Int, inputWidth: Int,
                            appended: UnsafePointer<UInt8>, appendedChannels: Int,
                            into destination: UnsafeMutablePointer<UInt8>, outputHeight: Int, outputWidth: Int,
                            rows: LinearTaps, columns: LinearTaps, threads: Int) {
    let vectors = channels / 16, total = channels + appendedChannels
    precondition(vectors * 16 == channels, "channels \(channels) must be a multiple of 16")
    parallelFor(outputHeight, threads: threads) { range in
        for oy in range {
            let row0 = UnsafeRawPointer(source + Int(rows.first[oy]) * inputWidth * channels)
            let row1 = UnsafeRawPointer(source + Int(rows.second[oy]) * inputWidth * channels)
            let h0 = rows.weightFirst[oy], h1 = rows.weightSecond[oy]
            for ox in 0..<outputWidth {
                let x0 = Int(columns.first[ox]) * channels, x1 = Int(columns.second[ox]) * channels
                let w00 = Floats16(repeating: h0 * columns.weightFirst[ox]), w01 = Floats16(repeating: h0 * columns.weightSecond[ox])
                let w10 = Floats16(repeating: h1 * columns.weightFirst[ox]), w11 = Floats16(repeating: h1 * columns.weightSecond[ox])
                let output = UnsafeMutableRawPointer(destination + (oy * outputWidth + ox) * total)
                for v in 0..<vectors {
                    let o = v * 16
                    let value = w00 * load16u(row0 + x0 + o) + w01 * load16u(row0 + x1 + o) + w10 * load16u(row1 + x0 + o) + w11 * load16u(row1 + x1 + o)
                    output.storeBytes(of: narrow16(value, low: 0, high: 255), toByteOffset: o, as: Bytes16.self)
                }
                (output + channels).copyMemory(from: appended + (oy * outputWidth + ox) * appendedChannels, byteCount: appendedChannels)
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
