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

/// The size of one plane of a canvas: heatmap pixel (x, y) covers the level-0 region (x*d, y*d, d, d).
public struct CanvasGrid: Sendable, Equatable, Codable {
    public var width: Int
    public var height: Int
    public var downsample: Double

    /// The grid of a slide at downsample d: ceil(slide / d) on each side.
    public init(slideWidth: Int, slideHeight: Int, downsample: Double) {
        precondition(downsample > 0)
        width = Swift.max(1, Int((Double(slideWidth) / downsample).rounded(.up)))
        height = Swift.max(1, Int((Double(slideHeight) / downsample).rounded(.up)))
        self.downsample = downsample
    }

    public init(width: Int, height: Int, downsample: Double) {
        self.width = width
        self.height = height
        self.downsample = downsample
    }

    public var pixelCount: Int { width * height }
}

/// The slide-wide heatmap being stitched: the class map and per-class probability planes at downsample d, where
/// heatmap pixel (x, y) covers the level-0 region (x*d, y*d, d, d), and optionally a second class map at the model's
/// own resolution (`modelGrid`), the one regions are traced and measured on: at d (8 model pixels by default) a
/// nucleus of a few model pixels vanishes, so areas measured there disagree with the tile table's.
///
/// Each heatmap pixel is filled by exactly one tile, the one whose own window holds the pixel's centre, from the
/// model pixels whose centres fall in the pixel's level-0 block (or the one containing its centre when d is finer
/// than the model): overlapping margins never blend, so there are no seams.
///
/// The planes live in a `MappedFile`: in memory for small uses (tests), or in a file for a run, where the file is
/// also the slide's checkpoint and `releaseResidentPages()` keeps the resident part to what was painted since the
/// last release, whatever the slide's size. Layout: the class map, then one plane per class, each row-major, then
/// the model-resolution class map.
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
    /// The model-resolution class map's grid; nil when the canvas has none.
    public let modelGrid: CanvasGrid?
    let storage: MappedFile

    /// The canvas size for a slide: ceil(slide / d) on each side.
    public static func size(slideWidth: Int, slideHeight: Int, downsample: Double) -> (width: Int, height: Int) {
        let grid = CanvasGrid(slideWidth: slideWidth, slideHeight: slideHeight, downsample: downsample)
        return (grid.width, grid.height)
    }

    /// Bytes of a canvas: the class map and class planes at the heatmap's grid, plus the model-resolution class map.
    public static func byteCount(width: Int, height: Int, classCount: Int, modelGrid: CanvasGrid?) -> Int {
        width * height * (classCount + 1) + (modelGrid?.pixelCount ?? 0)
    }

    /// An empty canvas in memory.
    public convenience init(slideWidth: Int, slideHeight: Int, downsample: Double, classCount: Int,
                            modelDownsample: Double? = nil) {
        let (width, height) = Self.size(slideWidth: slideWidth, slideHeight: slideHeight, downsample: downsample)
        let modelGrid = modelDownsample.map { CanvasGrid(slideWidth: slideWidth, slideHeight: slideHeight, downsample: $0) }
        // Like an Array's allocation, running out of address space here is fatal.
        let storage = try! MappedFile(anonymousByteCount: Self.byteCount(width: width, height: height,
                                                                         classCount: classCount, modelGrid: modelGrid))
        self.init(width: width, height: height, downsample: downsample, classCount: classCount, modelGrid: modelGrid,
                  storage: storage)
        try! fillUnpredicted()
    }

    /// An empty canvas in a new file (replacing any file there).
    public static func create(at url: URL, slideWidth: Int, slideHeight: Int, downsample: Double,
                              classCount: Int, modelDownsample: Double? = nil) throws(MappedFileError) -> HeatmapCanvas {
        let (width, height) = size(slideWidth: slideWidth, slideHeight: slideHeight, downsample: downsample)
        let modelGrid = modelDownsample.map { CanvasGrid(slideWidth: slideWidth, slideHeight: slideHeight, downsample: $0) }
        let storage = try MappedFile(creating: url, byteCount: byteCount(width: width, height: height,
                                                                         classCount: classCount, modelGrid: modelGrid))
        let canvas = HeatmapCanvas(width: width, height: height, downsample: downsample, classCount: classCount,
                                   modelGrid: modelGrid, storage: storage)
        try canvas.fillUnpredicted()
        return canvas
    }

    /// The canvas in an existing file, as an earlier run left it.
    public static func open(at url: URL, width: Int, height: Int, downsample: Double, classCount: Int,
                            modelGrid: CanvasGrid? = nil) throws(MappedFileError) -> HeatmapCanvas {
        let storage = try MappedFile(openingExisting: url, byteCount: byteCount(width: width, height: height,
                                                                                classCount: classCount, modelGrid: modelGrid))
        return HeatmapCanvas(width: width, height: height, downsample: downsample, classCount: classCount,
                             modelGrid: modelGrid, storage: storage)
    }

    private init(width: Int, height: Int, downsample: Double, classCount: Int, modelGrid: CanvasGrid?, storage: MappedFile) {
        self.width = width
        self.height = height
        self.downsample = downsample
        self.classCount = classCount
        self.modelGrid = modelGrid
        self.storage = storage
    }

    /// Both class maps start as "no prediction"; the probability planes as 0.
    private func fillUnpredicted() throws(MappedFileError) {
        try storage.fill(0..<(width * height), with: Self.noPrediction)
        if let modelGrid {
            let start = modelPlaneOffset
            try storage.fill(start..<(start + modelGrid.pixelCount), with: Self.noPrediction)
        }
    }

    /// Plane 0 is the class map, plane 1 + c the probabilities of class c.
    private func planeStart(_ index: Int) -> UnsafeMutablePointer<UInt8> {
        (storage.bytes + index * width * height).assumingMemoryBound(to: UInt8.self)
    }

    private var modelPlaneOffset: Int { width * height * (classCount + 1) }

    private var modelPlaneStart: UnsafeMutablePointer<UInt8> {
        (storage.bytes + modelPlaneOffset).assumingMemoryBound(to: UInt8.self)
    }

    /// A copy of the class map (class index per pixel, `noPrediction` where no tile covered it).
    public var classMap: [UInt8] { Array(UnsafeBufferPointer(start: planeStart(0), count: width * height)) }

    /// A copy of the model-resolution class map; nil when the canvas has none.
    public var modelClassMap: [UInt8]? {
        modelGrid.map { Array(UnsafeBufferPointer(start: modelPlaneStart, count: $0.pixelCount)) }
    }

    /// Copies of the class planes: probability x 255, rounded.
    public var probabilities: [[UInt8]] {
        (0..<classCount).map { Array(UnsafeBufferPointer(start: planeStart(1 + $0), count: width * height)) }
    }

    /// The class map as a raster the heatmap writer reads band by band.
    public var classMapRaster: some HeatmapRaster {
        CanvasPlane(canvas: self, offset: 0, width: width, height: height)
    }

    /// The model-resolution class map as a raster; nil when the canvas has none.
    public var modelClassMapRaster: (any HeatmapRaster)? {
        modelGrid.map { CanvasPlane(canvas: self, offset: modelPlaneOffset, width: $0.width, height: $0.height) }
    }

    /// Class `index`'s probabilities as a raster.
    public func probabilityRaster(_ index: Int) -> some HeatmapRaster {
        CanvasPlane(canvas: self, offset: (1 + index) * width * height, width: width, height: height)
    }

    /// Makes everything painted so far durable in the canvas's file.
    public func synchronize() throws(MappedFileError) { try storage.synchronize() }

    /// Drops the painted pages from memory (they stay in the file); a no-op for a canvas in memory.
    public func releaseResidentPages() { storage.releaseResidentPages() }

    /// One plane read by rows; the rows read are released again, so writing a heatmap from a file-backed canvas
    /// keeps only the current band resident.
    private struct CanvasPlane: HeatmapRaster {
        let canvas: HeatmapCanvas
        /// Where the plane starts in the canvas's storage.
        let offset: Int
        let width: Int
        let height: Int
        var channels: Int { 1 }

        func copyRows(_ rows: Range<Int>, into destination: UnsafeMutableRawBufferPointer) {
            let start = offset + rows.lowerBound * width, count = rows.count * width
            destination.copyMemory(from: UnsafeRawBufferPointer(start: canvas.storage.bytes + start, count: count))
            canvas.storage.releaseResidentPages(start..<(start + count))
        }
    }

    /// Paints one tile's probabilities (C planes, planar) into the heatmap pixels whose centres its own window holds:
    /// the class map and class planes, and the model-resolution class map.
    public func paint(probabilities source: UnsafeBufferPointer<Float>, geometry: TileOutputGeometry) {
        paint(source, geometry: geometry, grid: CanvasGrid(width: width, height: height, downsample: downsample),
              classMap: planeStart(0), probabilityPlanes: (0..<classCount).map { planeStart(1 + $0) })
        if let modelGrid {
            paint(source, geometry: geometry, grid: modelGrid, classMap: modelPlaneStart, probabilityPlanes: [])
        }
    }

    /// Paints one grid's class map (and, when given, its class planes) from one tile.
    private func paint(_ source: UnsafeBufferPointer<Float>, geometry: TileOutputGeometry, grid: CanvasGrid,
                       classMap: UnsafeMutablePointer<UInt8>, probabilityPlanes: [UnsafeMutablePointer<UInt8>]) {
        let own = geometry.ownWindow.intersection(geometry.slideBounds)
        guard !own.isEmpty else { return }
        let d = grid.downsample
        // Heatmap pixels whose centre (x + 0.5) * d lies in [own.x, own.maxX).
        let x0 = Swift.max(0, Int((Double(own.x) / d - 0.5).rounded(.up)))
        let x1 = Swift.min(grid.width, Int((Double(own.maxX) / d - 0.5).rounded(.up)))
        let y0 = Swift.max(0, Int((Double(own.y) / d - 0.5).rounded(.up)))
        let y1 = Swift.min(grid.height, Int((Double(own.maxY) / d - 0.5).rounded(.up)))
        guard x0 < x1, y0 < y1 else { return }
        let plane = geometry.outputWidth * geometry.outputHeight
        // The model columns of each heatmap column, computed once per tile.
        let columnRanges = (x0..<x1).map { hx in
            let columns = geometry.columns(level0Start: Double(hx) * d, level0End: Double(hx + 1) * d)
            if !columns.isEmpty { return columns }
            let u = geometry.pixel(containingLevel0: (Double(hx) + 0.5) * d, 0).u
            return u..<(u + 1)
        }
        var mean = [Double](repeating: 0, count: classCount)
        for hy in y0..<y1 {
            var rows = geometry.rows(level0Start: Double(hy) * d, level0End: Double(hy + 1) * d)
            if rows.isEmpty {
                let v = geometry.pixel(containingLevel0: 0, (Double(hy) + 0.5) * d).v
                rows = v..<(v + 1)
            }
            for (k, columns) in columnRanges.enumerated() {
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
                let index = hy * grid.width + x0 + k
                var best = 0
                for c in 0..<classCount where mean[c] > mean[best] { best = c }
                for (c, plane) in probabilityPlanes.enumerated() {
                    plane[index] = UInt8((Swift.min(Swift.max(mean[c] / n, 0), 1) * 255).rounded())
                }
                classMap[index] = UInt8(best)
            }
        }
    }
}
