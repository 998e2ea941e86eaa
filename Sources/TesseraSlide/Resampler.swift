import TesseraCore

/// Separable resampling with a triangle filter widened by the scale factor when shrinking (so every source pixel
/// contributes: no aliasing) and plain bilinear interpolation when enlarging.
enum Resampler {
    /// Resamples the source rectangle that starts at (`originX`, `originY`) in `source` pixels and measures
    /// `sourceWidth` x `sourceHeight` (fractional) to `outputWidth` x `outputHeight`. Samples beyond `source` repeat
    /// its edge; callers read a margin so that does not happen inside the slide.
    static func resample(_ source: RGBImage, originX: Double, originY: Double, sourceWidth: Double,
                         sourceHeight: Double, outputWidth: Int, outputHeight: Int) -> RGBImage {
        let horizontal = weights(outputCount: outputWidth, origin: originX, span: sourceWidth, sourceCount: source.width)
        let vertical = weights(outputCount: outputHeight, origin: originY, span: sourceHeight,
                               sourceCount: source.height)

        // Horizontal pass over only the source rows the vertical pass needs.
        let firstRow = vertical.map(\.first).min() ?? 0
        let lastRow = vertical.map { $0.first + $0.weights.count }.max() ?? 0
        let rows = lastRow - firstRow
        var intermediate = [Float](repeating: 0, count: rows * outputWidth * 3)
        source.pixels.withUnsafeBufferPointer { pixels in
            intermediate.withUnsafeMutableBufferPointer { target in
                for row in 0..<rows {
                    let sourceRow = (firstRow + row) * source.width * 3
                    let targetRow = row * outputWidth * 3
                    for x in 0..<outputWidth {
                        let taps = horizontal[x]
                        var r: Float = 0, g: Float = 0, b: Float = 0
                        for (k, weight) in taps.weights.enumerated() {
                            let i = sourceRow + (taps.first + k) * 3
                            r += weight * Float(pixels[i]); g += weight * Float(pixels[i + 1])
                            b += weight * Float(pixels[i + 2])
                        }
                        target[targetRow + 3 * x] = r; target[targetRow + 3 * x + 1] = g
                        target[targetRow + 3 * x + 2] = b
                    }
                }
            }
        }
        let rowFloats = outputWidth * 3
        let output = [UInt8](unsafeUninitializedCapacity: outputHeight * rowFloats) { target, initialized in
            var accumulator = [Float](repeating: 0, count: rowFloats)
            intermediate.withUnsafeBufferPointer { rowsBuffer in
                accumulator.withUnsafeMutableBufferPointer { sums in
                    for y in 0..<outputHeight {
                        let taps = vertical[y]
                        for i in 0..<rowFloats { sums[i] = 0 }
                        for (k, weight) in taps.weights.enumerated() {
                            let rowStart = (taps.first - firstRow + k) * rowFloats
                            for i in 0..<rowFloats { sums[i] += weight * rowsBuffer[rowStart + i] }
                        }
                        for i in 0..<rowFloats {
                            target[y * rowFloats + i] = UInt8(max(0, min(255, sums[i].rounded())))
                        }
                    }
                }
            }
            initialized = outputHeight * rowFloats
        }
        return RGBImage(width: outputWidth, height: outputHeight, pixels: output)
    }

    struct Taps {
        var first: Int
        var weights: [Float]
    }

    /// For each output pixel, the source pixels it draws on and their normalised weights.
    static func weights(outputCount: Int, origin: Double, span: Double, sourceCount: Int) -> [Taps] {
        let scale = span / Double(outputCount)
        let radius = max(1, scale)
        return (0..<outputCount).map { index in
            // Pixel centres: output pixel `index` covers source [origin + index*scale, origin + (index+1)*scale).
            let center = origin + (Double(index) + 0.5) * scale
            var first = Int((center - radius - 0.5).rounded(.up))
            var last = Int((center + radius - 0.5).rounded(.down))
            first = max(0, min(sourceCount - 1, first))
            last = max(first, min(sourceCount - 1, last))
            var weights: [Float] = []
            var total = 0.0
            var raw: [Double] = []
            for j in first...last {
                let weight = max(0, 1 - abs(Double(j) + 0.5 - center) / radius)
                raw.append(weight)
                total += weight
            }
            if total <= 0 {
                // Only possible when clamping moved the taps away from the centre: take the nearest edge pixel.
                raw = raw.map { _ in 0 }
                raw[min(raw.count - 1, max(0, Int(center - Double(first))))] = 1
                total = 1
            }
            weights = raw.map { Float($0 / total) }
            return Taps(first: first, weights: weights)
        }
    }
}
