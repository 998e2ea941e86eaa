import Foundation

// Tessera's own kernels for the few operations oneDNN 2.6 does not do well here. All work on the blocked layout the
// convolutions use, nChw8c (AVX2) or nChw16c (AVX-512): (N, C/block, H, W, block channels), so no layout conversion
// happens between layers. A pixel's `block` channels are `block / 8` SIMD8 vectors; a (n, channel block) "chunk" is
// one contiguous plane of H * W * block floats.

typealias Lanes = SIMD8<Float>

@inline(__always) func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

/// Mean over H x W of each (image, channel) of a blocked tensor: means[(n * blocks + b) * block + lane].
func globalAveragePool(_ source: UnsafePointer<Float>, batch: Int, channelBlocks: Int, block: Int, planeSize: Int,
                       into means: UnsafeMutablePointer<Float>, threads: Int) {
    let vectors = block / 8
    parallelFor(batch * channelBlocks * vectors, threads: threads) { range in
        for job in range {
            let chunk = job / vectors, part = job % vectors
            let base = UnsafeRawPointer(source + chunk * planeSize * block + part * 8)
            let step = block * 4
            var a = Lanes(), b = Lanes()
            var i = 0
            while i + 1 < planeSize {
                a += base.loadUnaligned(fromByteOffset: i * step, as: Lanes.self)
                b += base.loadUnaligned(fromByteOffset: (i + 1) * step, as: Lanes.self)
                i += 2
            }
            if i < planeSize { a += base.loadUnaligned(fromByteOffset: i * step, as: Lanes.self) }
            let mean = (a + b) / Float(planeSize)
            UnsafeMutableRawPointer(means + chunk * block + part * 8).storeBytes(of: mean, as: Lanes.self)
        }
    }
}

/// Squeeze-excitation gates of one image from its channel means: sigmoid(expand(swish(reduce(means)))). The two tiny
/// 1x1 convolutions (at most 2112 x 88 MACs each) are rows of dot products.
func squeezeExcitationGates(means mean: UnsafePointer<Float>, into gate: UnsafeMutablePointer<Float>, channels: Int, squeezed: Int,
                            reduce reduceWeights: [Float], reduceBias: [Float], expand expandWeights: [Float], expandBias: [Float]) {
    reduceWeights.withUnsafeBufferPointer { reduce in
        expandWeights.withUnsafeBufferPointer { expand in
            var hidden = [Float](repeating: 0, count: squeezed)
            for j in 0..<squeezed {
                let sum = dotProduct(reduce.baseAddress! + j * channels, mean, count: channels) + reduceBias[j]
                hidden[j] = sum * sigmoid(sum)
            }
            hidden.withUnsafeBufferPointer { h in
                for c in 0..<channels {
                    gate[c] = sigmoid(dotProduct(expand.baseAddress! + c * squeezed, h.baseAddress!, count: squeezed) + expandBias[c])
                }
            }
        }
    }
}

/// The dot product of two float vectors in two SIMD8 accumulators: a plain `sum += a[i] * b[i]` loop stays scalar
/// (LLVM keeps the order of float additions), one add latency per element: 4.6x slower on a 2112 x 88 FC.
@inline(__always) func dotProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    let (rawA, rawB) = (UnsafeRawPointer(a), UnsafeRawPointer(b))
    var first = Lanes(), second = Lanes()
    var i = 0
    while i + 16 <= count {
        first += rawA.loadUnaligned(fromByteOffset: 4 * i, as: Lanes.self) * rawB.loadUnaligned(fromByteOffset: 4 * i, as: Lanes.self)
        second += rawA.loadUnaligned(fromByteOffset: 4 * i + 32, as: Lanes.self) * rawB.loadUnaligned(fromByteOffset: 4 * i + 32, as: Lanes.self)
        i += 16
    }
    var sum = (first + second).sum()
    while i < count { sum += a[i] * b[i]; i += 1 }
    return sum
}

/// The ASPP image-pooling branch's share of the projection, constant over the image: projection bias +
/// projection slice x ReLU(pooling conv (BatchNorm folded) x channel means).
func imagePoolingContribution(means mean: UnsafePointer<Float>, inputs: Int, channels: Int, pooling: [Float], poolingBias: [Float],
                              projection: [Float], projectionBias: [Float]) -> [Float] {
    pooling.withUnsafeBufferPointer { pooling in
        projection.withUnsafeBufferPointer { projection in
            let pooled = (0..<channels).map { o in max(poolingBias[o] + dotProduct(pooling.baseAddress! + o * inputs, mean, count: inputs), 0) }
            return pooled.withUnsafeBufferPointer { pooled in
                (0..<channels).map { o in projectionBias[o] + dotProduct(projection.baseAddress! + o * channels, pooled.baseAddress!, count: channels) }
            }
        }
    }
}

/// Multiplies every (image, channel) plane of a blocked tensor by gates[(n * blocks + b) * block + lane], in place.
func scaleChannels(_ tensor: UnsafeMutablePointer<Float>, batch: Int, channelBlocks: Int, block: Int, planeSize: Int,
                   gates: UnsafePointer<Float>, threads: Int) {
    let vectors = block / 8
    parallelFor(batch * channelBlocks, threads: threads) { range in
        for chunk in range {
            let base = UnsafeMutableRawPointer(tensor + chunk * planeSize * block)
            if vectors == 1 {
                let gate = UnsafeRawPointer(gates + chunk * 8).loadUnaligned(as: Lanes.self)
                for i in 0..<planeSize {
                    let v = base.loadUnaligned(fromByteOffset: i * 32, as: Lanes.self)
                    base.storeBytes(of: v * gate, toByteOffset: i * 32, as: Lanes.self)
                }
            } else {
                let low = UnsafeRawPointer(gates + chunk * 16).loadUnaligned(as: Lanes.self)
                let high = UnsafeRawPointer(gates + chunk * 16 + 8).loadUnaligned(as: Lanes.self)
                for i in 0..<planeSize {
                    let a = base.loadUnaligned(fromByteOffset: i * 64, as: Lanes.self)
                    let b = base.loadUnaligned(fromByteOffset: i * 64 + 32, as: Lanes.self)
                    base.storeBytes(of: a * low, toByteOffset: i * 64, as: Lanes.self)
                    base.storeBytes(of: b * high, toByteOffset: i * 64 + 32, as: Lanes.self)
                }
            }
        }
    }
}

/// Depthwise 3x3 convolution with a large dilation and "same" padding (= dilation), exact: taps that fall in the
/// padding contribute zero and are skipped, so at dilations near the feature size most of the kernel is cropped.
/// `packedWeights`: per channel block, 9 taps of `block` lanes.
func dilatedDepthwise3x3(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, batch: Int,
                         channelBlocks: Int, block: Int, height: Int, width: Int, dilation: Int,
                         packedWeights: UnsafePointer<Float>, threads: Int) {
    let plane = height * width, vectors = block / 8, step = block * 4
    parallelFor(batch * channelBlocks * vectors, threads: threads) { range in
        for job in range {
            let chunk = job / vectors, part = job % vectors
            let channelBlock = chunk % channelBlocks
            let input = UnsafeRawPointer(source + chunk * plane * block + part * 8)
            let output = UnsafeMutableRawPointer(destination + chunk * plane * block + part * 8)
            for i in 0..<plane { output.storeBytes(of: Lanes(), toByteOffset: i * step, as: Lanes.self) }
            for ky in 0..<3 {
                let dy = (ky - 1) * dilation
                let y0 = max(0, -dy), y1 = min(height, height - dy)
                guard y0 < y1 else { continue }
                for kx in 0..<3 {
                    let dx = (kx - 1) * dilation
                    let x0 = max(0, -dx), x1 = min(width, width - dx)
                    guard x0 < x1 else { continue }
                    let w = UnsafeRawPointer(packedWeights + (channelBlock * 9 + ky * 3 + kx) * block + part * 8).loadUnaligned(as: Lanes.self)
                    for y in y0..<y1 {
                        let outRow = output + (y * width) * step
                        let inRow = input + ((y + dy) * width + dx) * step
                        for x in x0..<x1 {
                            let acc = outRow.loadUnaligned(fromByteOffset: x * step, as: Lanes.self)
                            let v = inRow.loadUnaligned(fromByteOffset: x * step, as: Lanes.self)
                            outRow.storeBytes(of: acc + w * v, toByteOffset: x * step, as: Lanes.self)
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
                     channelBlocks: Int, block: Int, inputHeight: Int, inputWidth: Int, outputHeight: Int, outputWidth: Int,
                     rows: LinearTaps, columns: LinearTaps, threads: Int) {
    let vectors = block / 8, step = block * 4
    parallelFor(batch * channelBlocks * outputHeight, threads: threads) { range in
        for job in range {
            let chunk = job / outputHeight, oy = job % outputHeight
            let input = UnsafeRawPointer(source + chunk * inputHeight * inputWidth * block)
            let output = UnsafeMutableRawPointer(destination + (chunk * outputHeight + oy) * outputWidth * block)
            let row0 = input + Int(rows.first[oy]) * inputWidth * step, row1 = input + Int(rows.second[oy]) * inputWidth * step
            let h0 = Lanes(repeating: rows.weightFirst[oy]), h1 = Lanes(repeating: rows.weightSecond[oy])
            for ox in 0..<outputWidth {
                let w0 = Lanes(repeating: columns.weightFirst[ox]), w1 = Lanes(repeating: columns.weightSecond[ox])
                for part in 0..<vectors {
                    let x0 = Int(columns.first[ox]) * step + part * 32, x1 = Int(columns.second[ox]) * step + part * 32
                    let top = w0 * row0.loadUnaligned(fromByteOffset: x0, as: Lanes.self) + w1 * row0.loadUnaligned(fromByteOffset: x1, as: Lanes.self)
                    let bottom = w0 * row1.loadUnaligned(fromByteOffset: x0, as: Lanes.self) + w1 * row1.loadUnaligned(fromByteOffset: x1, as: Lanes.self)
                    output.storeBytes(of: h0 * top + h1 * bottom, toByteOffset: ox * step + part * 32, as: Lanes.self)
                }
            }
        }
    }
}

/// Bilinear upsampling (align_corners=True) from a blocked tensor to plain N x C x H x W (the first `channels`).
func upsampleToPlain(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, batch: Int, channels: Int,
                     block: Int, inputHeight: Int, inputWidth: Int, outputHeight: Int, outputWidth: Int,
                     rows: LinearTaps, columns: LinearTaps, threads: Int) {
    let blocks = (channels + block - 1) / block
    parallelFor(batch * channels * outputHeight, threads: threads) { range in
        for job in range {
            let oy = job % outputHeight, plane = job / outputHeight
            let n = plane / channels, c = plane % channels
            let input = source + ((n * blocks + c / block) * inputHeight * inputWidth) * block + c % block
            let output = destination + (plane * outputHeight + oy) * outputWidth
            let row0 = input + Int(rows.first[oy]) * inputWidth * block, row1 = input + Int(rows.second[oy]) * inputWidth * block
            let h0 = rows.weightFirst[oy], h1 = rows.weightSecond[oy]
            for ox in 0..<outputWidth {
                let x0 = Int(columns.first[ox]) * block, x1 = Int(columns.second[ox]) * block
                let w0 = columns.weightFirst[ox], w1 = columns.weightSecond[ox]
                output[ox] = h0 * (w0 * row0[x0] + w1 * row0[x1]) + h1 * (w0 * row1[x0] + w1 * row1[x1])
            }
        }
    }
}

/// Blocked to plain NCHW (the first `channels`).
func blockedToPlain(_ source: UnsafePointer<Float>, batch: Int, channels: Int, block: Int, planeSize: Int) -> [Float] {
    let blocks = (channels + block - 1) / block
    return [Float](unsafeUninitializedCapacity: batch * channels * planeSize) { out, count in
        for n in 0..<batch {
            for c in 0..<channels {
                let input = source + ((n * blocks + c / block) * planeSize) * block + c % block
                let output = out.baseAddress! + (n * channels + c) * planeSize
                for i in 0..<planeSize { output[i] = input[i * block] }
            }
        }
        count = batch * channels * planeSize
    }
}
