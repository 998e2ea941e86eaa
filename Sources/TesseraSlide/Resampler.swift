import TesseraCore

/// Separable resampling with a triangle filter widened by the scale factor when shrinking (so every source pixel
/// contributes: no aliasing) and plain bilinear interpolation when enlarging.
enum Resampler {
    /// Resamples the source rectangle that starts at (`originX`, `originY`) in `source` pixels and measures
    /// `sourceWidth` x `sourceHeight` (fractional) to `outputWidth` x `outputHeight`. Samples beyond `source` repeat
    /// its edge; callers read a margin so that does not happen inside the slide.
    static func resample(_ source: RGBImage, originX: Double, originY: Double, sourceWidth: Double,
                         sourceHeight: Double, outputWidth: Int, outputHeight: Int) -> RGBImage {
        let horizontal = Taps(outputCount: outputWidth, origin: originX, span: sourceWidth, sourceCount: source.width)
        let vertical = Taps(outputCount: outputHeight, origin: originY, span: sourceHeight,
                            sourceCount: source.height)

        // Horizontal pass over only the source rows the vertical pass needs.
        let firstRow = vertical.first.min() ?? 0
        let lastRow = zip(vertical.first, vertical.count).map { $0 + $1 }.max() ?? 0
        let rows = lastRow - firstRow
        let rowFloats = outputWidth * 3
        var intermediate = [Float](repeating: 0, count: rows * rowFloats)
        // Unsafe buffers throughout: Array subscripts are bounds-checked even in release builds, and these loops
        // run a few million times per tile.
        source.pixels.withUnsafeBufferPointer { pixels in
        intermediate.withUnsafeMutableBufferPointer { target in
        horizontal.weights.withUnsafeBufferPointer { weights in
        horizontal.first.withUnsafeBufferPointer { firsts in
        horizontal.count.withUnsafeBufferPointer { counts in
            for row in 0..<rows {
                let sourceRow = (firstRow + row) * source.width * 3
                let targetRow = row * rowFloats
                for x in 0..<outputWidth {
                    var r: Float = 0, g: Float = 0, b: Float = 0
                    let weightStart = x * horizontal.stride
                    var i = sourceRow + firsts[x] * 3
                    for k in 0..<counts[x] {
                        let weight = weights[weightStart + k]
                        r += weight * Float(pixels[i]); g += weight * Float(pixels[i + 1])
                        b += weight * Float(pixels[i + 2])
                        i += 3
                    }
                    target[targetRow + 3 * x] = r; target[targetRow + 3 * x + 1] = g
                    target[targetRow + 3 * x + 2] = b
                }
            }
        }}}}}
        let output = [UInt8](unsafeUninitializedCapacity: outputHeight * rowFloats) { target, initialized in
            var accumulator = [Float](repeating: 0, count: rowFloats)
            intermediate.withUnsafeBufferPointer { rowsBuffer in
            accumulator.withUnsafeMutableBufferPointer { sums in
            vertical.weights.withUnsafeBufferPointer { weights in
                for y in 0..<outputHeight {
                    for i in 0..<rowFloats { sums[i] = 0 }
                    for k in 0..<vertical.count[y] {
                        let weight = weights[y * vertical.stride + k]
                        let rowStart = (vertical.first[y] - firstRow + k) * rowFloats
                        for i in 0..<rowFloats { sums[i] += weight * rowsBuffer[rowStart + i] }
                    }
                    let outputRow = y * rowFloats
                    for i in 0..<rowFloats {
                        // Sums are convex combinations of 0...255; + 0.5 and truncation rounds them.
                        target[outputRow + i] = UInt8(min(255, max(0, sums[i] + 0.5)))
                    }
                }
            }}}
            initialized = outputHeight * rowFloats
        }
        return RGBImage(width: outputWidth, height: outputHeight, pixels: output)
    }

    /// For each output pixel along one axis: the first source pixel it draws on, how many, and their normalised
    /// weights (`stride` slots per output pixel).
    struct Taps {
        var first: [Int]
        var count: [Int]
        var weights: [Float]
        var stride: Int

        init(outputCount: Int, origin: Double, span: Double, sourceCount: Int) {
            let scale = span / Double(outputCount)
            let radius = max(1, scale)
            stride = Int((2 * radius).rounded(.up)) + 2
            first = [Int](repeating: 0, count: outputCount)
            count = [Int](repeating: 0, count: outputCount)
            weights = [Float](repeating: 0, count: outputCount * stride)
            var raw = [Double](repeating: 0, count: stride)
            for index in 0..<outputCount {
                // Output pixel `index` covers source [origin + index*scale, origin + (index+1)*scale); its centre:
                let center = origin + (Double(index) + 0.5) * scale
                let low = max(0, min(sourceCount - 1, Int((center - radius - 0.5).rounded(.up))))
                let high = max(low, min(sourceCount - 1, Int((center + radius - 0.5).rounded(.down)), low + stride - 1))
                var total = 0.0
                for j in low...high {
                    raw[j - low] = max(0, 1 - abs(Double(j) + 0.5 - center) / radius)
                    total += raw[j - low]
                }
                if total <= 0 {
                    // Only when clamping moved every tap away from the centre: take the nearest edge pixel.
                    for j in low...high { raw[j - low] = 0 }
                    raw[min(high - low, max(0, Int(center - Double(low))))] = 1
                    total = 1
                }
                first[index] = low
                count[index] = high - low + 1
                for j in 0...(high - low) { weights[index * stride + j] = Float(raw[j] / total) }
            }
        }
    }
}
