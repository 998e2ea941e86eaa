import Foundation
import TesseraCore

/// The tiling geometry of one slide at one target resolution (no tissue involved).
///
/// With tile N and overlap K (even) at the target resolution, the stride is S = N - K. Tile (column, row) owns the
/// target-resolution square (column * S, row * S, S x S); it reads that square grown by K/2 on every side (N x N).
/// Target coordinates become level-0 ones with f = targetMPP / slideMPP as Int((t * f).rounded()) per edge, so the
/// own windows of neighbours abut exactly. The grid covers the slide: columns = ceil(slideWidth / f / S).
public struct TileGrid: Sendable, Equatable, Codable {
    public let slideWidth: Int
    public let slideHeight: Int
    public let targetMPP: Double
    public let slideMPP: Double
    public let tileSize: Int
    public let overlap: Int
    public let columns: Int
    public let rows: Int

    public init(slideWidth: Int, slideHeight: Int, slideMPP: Double, targetMPP: Double, tileSize: Int,
                overlap: Int) throws {
        func invalid(_ message: String) -> SlideError {
            SlideError(kind: .invalidArgument, message: message, path: "", context: "planning tiles")
        }
        guard slideWidth > 0, slideHeight > 0 else { throw invalid("slide size \(slideWidth)x\(slideHeight)") }
        guard slideMPP > 0, slideMPP.isFinite, targetMPP > 0, targetMPP.isFinite else {
            throw invalid("resolutions must be positive (slide \(slideMPP), target \(targetMPP) µm/px)")
        }
        guard tileSize > 0 else { throw invalid("tile size \(tileSize) must be positive") }
        guard overlap >= 0, overlap % 2 == 0, overlap < tileSize else {
            throw invalid("overlap \(overlap) must be even, at least 0 and less than the tile size \(tileSize)")
        }
        self.slideWidth = slideWidth
        self.slideHeight = slideHeight
        self.slideMPP = slideMPP
        self.targetMPP = targetMPP
        self.tileSize = tileSize
        self.overlap = overlap
        let factor = targetMPP / slideMPP
        let stride = tileSize - overlap
        self.columns = Int((Double(slideWidth) / factor / Double(stride)).rounded(.up))
        self.rows = Int((Double(slideHeight) / factor / Double(stride)).rounded(.up))
    }

    /// S = N - K: the side of a tile's own window at the target resolution.
    public var stride: Int { tileSize - overlap }
    /// f: level-0 pixels per target pixel.
    public var level0PerTargetPixel: Double { targetMPP / slideMPP }
    public var tileCount: Int { columns * rows }
    public var slideBounds: PixelRect { PixelRect(x: 0, y: 0, width: slideWidth, height: slideHeight) }

    /// A target-resolution coordinate in level-0 pixels.
    public func level0(_ target: Int) -> Int { Int((Double(target) * level0PerTargetPixel).rounded()) }

    /// The level-0 rectangle between two target-resolution corners.
    private func level0Rect(x: Int, y: Int, size: Int) -> PixelRect {
        let x0 = level0(x), y0 = level0(y)
        return PixelRect(x: x0, y: y0, width: level0(x + size) - x0, height: level0(y + size) - y0)
    }

    /// The level-0 window tile (column, row) owns (its output), S x S at the target resolution.
    public func ownWindow(column: Int, row: Int) -> PixelRect {
        level0Rect(x: column * stride, y: row * stride, size: stride)
    }

    /// The level-0 window tile (column, row) reads: its own window plus K/2 on every side, N x N at the target
    /// resolution. It may extend beyond the slide.
    public func readWindow(column: Int, row: Int) -> PixelRect {
        level0Rect(x: column * stride - overlap / 2, y: row * stride - overlap / 2, size: tileSize)
    }

    /// Whether the read window of tile (column, row) extends beyond the slide (those parts are read as white).
    public func isEdge(column: Int, row: Int) -> Bool {
        !slideBounds.contains(readWindow(column: column, row: row))
    }
}

/// One tile to process.
public struct PlannedTile: Sendable, Equatable, Codable {
    /// Position in the full grid, row-major: row * columns + column (stable whatever the tissue threshold).
    public let index: Int
    public let column: Int
    public let row: Int
    /// Level-0 window to read (own window plus margins), N x N at the target resolution; may extend beyond the slide.
    public let readWindow: PixelRect
    /// Level-0 window this tile's output covers, S x S at the target resolution.
    public let ownWindow: PixelRect
    /// Tissue fraction of the own window clipped to the slide (0...1).
    public let tissueFraction: Double
    /// The read window extends beyond the slide; the part outside is white padding.
    public let isEdge: Bool
}

/// The tiles of one slide to process at a target resolution: those with enough tissue, in row-major order.
public struct TilePlan: Sendable, Equatable, Codable {
    public let grid: TileGrid
    /// Tiles whose own window holds less tissue than this were skipped.
    public let minimumTissueFraction: Double
    /// Kept tiles, row-major.
    public let tiles: [PlannedTile]
    /// Grid tiles skipped for too little tissue.
    public let skippedCount: Int

    /// Plans the grid, keeping tiles whose own-window tissue fraction is at least `minimumTissueFraction`.
    /// A threshold of 0 keeps every tile. With no mask every tile counts as all tissue (fraction 1).
    public init(grid: TileGrid, tissueMask: TissueMask?, minimumTissueFraction: Double) {
        self.grid = grid
        self.minimumTissueFraction = minimumTissueFraction
        var tiles: [PlannedTile] = []
        var skipped = 0
        for row in 0..<grid.rows {
            for column in 0..<grid.columns {
                let own = grid.ownWindow(column: column, row: row)
                let fraction = tissueMask?.fraction(in: own) ?? 1
                if fraction < minimumTissueFraction {
                    skipped += 1
                    continue
                }
                tiles.append(PlannedTile(index: row * grid.columns + column, column: column, row: row,
                                         readWindow: grid.readWindow(column: column, row: row), ownWindow: own,
                                         tissueFraction: fraction, isEdge: grid.isEdge(column: column, row: row)))
            }
        }
        self.tiles = tiles
        self.skippedCount = skipped
    }

    public var slideWidth: Int { grid.slideWidth }
    public var slideHeight: Int { grid.slideHeight }
    public var targetMPP: Double { grid.targetMPP }
    public var slideMPP: Double { grid.slideMPP }
    public var tileSize: Int { grid.tileSize }
    public var overlap: Int { grid.overlap }
    public var stride: Int { grid.stride }
    public var columns: Int { grid.columns }
    public var rows: Int { grid.rows }

    /// Detects tissue on `slide` and plans its tiles, keeping those with `tissue.minimumTissueFraction`.
    public static func plan(slide: Slide, resolution: SlideResolution, targetMPP: Double, tileSize: Int, overlap: Int,
                            tissue: TissueSettings = TissueSettings()) throws -> (plan: TilePlan, mask: TissueMask) {
        let grid: TileGrid
        do {
            grid = try TileGrid(slideWidth: slide.width, slideHeight: slide.height, slideMPP: resolution.mpp,
                                targetMPP: targetMPP, tileSize: tileSize, overlap: overlap)
        } catch let error as SlideError {
            throw SlideError(kind: error.kind, message: error.message, path: slide.url.path, context: error.context)
        }
        let mask = try TissueMask.detect(on: slide, resolution: resolution, parameters: tissue)
        return (TilePlan(grid: grid, tissueMask: mask, minimumTissueFraction: tissue.minimumTissueFraction), mask)
    }
}
