import TesseraCore

/// Collects per-tile class probabilities on the heatmap grid and turns them into the class map and probability
/// maps `HeatmapWriter.writeSlideHeatmaps` takes.
///
/// Heatmap pixel (x, y) covers level-0 region (x*d, y*d, d, d). A tile paints the heatmap pixels whose centres lie
/// inside its level-0 rectangle; where tiles overlap (stride below tile size) their probabilities are averaged.
/// Pixels no tile painted stay "no prediction": class 255, probability 0.
///
/// Memory: width * height * (classCount + 1) * 4 bytes (for example 6250 x 5000 heatmap pixels with 3 classes,
/// a 100k x 80k slide at d = 16: 500 MB), so pick d with the slide size in mind.
public struct HeatmapCanvas: Sendable {
    public let width: Int
    public let height: Int
    public let downsample: Double
    public let classCount: Int
    private var sums: [Float]
    private var counts: [Float]

    /// - Parameters:
    ///   - levelZeroWidth/Height: the slide's level-0 size; the heatmap is ceil(size / downsample).
    ///   - downsample: level-0 pixels per heatmap pixel (> 0).
    ///   - classCount: 1...254.
    public init(levelZeroWidth: Int, levelZeroHeight: Int, downsample: Double, classCount: Int) {
        precondition(downsample > 0, "HeatmapCanvas: downsample \(downsample) must be positive")
        precondition(classCount >= 1 && classCount < Int(HeatmapWriter.noPrediction), "HeatmapCanvas: \(classCount) classes")
        self.width = max(1, Int((Double(levelZeroWidth) / downsample).rounded(.up)))
        self.height = max(1, Int((Double(levelZeroHeight) / downsample).rounded(.up)))
        self.downsample = downsample
        self.classCount = classCount
        sums = [Float](repeating: 0, count: width * height * classCount)
        counts = [Float](repeating: 0, count: width * height)
    }

    /// The heatmap pixels a level-0 rectangle paints: those whose centres ((x + 0.5) d, (y + 0.5) d) lie inside it.
    public func heatmapPixels(covering region: PixelRect) -> (x: Range<Int>, y: Range<Int>) {
        func span(_ start: Int, _ end: Int, limit: Int) -> Range<Int> {
            let first = max(0, Int((Double(start) / downsample - 0.5).rounded(.up)))
            let last = min(limit, Int((Double(end) / downsample - 0.5).rounded(.up)))
            return first..<max(first, last)
        }
        return (span(region.x, region.maxX, limit: width), span(region.y, region.maxY, limit: height))
    }

    /// Adds one tile's class probabilities (`classCount` values, each 0...1) over its level-0 rectangle.
    public mutating func paint(region: PixelRect, probabilities: [Float]) {
        precondition(probabilities.count == classCount,
                     "HeatmapCanvas.paint: \(probabilities.count) probabilities for \(classCount) classes")
        let (xs, ys) = heatmapPixels(covering: region)
        for y in ys {
            for x in xs {
                let pixel = y * width + x
                counts[pixel] += 1
                for c in 0..<classCount { sums[pixel * classCount + c] += probabilities[c] }
            }
        }
    }

    /// Class index per pixel: the most probable class (the lowest index on ties), 255 where nothing was painted.
    public func classMap() -> HeatmapImage {
        var image = HeatmapImage(width: width, height: height, channels: 1, filledWith: HeatmapWriter.noPrediction)
        for pixel in 0..<(width * height) where counts[pixel] > 0 {
            var best = 0
            for c in 1..<classCount where sums[pixel * classCount + c] > sums[pixel * classCount + best] { best = c }
            image.pixels[pixel] = UInt8(best)
        }
        return image
    }

    /// One map per class: uint8 = round(mean probability * 255), clamped to 0...255; 0 where nothing was painted.
    public func probabilityMaps() -> [HeatmapImage] {
        (0..<classCount).map { c in
            var image = HeatmapImage(width: width, height: height, channels: 1, filledWith: 0)
            for pixel in 0..<(width * height) where counts[pixel] > 0 {
                let mean = sums[pixel * classCount + c] / counts[pixel]
                image.pixels[pixel] = UInt8(min(255, max(0, (mean * 255).rounded())))
            }
            return image
        }
    }
}
