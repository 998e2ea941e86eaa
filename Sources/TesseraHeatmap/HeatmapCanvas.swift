import Foundation
import TesseraCore

/// How one tile's model output sits on the slide: model pixel (u, v) of an N x N output covers the level-0 region
/// starting at (read.x + u * sx, read.y + v * sy), where sx = read.width / N (the reader resampled the read window
/// to N x N).
public struct TileOutputGeometry: Sendable {
    public let readWindow: PixelRect
    public let ownWindow: PixelRect
    public let slideBounds: PixelRect
    public let outputWidth: Int
    public let outputHeight: Int

    public init(readWindow: PixelRect, ownWindow: PixelRect, slideBounds: PixelRect, outputWidth: Int, outputHeight: Int) {
        self.readWindow = readWindow
        self.ownWindow = ownWindow
        self.slideBounds = slideBounds
        self.outputWidth = outputWidth
        self.outputHeight = outputHeight
    }

    public var scaleX: Double { Double(readWindow.width) / Double(outputWidth) }
    public var scaleY: Double { Double(readWindow.height) / Double(outputHeight) }

    /// Model columns whose pixel centres lie in [level0Start, level0End).
    public func columns(level0Start: Double, level0End: Double) -> Range<Int> {
        Self.centres(in: level0Start, level0End, origin: Double(readWindow.x), scale: scaleX, count: outputWidth)
    }

    public func rows(level0Start: Double, level0End: Double) -> Range<Int> {
        Self.centres(in: level0Start, level0End, origin: Double(readWindow.y), scale: scaleY, count: outputHeight)
    }

    private static func centres(in start: Double, _ end: Double, origin: Double, scale: Double, count: Int) -> Range<Int> {
        let first = Int(((start - origin) / scale - 0.5).rounded(.up))
        let last = Int(((end - origin) / scale - 0.5).rounded(.up))
        let lower = Swift.min(Swift.max(first, 0), count), upper = Swift.min(Swift.max(last, 0), count)
        return lower..<Swift.max(lower, upper)
    }

    /// The model pixel containing a level-0 point (clamped to the output).
    public func pixel(containingLevel0 x: Double, _ y: Double) -> (u: Int, v: Int) {
        let u = Int(((x - Double(readWindow.x)) / scaleX).rounded(.down))
        let v = Int(((y - Double(readWindow.y)) / scaleY).rounded(.down))
        return (Swift.min(Swift.max(u, 0), outputWidth - 1), Swift.min(Swift.max(v, 0), outputHeight - 1))
    }
}

/// The slide-wide heatmap being stitched: the class map and per-class probability planes at downsample d, where
/// heatmap pixel (x, y) covers the level-0 region (x*d, y*d, d, d).
///
/// Each heatmap pixel is filled by exactly one tile, the one whose own window holds the pixel's centre, from the
/// model pixels whose centres fall in the pixel's level-0 block (or the one containing its centre when d is finer
/// than the model): overlapping margins never blend, so there are no seams.
///
/// The planes live in a `MappedFile`: in memory for small uses (tests), or in a file for a run, where the file is
/// also the slide's checkpoint and `releaseResidentPages()` keeps the resident part to what was painted since the
/// last release, whatever the slide's size. Layout: the class map, then one plane per class, each row-major.
///
/// `@unchecked Sendable`: one stage paints a canvas at a time (the stitcher, then the writer once the slide is
/// finished); `synchronize` may run on another thread meanwhile (see `MappedFile`).
public final class HeatmapCanvas: @unchecked Sendable {
    /// Class map value for heatmap pixels no tile predicted (background without tissue).
    public static let noPrediction = HeatmapWriter.noPrediction

    public let width: Int
    public let height: Int
    public let downsample: Double
    public let classCount: Int
    let storage: MappedFile

    /// The canvas size for a slide: ceil(slide / d) on each side.
    public static func size(slideWidth: Int, slideHeight: Int, downsample: Double) -> (width: Int, height: Int) {
        precondition(downsample > 0)
        return (Swift.max(1, Int((Double(slideWidth) / downsample).rounded(.up))),
                Swift.max(1, Int((Double(slideHeight) / downsample).rounded(.up))))
    }

    static func byteCount(width: Int, height: Int, classCount: Int) -> Int { width * height * (classCount + 1) }

    /// An empty canvas in memory.
    public convenience init(slideWidth: Int, slideHeight: Int, downsample: Double, classCount: Int) {
        let (width, height) = Self.size(slideWidth: slideWidth, slideHeight: slideHeight, downsample: downsample)
        // Like an Array's allocation, running out of address space here is fatal.
        let storage = try! MappedFile(anonymousByteCount: Self.byteCount(width: width, height: height, classCount: classCount))
        try! storage.fill(0..<(width * height), with: Self.noPrediction)
        self.init(width: width, height: height, downsample: downsample, classCount: classCount, storage: storage)
    }

    /// An empty canvas in a new file (replacing any file there).
    public static func create(at url: URL, slideWidth: Int, slideHeight: Int, downsample: Double,
                       classCount: Int) throws(MappedFileError) -> HeatmapCanvas {
        let (width, height) = size(slideWidth: slideWidth, slideHeight: slideHeight, downsample: downsample)
        let storage = try MappedFile(creating: url, byteCount: byteCount(width: width, height: height, classCount: classCount))
        try storage.fill(0..<(width * height), with: noPrediction)
        return HeatmapCanvas(width: width, height: height, downsample: downsample, classCount: classCount, storage: storage)
    }

    /// The canvas in an existing file, as an earlier run left it.
    public static func open(at url: URL, width: Int, height: Int, downsample: Double,
                     classCount: Int) throws(MappedFileError) -> HeatmapCanvas {
        let storage = try MappedFile(openingExisting: url, byteCount: byteCount(width: width, height: height, classCount: classCount))
        return HeatmapCanvas(width: width, height: height, downsample: downsample, classCount: classCount, storage: storage)
    }

    private init(width: Int, height: Int, downsample: Double, classCount: Int, storage: MappedFile) {
        self.width = width
        self.height = height
        self.downsample = downsample
        self.classCount = classCount
        self.storage = storage
    }

    /// Plane 0 is the class map, plane 1 + c the probabilities of class c.
    private func planeStart(_ index: Int) -> UnsafeMutablePointer<UInt8> {
        (storage.bytes + index * width * height).assumingMemoryBound(to: UInt8.self)
    }

    /// A copy of the class map (class index per pixel, `noPrediction` where no tile covered it).
    public var classMap: [UInt8] { Array(UnsafeBufferPointer(start: planeStart(0), count: width * height)) }

    /// Copies of the class planes: probability x 255, rounded.
    public var probabilities: [[UInt8]] {
        (0..<classCount).map { Array(UnsafeBufferPointer(start: planeStart(1 + $0), count: width * height)) }
    }

    /// The class map as a raster the heatmap writer reads band by band.
    public var classMapRaster: some HeatmapRaster { CanvasPlane(canvas: self, index: 0) }

    /// Class `index`'s probabilities as a raster.
    public func probabilityRaster(_ index: Int) -> some HeatmapRaster { CanvasPlane(canvas: self, index: 1 + index) }

    /// Makes everything painted so far durable in the canvas's file.
    public func synchronize() throws(MappedFileError) { try storage.synchronize() }

    /// Drops the painted pages from memory (they stay in the file); a no-op for a canvas in memory.
    public func releaseResidentPages() { storage.releaseResidentPages() }

    /// One plane read by rows; the rows read are released again, so writing a heatmap from a file-backed canvas
    /// keeps only the current band resident.
    private struct CanvasPlane: HeatmapRaster {
        let canvas: HeatmapCanvas
        let index: Int
        var width: Int { canvas.width }
        var height: Int { canvas.height }
        var channels: Int { 1 }

        func copyRows(_ rows: Range<Int>, into destination: UnsafeMutableRawBufferPointer) {
            let start = rows.lowerBound * canvas.width, count = rows.count * canvas.width
            destination.copyMemory(from: UnsafeRawBufferPointer(start: canvas.planeStart(index) + start, count: count))
            let offset = index * canvas.width * canvas.height + start
            canvas.storage.releaseResidentPages(offset..<(offset + count))
        }
    }

    /// Paints one tile's probabilities (C planes, planar) into the heatmap pixels whose centres its own window holds.
    public func paint(probabilities source: UnsafeBufferPointer<Float>, geometry: TileOutputGeometry) {
        let own = geometry.ownWindow.intersection(geometry.slideBounds)
        guard !own.isEmpty else { return }
        let d = downsample
        // Heatmap pixels whose centre (x + 0.5) * d lies in [own.x, own.maxX).
        let x0 = Swift.max(0, Int((Double(own.x) / d - 0.5).rounded(.up)))
        let x1 = Swift.min(width, Int((Double(own.maxX) / d - 0.5).rounded(.up)))
        let y0 = Swift.max(0, Int((Double(own.y) / d - 0.5).rounded(.up)))
        let y1 = Swift.min(height, Int((Double(own.maxY) / d - 0.5).rounded(.up)))
        guard x0 < x1, y0 < y1 else { return }
        let plane = geometry.outputWidth * geometry.outputHeight
        var mean = [Double](repeating: 0, count: classCount)
        for hy in y0..<y1 {
            var rows = geometry.rows(level0Start: Double(hy) * d, level0End: Double(hy + 1) * d)
            if rows.isEmpty {
                let v = geometry.pixel(containingLevel0: 0, (Double(hy) + 0.5) * d).v
                rows = v..<(v + 1)
            }
            for hx in x0..<x1 {
                var columns = geometry.columns(level0Start: Double(hx) * d, level0End: Double(hx + 1) * d)
                if columns.isEmpty {
                    let u = geometry.pixel(containingLevel0: (Double(hx) + 0.5) * d, 0).u
                    columns = u..<(u + 1)
                }
                // Class by class over contiguous rows of the block, so the loads stay sequential.
                for c in 0..<classCount {
                    var sum: Float = 0
                    let classBase = c * plane
                    for v in rows {
                        let row = classBase + v * geometry.outputWidth
                        for u in columns { sum += source[row + u] }
                    }
                    mean[c] = Double(sum)
                }
                let n = Double(rows.count * columns.count)
                let index = hy * width + hx
                let classMap = planeStart(0)
                var best = 0
                for c in 0..<classCount {
                    let p = mean[c] / n
                    if p > mean[best] / n { best = c }
                    planeStart(1 + c)[index] = UInt8((Swift.min(Swift.max(p, 0), 1) * 255).rounded())
                }
                classMap[index] = UInt8(best)
            }
        }
    }
}
