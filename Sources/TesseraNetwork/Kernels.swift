import Foundation

// Tessera's own kernels for the few operations oneDNN 2.6 does not do well here. All work on the blocked nChw8c
// layout (N, C/8, H, W, 8 channels) that the convolutions use, so no layout conversion happens between layers.

typealias Lanes = SIMD8<Float>

@inline(__always) func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

/// Mean over H x W of each (image, channel) of a blocked tensor: means[(n * blocks + b) * 8 + lane].
func globalAveragePool(_ source: UnsafePointer<Float>, batch: Int, channelBlocks: Int, planeSize: Int,
                       into means: UnsafeMutablePointer<Float>, threads: Int) {
    parallelFor(batch * channelBlocks, threads: threads) { range in
        for chunk in range {
            let base = UnsafeRawPointer(source + chunk * planeSize * 8)
            var a = Lanes(), b = Lanes()
            var i = 0
            while i + 1 < planeSize {
                a += base.loadUnaligned(fromByteOffset: i * 32, as: Lanes.self)
                b += base.loadUnaligned(fromByteOffset: (i + 1) * 32, as: Lanes.self)
                i += 2
            }
            if i < planeSize { a += base.loadUnaligned(fromByteOffset: i * 32, as: Lanes.self) }
            let mean = (a + b) / Float(planeSize)
            UnsafeMutableRawPointer(means + chunk * 8).storeBytes(of: mean, as: Lanes.self)
        }
    }
}

/// Multiplies every (image, channel) plane of a blocked tensor by gates[(n * blocks + b) * 8 + lane], in place.
func scaleChannels(_ tensor: UnsafeMutablePointer<Float>, batch: Int, channelBlocks: Int, planeSize: Int,
                   gates: UnsafePointer<Float>, threads: Int) {
    parallelFor(batch * channelBlocks, threads: threads) { range in
        for chunk in range {
            let gate = UnsafeRawPointer(gates + chunk * 8).loadUnaligned(as: Lanes.self)
            let base = UnsafeMutableRawPointer(tensor + chunk * planeSize * 8)
            for i in 0..<planeSize {
                let v = base.loadUnaligned(fromByteOffset: i * 32, as: Lanes.self)
                base.storeBytes(of: v * gate, toByteOffset: i * 32, as: Lanes.self)
            }
        }
    }
}

/// Depthwise 3x3 convolution with a large dilation and "same" padding (= dilation), exact: taps that fall in the
/// padding contribute zero and are skipped, so at dilations near the feature size most of the kernel is cropped.
/// `packedWeights`: per channel block, 9 taps of 8 lanes.
func dilatedDepthwise3x3(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, batch: Int,
                         channelBlocks: Int, height: Int, width: Int, dilation: Int, packedWeights: UnsafePointer<Float>,
                         threads: Int) {
    let plane = height * width
    parallelFor(batch * channelBlocks, threads: threads) { range in
        for chunk in range {
            let block = chunk % channelBlocks
            let input = UnsafeRawPointer(source + chunk * plane * 8)
            let output = UnsafeMutableRawPointer(destination + chunk * plane * 8)
            output.initializeMemory(as: Float.self, repeating: 0, count: plane * 8)
            for ky in 0..<3 {
                let dy = (ky - 1) * dilation
                let y0 = max(0, -dy), y1 = min(height, height - dy)
                guard y0 < y1 else { continue }
                for kx in 0..<3 {
                    let dx = (kx - 1) * dilation
                    let x0 = max(0, -dx), x1 = min(width, width - dx)
                    guard x0 < x1 else { continue }
                    let w = UnsafeRawPointer(packedWeights + (block * 9 + ky * 3 + kx) * 8).loadUnaligned(as: Lanes.self)
                    for y in y0..<y1 {
                        let outRow = output + (y * width) * 32
                        let inRow = input + ((y + dy) * width + dx) * 32
                        for x in x0..<x1 {
                            let acc = outRow.loadUnaligned(fromByteOffset: x * 32, as: Lanes.self)
                            let v = inRow.loadUnaligned(fromByteOffset: x * 32, as: Lanes.self)
                            outRow.storeBytes(of: acc + w * v, toByteOffset: x * 32, as: Lanes.self)
                        }
                    }
                }
            }
        }
    }
}

/// Source indices and weights of bilinear interpolation with align_corners=True, as PyTorch computes them
/// (float scale (in-1)/(out-1), index clamped, the second index not past the edge).
struct LinearTaps {
    var first: [Int32]
    var second: [Int32]
    var weightFirst: [Float]
    var weightSecond: [Float]

    init(input: Int, output: Int) {
        let scale: Float = output > 1 ? Float(input - 1) / Float(output - 1) : 0
        first = []; second = []; weightFirst = []; weightSecond = []
        for i in 0..<output {
            let real = scale * Float(i)
            let index = min(Int(real.rounded(.down)), input - 1)
            let lambda = min(max(real - Float(index), 0), 1)
            first.append(Int32(index))
            second.append(Int32(index + (index < input - 1 ? 1 : 0)))
            weightFirst.append(1 - lambda)
            weightSecond.append(lambda)
        }
    }
}

/// Bilinear upsampling (align_corners=True) from one blocked tensor to another.
func upsampleBlocked(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, batch: Int,
                     channelBlocks: Int, inputHeight: Int, inputWidth: Int, outputHeight: Int, outputWidth: Int,
                     rows: LinearTaps, columns: LinearTaps, threads: Int) {
    parallelFor(batch * channelBlocks * outputHeight, threads: threads) { range in
        for job in range {
            let chunk = job / outputHeight, oy = job % outputHeight
            let input = UnsafeRawPointer(source + chunk * inputHeight * inputWidth * 8)
            let output = UnsafeMutableRawPointer(destination + (chunk * outputHeight + oy) * outputWidth * 8)
            let row0 = input + Int(rows.first[oy]) * inputWidth * 32, row1 = input + Int(rows.second[oy]) * inputWidth * 32
            let h0 = Lanes(repeating: rows.weightFirst[oy]), h1 = Lanes(repeating: rows.weightSecond[oy])
            for ox in 0..<outputWidth {
                let x0 = Int(columns.first[ox]) * 32, x1 = Int(columns.second[ox]) * 32
                let w0 = Lanes(repeating: columns.weightFirst[ox]), w1 = Lanes(repeating: columns.weightSecond[ox])
                let top = w0 * row0.loadUnaligned(fromByteOffset: x0, as: Lanes.self) + w1 * row0.loadUnaligned(fromByteOffset: x1, as: Lanes.self)
                let bottom = w0 * row1.loadUnaligned(fromByteOffset: x0, as: Lanes.self) + w1 * row1.loadUnaligned(fromByteOffset: x1, as: Lanes.self)
                output.storeBytes(of: h0 * top + h1 * bottom, toByteOffset: ox * 32, as: Lanes.self)
            }
        }
    }
}

/// Bilinear upsampling (align_corners=True) from a blocked tensor to plain N x C x H x W (the first `channels`).
func upsampleToPlain(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, batch: Int, channels: Int,
                     inputHeight: Int, inputWidth: Int, outputHeight: Int, outputWidth: Int,
                     rows: LinearTaps, columns: LinearTaps, threads: Int) {
    let blocks = (channels + 7) / 8
    parallelFor(batch * channels * outputHeight, threads: threads) { range in
        for job in range {
            let oy = job % outputHeight, plane = job / outputHeight
            let n = plane / channels, c = plane % channels
            let input = source + ((n * blocks + c / 8) * inputHeight * inputWidth) * 8 + c % 8
            let output = destination + (plane * outputHeight + oy) * outputWidth
            let row0 = input + Int(rows.first[oy]) * inputWidth * 8, row1 = input + Int(rows.second[oy]) * inputWidth * 8
            let h0 = rows.weightFirst[oy], h1 = rows.weightSecond[oy]
            for ox in 0..<outputWidth {
                let x0 = Int(columns.first[ox]) * 8, x1 = Int(columns.second[ox]) * 8
                let w0 = columns.weightFirst[ox], w1 = columns.weightSecond[ox]
                output[ox] = h0 * (w0 * row0[x0] + w1 * row0[x1]) + h1 * (w0 * row1[x0] + w1 * row1[x1])
            }
        }
    }
}

/// Blocked nChw8c to plain NCHW (the first `channels`).
func blockedToPlain(_ source: UnsafePointer<Float>, batch: Int, channels: Int, planeSize: Int) -> [Float] {
    let blocks = (channels + 7) / 8
    return [Float](unsafeUninitializedCapacity: batch * channels * planeSize) { out, count in
        for n in 0..<batch {
            for c in 0..<channels {
                let input = source + ((n * blocks + c / 8) * planeSize) * 8 + c % 8
                let output = out.baseAddress! + (n * channels + c) * planeSize
                for i in 0..<planeSize { output[i] = input[i * 8] }
            }
        }
        count = batch * channels * planeSize
    }
}
