import Foundation
import TesseraCore
import TesseraHeatmap
import TesseraSlide

/// Per-class figures for one tile, measured over the tile's own window (clipped to the slide) only, so that the
/// overlap margins shared with neighbours are never counted twice.
public struct TileClassSummary: Sendable, Equatable {
    /// Fraction of the own window's model pixels whose most probable class is this one.
    public var areaFractions: [Double]
    /// Mean probability of each class over the own window's model pixels.
    public var meanProbabilities: [Double]
    /// Model pixels counted (the own window at the model's resolution, clipped to the slide).
    public var pixelCount: Int
    /// Fraction of the own window's model pixels that are tissue (by the slide's tissue mask, at each pixel's
    /// centre) and whose most probable class is this one; they add up to `tissueFraction`. nil without a mask.
    public var tissueAreaFractions: [Double]? = nil
    /// Fraction of the own window's model pixels that are tissue; nil without a mask.
    public var tissueFraction: Double? = nil
    /// Fraction of the own window's model pixels that are tissue, of this class, and flagged by the slide's QC;
    /// nil without QC.
    public var artefactAreaFractions: [Double]? = nil
}

public enum TileAggregation {
    /// Summarises one tile's class probabilities (C planes of outputWidth x outputHeight, planar) over its own window.
    /// With `tissue`, each model pixel is also counted in and out of the tissue (the mask pixel under its centre), so
    /// that a class's share of the tissue counts only the class inside the tissue.
    public static func summarise(probabilities: UnsafeBufferPointer<Float>, classCount: Int,
                                 geometry: TileOutputGeometry, tissue: TissueMask? = nil,
                                 artefacts: ArtefactGrid? = nil) -> TileClassSummary {
        let own = geometry.ownWindow.intersection(geometry.slideBounds)
        let columns = geometry.columns(level0Start: Double(own.x), level0End: Double(own.maxX))
        let rows = geometry.rows(level0Start: Double(own.y), level0End: Double(own.maxY))
        let plane = geometry.outputWidth * geometry.outputHeight
        var winners = [Int](repeating: 0, count: classCount)
        var tissueWinners = [Int](repeating: 0, count: classCount)
        var artefactWinners = [Int](repeating: 0, count: classCount)
        // Level-0 centres of the model pixels' columns, computed once per tile.
        let centreX = columns.map { Double(geometry.readWindow.x) + (Double($0) + 0.5) * geometry.scaleX }
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
            let centreY = Double(geometry.readWindow.y) + (Double(v) + 0.5) * geometry.scaleY
            for (k, u) in columns.enumerated() {
                let offset = rowOffset + u
                var best = 0
                var bestValue = base[offset]
                for c in 1..<Swift.max(classCount, 1) where base[c * plane + offset] > bestValue {
                    bestValue = base[c * plane + offset]
                    best = c
                }
                winners[best] += 1
                // Without a mask every pixel is tissue (as the tile's tissue fraction then says).
                if tissue?.isTissue(level0X: centreX[k], level0Y: centreY) ?? true {
                    tissueWinners[best] += 1
                    if let artefacts, artefacts.isFlagged(level0X: centreX[k], level0Y: centreY) {
                        artefactWinners[best] += 1
                    }
                }
            }
        }
        let count = columns.count * rows.count
        let denominator = Double(Swift.max(count, 1))
        var summary = TileClassSummary(areaFractions: winners.map { Double($0) / denominator },
                                       meanProbabilities: sums.map { $0 / denominator }, pixelCount: count)
        if tissue != nil {
            summary.tissueAreaFractions = tissueWinners.map { Double($0) / denominator }
            summary.tissueFraction = Double(tissueWinners.reduce(0, +)) / denominator
        }
        if artefacts != nil { summary.artefactAreaFractions = artefactWinners.map { Double($0) / denominator } }
        return summary
    }
}
