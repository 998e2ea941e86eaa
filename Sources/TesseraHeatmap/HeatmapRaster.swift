import Foundation

/// An 8-bit raster the heatmap writer reads in horizontal bands, top to bottom: row-major, interleaved (HWC).
///
/// The writer never asks for the whole image at once, so a raster kept on disk (a slide's stitched canvas, a
/// pyramid level) is written with memory that grows with its width only.
public protocol HeatmapRaster {
    var width: Int { get }
    var height: Int { get }
    /// 1 (gray), 3 (RGB) or 4 (RGBA, unassociated alpha).
    var channels: Int { get }
    /// Copies rows `rows` into `destination`, which holds exactly `rows.count * width * channels` bytes.
    func copyRows(_ rows: Range<Int>, into destination: UnsafeMutableRawBufferPointer) throws(HeatmapError)
}

extension HeatmapImage: HeatmapRaster {
    public func copyRows(_ rows: Range<Int>, into destination: UnsafeMutableRawBufferPointer) {
        let rowBytes = width * channels
        precondition(destination.count == rows.count * rowBytes, "copyRows: wrong destination size")
        pixels.withUnsafeBytes { source in
            destination.copyMemory(from: UnsafeRawBufferPointer(
                rebasing: source[(rows.lowerBound * rowBytes)..<(rows.upperBound * rowBytes)]))
        }
    }
}

extension HeatmapRaster {
    /// Rows `rows` as an image of their own.
    func rows(_ rows: Range<Int>) throws(HeatmapError) -> HeatmapImage {
        var pixels = [UInt8](repeating: 0, count: rows.count * width * channels)
        var failure: HeatmapError?
        pixels.withUnsafeMutableBytes { destination in
            do throws(HeatmapError) { try copyRows(rows, into: destination) } catch { failure = error }
        }
        if let failure { throw failure }
        return HeatmapImage(width: width, height: rows.count, channels: channels, pixels: pixels)
    }
}

/// A class map checked band by band as it is read: every value must be a class index or 255 (no prediction).
struct CheckedClassMap: HeatmapRaster {
    let source: any HeatmapRaster
    let classCount: Int
    /// The file errors name.
    let reportedPath: String

    var width: Int { source.width }
    var height: Int { source.height }
    var channels: Int { 1 }

    func copyRows(_ rows: Range<Int>, into destination: UnsafeMutableRawBufferPointer) throws(HeatmapError) {
        try source.copyRows(rows, into: destination)
        if let bad = destination.first(where: { $0 >= UInt8(classCount) && $0 != HeatmapWriter.noPrediction }) {
            throw HeatmapError(kind: .invalidInput, path: reportedPath,
                               message: "class map value \(bad) is neither a class index below \(classCount) nor 255 (no prediction)")
        }
    }
}

/// The RGBA overlay of a class map, made band by band: each class in its colour, transparent where the table says.
struct OverlayRaster: HeatmapRaster {
    let classMap: any HeatmapRaster
    /// RGBA (or RGB) per class value (256 entries).
    let table: [UInt8]

    var width: Int { classMap.width }
    var height: Int { classMap.height }
    var channels: Int { table.count / 256 }

    func copyRows(_ rows: Range<Int>, into destination: UnsafeMutableRawBufferPointer) throws(HeatmapError) {
        let classes = try classMap.rows(rows).pixels
        let channels = channels
        table.withUnsafeBytes { table in
            for (i, value) in classes.enumerated() {
                let entry = Int(value) * channels, target = i * channels
                for c in 0..<channels { destination[target + c] = table[entry + c] }
            }
        }
    }
}

/// A probability map with 0 wherever the class map says no prediction.
struct MaskedProbabilityRaster: HeatmapRaster {
    let probability: any HeatmapRaster
    let classMap: any HeatmapRaster

    var width: Int { probability.width }
    var height: Int { probability.height }
    var channels: Int { 1 }

    func copyRows(_ rows: Range<Int>, into destination: UnsafeMutableRawBufferPointer) throws(HeatmapError) {
        try probability.copyRows(rows, into: destination)
        let classes = try classMap.rows(rows).pixels
        for (i, value) in classes.enumerated() where value == HeatmapWriter.noPrediction { destination[i] = 0 }
    }
}
