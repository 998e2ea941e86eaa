import Foundation
import TesseraCore
import TesseraHeatmap

/// Per-class figures for one tile, measured over the tile's own window (clipped to the slide) only, so that the
/// overlap margins shared with neighbours are never counted twice.
public struct TileClassSummary: Sendable, Equatable {
    /// Fraction of the own window's model pixels whose most probable class is this one.
    public var areaFractions: [Double]
    /// Mean probability of each class over the own window's model pixels.
    public var meanProbabilities: [Double]
    /// Model pixels counted (the own window at the model's resolution, clipped to the slide).
    public var pixelCount: Int
}

public enum TileAggregation {
    /// Summarises one tile's class probabilities (C planes of outputWidth x outputHeight, planar) over its own window.
    public static func summarise(probabilities: UnsafeBufferPointer<Float>, classCount: Int,
                                 geometry: TileOutputGeometry) -> TileClassSummary {
        let own = geometry.ownWindow.intersection(geometry.slideBounds)
        let columns = geometry.columns(level0Start: Double(own.x), level0End: Double(own.maxX))
        let rows = geometry.rows(level0Start: Double(own.y), level0End: Double(own.maxY))
        let plane = geometry.outputWidth * geometry.outputHeight
        var winners = [Int](repeating: 0, count: classCount)
        var sums = [Double](repeating: 0, count: classCount)
        let base = probabilities.baseAddress!
        for v in rows {
            let rowOffset = v * geometry.outputWidth
            // Per-class sums over the row's contiguous run of pixels (vectorised), added up in Double per row.
            for c in 0..<classCount {
                let row = base + c * plane + rowOffset
                var sum: Float = 0
                for u in columns { sum += row[u] }
                sums[c] += Double(sum)
            }
            for u in columns {
                let offset = rowOffset + u
                var best = 0
                var bestValue = base[offset]
                for c in 1..<Swift.max(classCount, 1) where base[c * plane + offset] > bestValue {
                    bestValue = base[c * plane + offset]
                    best = c
                }
                winners[best] += 1
            }
        }
        let count = columns.count * rows.count
        let denominator = Double(Swift.max(count, 1))
        return TileClassSummary(areaFractions: winners.map { Double($0) / denominator },
                                meanProbabilities: sums.map { $0 / denominator }, pixelCount: count)
    }
}
