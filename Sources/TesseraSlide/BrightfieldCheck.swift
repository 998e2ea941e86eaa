import Foundation
import TesseraCore

/// Whether a slide looks like the bright-field (H&E) images Tessera's models are trained on, from a small overview of
/// the whole slide. A fluorescence scan (DAPI, TRITC...) is mostly black glass with signal in one channel; an H&E
/// model segments it without complaint and its numbers mean nothing. This cannot prove a slide is H&E; it catches the
/// case that is plainly not.
public enum BrightfieldCheck {
    /// Bright-field glass is near white: its median brightest channel is over 200. Fluorescence background is black.
    static let darkBackground = 60

    /// A warning for a slide whose overview is not bright-field-like, naming what was seen; nil when it looks fine.
    public static func warning(for overview: RGBImage) -> String? {
        let count = overview.width * overview.height
        guard count > 0 else { return nil }
        var brightest = [Int](repeating: 0, count: 256)
        var sums = [0, 0, 0]
        for index in 0..<count {
            let r = Int(overview.pixels[3 * index]), g = Int(overview.pixels[3 * index + 1]), b = Int(overview.pixels[3 * index + 2])
            brightest[max(r, g, b)] += 1
            sums[0] += r; sums[1] += g; sums[2] += b
        }
        var seen = 0, median = 0
        for (value, number) in brightest.enumerated() {
            seen += number
            if seen * 2 >= count { median = value; break }
        }
        guard median < darkBackground else { return nil }
        var text = "looks like a fluorescence scan, not bright-field H&E: dark background (median brightness "
            + "\(median)/255)"
        let total = sums.reduce(0, +)
        if total > 0, let dominant = sums.indices.max(by: { sums[$0] < sums[$1] }), sums[dominant] * 10 >= total * 8 {
            text += ", signal in one channel (\(["red", "green", "blue"][dominant]))"
        }
        return text + "; results of a bright-field model on it are not meaningful"
    }

    /// Reads an overview of `slide` at most `edge` pixels on its longer side (OpenSlide picks a reduced level).
    public static func overview(of read: (PixelRect, Int, Int) throws -> RGBImage, width: Int, height: Int,
                                edge: Int = 256) throws -> RGBImage {
        let scale = Double(edge) / Double(max(width, height, 1))
        let outputWidth = max(1, Int((Double(width) * scale).rounded())), outputHeight = max(1, Int((Double(height) * scale).rounded()))
        return try read(PixelRect(x: 0, y: 0, width: width, height: height), outputWidth, outputHeight)
    }
}
