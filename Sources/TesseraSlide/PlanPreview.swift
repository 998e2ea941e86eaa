import TesseraCore

/// Draws a tile plan over the slide's thumbnail: tissue tinted, kept tiles' own windows outlined (green; orange for
/// edge tiles), skipped grid cells left plain. What `tessera plan --preview` writes.
public enum PlanPreview {
    public static func render(slide: Slide, plan: TilePlan, mask: TissueMask?, maxSize: Int = 1024) throws -> RGBImage {
        var image = try slide.thumbnail(maxSize: maxSize)
        let scaleX = Double(image.width) / Double(slide.width)
        let scaleY = Double(image.height) / Double(slide.height)
        if let mask {
            for y in 0..<image.height {
                for x in 0..<image.width {
                    let column = min(mask.width - 1, Int((Double(x) + 0.5) / scaleX / mask.level0PerPixel))
                    let row = min(mask.height - 1, Int((Double(y) + 0.5) / scaleY / mask.level0PerPixel))
                    guard mask.mask[row * mask.width + column] != 0 else { continue }
                    // A light blue tint: visible on pink H&E and on white.
                    let i = (y * image.width + x) * 3
                    image.pixels[i] = UInt8((Int(image.pixels[i]) * 3 + 60) / 4)
                    image.pixels[i + 1] = UInt8((Int(image.pixels[i + 1]) * 3 + 140) / 4)
                    image.pixels[i + 2] = UInt8((Int(image.pixels[i + 2]) * 3 + 255) / 4)
                }
            }
        }
        for tile in plan.tiles {
            let colour: (UInt8, UInt8, UInt8) = tile.isEdge ? (235, 140, 0) : (0, 170, 0)
            let rect = tile.ownWindow
            let x0 = Int(Double(rect.x) * scaleX), y0 = Int(Double(rect.y) * scaleY)
            let x1 = Int(Double(rect.maxX) * scaleX) - 1, y1 = Int(Double(rect.maxY) * scaleY) - 1
            outline(&image, x0: x0, y0: y0, x1: x1, y1: y1, colour: colour)
        }
        return image
    }

    private static func outline(_ image: inout RGBImage, x0: Int, y0: Int, x1: Int, y1: Int,
                                colour: (UInt8, UInt8, UInt8)) {
        func set(_ x: Int, _ y: Int) {
            guard x >= 0, y >= 0, x < image.width, y < image.height else { return }
            let i = (y * image.width + x) * 3
            image.pixels[i] = colour.0; image.pixels[i + 1] = colour.1; image.pixels[i + 2] = colour.2
        }
        if x1 < x0 || y1 < y0 { return }
        for x in x0...x1 { set(x, y0); set(x, y1) }
        for y in y0...y1 { set(x0, y); set(x1, y) }
    }
}
