import TesseraCore

/// The Deep Zoom (DZI) pyramid over an image of `width` x `height` pixels, as OpenSeadragon requests it and as
/// openslide-python's DeepZoomGenerator lays it out: level `maxLevel` is the image at full size, each level below
/// halves it (rounding up) down to 1 x 1 at level 0; every level is cut into `tileSize` squares, each grown by
/// `overlap` pixels on the sides that have a neighbour.
public struct DeepZoomLayout: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let tileSize: Int
    public let overlap: Int
    /// Width and height of each level, level 0 (1 x 1) first.
    public let levelSizes: [(width: Int, height: Int)]

    public init(width: Int, height: Int, tileSize: Int, overlap: Int) {
        precondition(width > 0 && height > 0 && tileSize > 0 && overlap >= 0, "DeepZoomLayout: bad geometry")
        self.width = width
        self.height = height
        self.tileSize = tileSize
        self.overlap = overlap
        var sizes = [(width: width, height: height)]
        var current = (width: width, height: height)
        while current.width > 1 || current.height > 1 {
            current = ((current.width + 1) / 2, (current.height + 1) / 2)
            sizes.append(current)
        }
        levelSizes = sizes.reversed()
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.width == rhs.width && lhs.height == rhs.height && lhs.tileSize == rhs.tileSize && lhs.overlap == rhs.overlap
    }

    public var levelCount: Int { levelSizes.count }
    public var maxLevel: Int { levelSizes.count - 1 }

    /// Full-size pixels per pixel of `level`: 2^(maxLevel - level).
    public func downsample(level: Int) -> Int { 1 << (maxLevel - level) }

    /// Columns and rows of tiles at `level`.
    public func tileCounts(level: Int) -> (columns: Int, rows: Int) {
        let size = levelSizes[level]
        return ((size.width + tileSize - 1) / tileSize, (size.height + tileSize - 1) / tileSize)
    }

    /// Whether (`level`, `column`, `row`) names a tile of this pyramid.
    public func contains(level: Int, column: Int, row: Int) -> Bool {
        guard level >= 0, level < levelCount, column >= 0, row >= 0 else { return false }
        let counts = tileCounts(level: level)
        return column < counts.columns && row < counts.rows
    }

    /// The tile's pixels in its level's own coordinates, overlap included.
    public func tileRect(level: Int, column: Int, row: Int) -> PixelRect {
        let size = levelSizes[level]
        let counts = tileCounts(level: level)
        let left = column == 0 ? 0 : overlap, top = row == 0 ? 0 : overlap
        let right = column == counts.columns - 1 ? 0 : overlap, bottom = row == counts.rows - 1 ? 0 : overlap
        let x = column * tileSize, y = row * tileSize
        return PixelRect(x: x - left, y: y - top, width: min(tileSize, size.width - x) + left + right,
                         height: min(tileSize, size.height - y) + top + bottom)
    }

    /// The full-size region a tile shows, clipped to the image (a level's last column may stand for fewer
    /// full-size pixels than its width times the downsample).
    public func fullSizeRect(level: Int, column: Int, row: Int) -> PixelRect {
        let tile = tileRect(level: level, column: column, row: row)
        let scale = downsample(level: level)
        let x = tile.x * scale, y = tile.y * scale
        return PixelRect(x: x, y: y, width: min(tile.width * scale, width - x), height: min(tile.height * scale, height - y))
    }

    /// The DZI descriptor OpenSeadragon reads.
    public func descriptor(format: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="\(format)" Overlap="\(overlap)" \
        TileSize="\(tileSize)"><Size Width="\(width)" Height="\(height)"/></Image>

        """
    }
}
