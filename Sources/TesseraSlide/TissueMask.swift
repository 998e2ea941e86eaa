import Foundation
import TesseraCore

/// Tissue detection and the tissue a tile needs to be kept: one type for `tessera plan`, `tessera run` and pipeline
/// files (the `tissue` section).
public struct TissueSettings: Sendable, Equatable, Codable {
    /// Resolution of the thumbnail the mask is computed on, in µm/px.
    public var thumbnailMPP: Double
    /// Tiles whose own window holds less tissue than this fraction are skipped (0 keeps every tile).
    public var minimumTissueFraction: Double
    /// Connected tissue regions smaller than this (in mm²) are dropped as debris.
    public var minimumRegionAreaMM2: Double
    /// The saturation threshold never goes below this (0-255), so a slide with no tissue yields an empty mask
    /// rather than Otsu splitting the background's noise in two.
    public var minimumSaturation: UInt8
    /// Pixels whose brightest channel is below this (0-255) are never tissue: near-black has meaningless hue and
    /// saturation (sensor noise), and is glass in fluorescence scans or ink and slide edges in bright field.
    public var minimumBrightness: UInt8

    public static let defaultThumbnailMPP = 8.0
    public static let defaultMinimumTissueFraction = 0.05
    public static let defaultMinimumRegionAreaMM2 = 0.01
    public static let defaultMinimumSaturation: UInt8 = 20
    public static let defaultMinimumBrightness: UInt8 = 30

    public init(thumbnailMPP: Double = defaultThumbnailMPP,
                minimumTissueFraction: Double = defaultMinimumTissueFraction,
                minimumRegionAreaMM2: Double = defaultMinimumRegionAreaMM2,
                minimumSaturation: UInt8 = defaultMinimumSaturation,
                minimumBrightness: UInt8 = defaultMinimumBrightness) {
        self.thumbnailMPP = thumbnailMPP
        self.minimumTissueFraction = minimumTissueFraction
        self.minimumRegionAreaMM2 = minimumRegionAreaMM2
        self.minimumSaturation = minimumSaturation
        self.minimumBrightness = minimumBrightness
    }

    private enum CodingKeys: String, CodingKey {
        case thumbnailMPP, minimumTissueFraction, minimumRegionAreaMM2, minimumSaturation, minimumBrightness
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            thumbnailMPP: try container.decodeIfPresent(Double.self, forKey: .thumbnailMPP) ?? Self.defaultThumbnailMPP,
            minimumTissueFraction: try container.decodeIfPresent(Double.self, forKey: .minimumTissueFraction)
                ?? Self.defaultMinimumTissueFraction,
            minimumRegionAreaMM2: try container.decodeIfPresent(Double.self, forKey: .minimumRegionAreaMM2)
                ?? Self.defaultMinimumRegionAreaMM2,
            minimumSaturation: try container.decodeIfPresent(UInt8.self, forKey: .minimumSaturation)
                ?? Self.defaultMinimumSaturation,
            minimumBrightness: try container.decodeIfPresent(UInt8.self, forKey: .minimumBrightness)
                ?? Self.defaultMinimumBrightness)
    }

    /// The two thresholds that earlier versions did not record are written only when they differ from their
    /// defaults, so the parameters hash of a run with default thresholds is the one earlier versions stored and
    /// slides they finished are still recognised as done.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(thumbnailMPP, forKey: .thumbnailMPP)
        try container.encode(minimumTissueFraction, forKey: .minimumTissueFraction)
        try container.encode(minimumRegionAreaMM2, forKey: .minimumRegionAreaMM2)
        if minimumSaturation != Self.defaultMinimumSaturation {
            try container.encode(minimumSaturation, forKey: .minimumSaturation)
        }
        if minimumBrightness != Self.defaultMinimumBrightness {
            try container.encode(minimumBrightness, forKey: .minimumBrightness)
        }
    }
}

/// Where the tissue is, on a coarse grid over the slide.
///
/// Mask pixel (i, j) covers level-0 [i * level0PerPixel, (i + 1) * level0PerPixel) in x, likewise in y.
public struct TissueMask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Level-0 pixels per mask pixel (the same in x and y).
    public let level0PerPixel: Double
    /// `width * height` values, row-major: 255 tissue, 0 background (ready to write as a gray PNG).
    public let mask: [UInt8]
    /// Level-0 size of the slide the mask covers; fractions are measured inside it.
    public let slideWidth: Int
    public let slideHeight: Int
    /// The saturation threshold used (0-255).
    public let saturationThreshold: Int

    public init(width: Int, height: Int, level0PerPixel: Double, mask: [UInt8], slideWidth: Int, slideHeight: Int,
                saturationThreshold: Int) {
        precondition(mask.count == width * height, "TissueMask: \(mask.count) values for \(width)x\(height)")
        self.width = width
        self.height = height
        self.level0PerPixel = level0PerPixel
        self.mask = mask
        self.slideWidth = slideWidth
        self.slideHeight = slideHeight
        self.saturationThreshold = saturationThreshold
    }

    /// The fraction (0...1) of `level0Rect`, clipped to the slide, that is tissue; partial mask pixels count by
    /// the area they share with the rectangle. 0 for a rectangle wholly outside the slide.
    public func fraction(in level0Rect: PixelRect) -> Double {
        let rect = level0Rect.intersection(PixelRect(x: 0, y: 0, width: slideWidth, height: slideHeight))
        if rect.isEmpty { return 0 }
        let p = level0PerPixel
        let firstColumn = max(0, Int(Double(rect.x) / p)), lastColumn = min(width - 1, Int(Double(rect.maxX) / p))
        let firstRow = max(0, Int(Double(rect.y) / p)), lastRow = min(height - 1, Int(Double(rect.maxY) / p))
        // Only a mask smaller than the slide it claims to cover can leave the rectangle outside it.
        guard firstColumn <= lastColumn, firstRow <= lastRow else { return 0 }
        let columns = firstColumn...lastColumn, rows = firstRow...lastRow
        func overlap(_ index: Int, _ low: Int, _ high: Int) -> Double {
            max(0, min(Double(high), Double(index + 1) * p) - max(Double(low), Double(index) * p))
        }
        var tissue = 0.0
        for row in rows {
            let overlapY = overlap(row, rect.y, rect.maxY)
            if overlapY == 0 { continue }
            for column in columns where mask[row * width + column] != 0 {
                tissue += overlap(column, rect.x, rect.maxX) * overlapY
            }
        }
        return min(1, tissue / Double(rect.area))
    }

    /// Whether the mask pixel holding level-0 point (x, y) is tissue (false outside the mask).
    @inline(__always)
    public func isTissue(level0X x: Double, level0Y y: Double) -> Bool {
        let column = Int(x / level0PerPixel), row = Int(y / level0PerPixel)
        guard x >= 0, y >= 0, column < width, row < height else { return false }
        return mask[row * width + column] != 0
    }

    /// Tissue fraction of the whole slide.
    public var slideTissueFraction: Double {
        fraction(in: PixelRect(x: 0, y: 0, width: slideWidth, height: slideHeight))
    }

    /// Detects tissue on a thumbnail of `slide` at `parameters.thumbnailMPP`.
    public static func detect(on slide: Slide, resolution: SlideResolution,
                              parameters: TissueSettings = TissueSettings()) throws -> TissueMask {
        guard parameters.thumbnailMPP > 0, parameters.thumbnailMPP.isFinite else {
            throw SlideError(kind: .invalidArgument, message: "thumbnail resolution \(parameters.thumbnailMPP) µm/px",
                             path: slide.url.path, context: "detecting tissue")
        }
        // Never finer than the slide itself.
        let level0PerPixel = max(1, parameters.thumbnailMPP / resolution.mpp)
        let width = max(1, Int((Double(slide.width) / level0PerPixel).rounded(.up)))
        let height = max(1, Int((Double(slide.height) / level0PerPixel).rounded(.up)))
        // The window covers whole mask pixels, so it reaches a little beyond the slide (read as white).
        let window = PixelRect(x: 0, y: 0, width: Int((Double(width) * level0PerPixel).rounded()),
                               height: Int((Double(height) * level0PerPixel).rounded()))
        // The RGB thumbnail (3 bytes a pixel) is dropped as soon as its saturation (1 byte) is known: the thumbnail
        // grows with the tissue's physical area, and planning runs while the previous slide is being inferred.
        let (saturation, histogram) = try saturationAndHistogram(
            of: slide.read(level0Window: window, outputWidth: width, outputHeight: height), parameters: parameters)
        return detect(saturation: saturation, histogram: histogram, width: width, height: height,
                      level0PerPixel: level0PerPixel, micronsPerPixel: parameters.thumbnailMPP,
                      slideWidth: slide.width, slideHeight: slide.height, parameters: parameters)
    }

    /// Tissue from a thumbnail whose pixels are `level0PerPixel` level-0 pixels (`micronsPerPixel` µm) wide:
    /// Otsu's threshold on HSV saturation (stained tissue is coloured, glass is white or grey), then a 3x3 closing
    /// (fills pinholes) and opening (removes specks), then connected regions under the minimum area are dropped.
    public static func detect(thumbnail: RGBImage, level0PerPixel: Double, micronsPerPixel: Double, slideWidth: Int,
                              slideHeight: Int, parameters: TissueSettings) -> TissueMask {
        let (saturation, histogram) = saturationAndHistogram(of: thumbnail, parameters: parameters)
        return detect(saturation: saturation, histogram: histogram, width: thumbnail.width, height: thumbnail.height,
                      level0PerPixel: level0PerPixel, micronsPerPixel: micronsPerPixel, slideWidth: slideWidth,
                      slideHeight: slideHeight, parameters: parameters)
    }

    /// HSV saturation (0-255) per thumbnail pixel, 0 below the brightness floor, and its histogram.
    static func saturationAndHistogram(of thumbnail: RGBImage,
                                       parameters: TissueSettings) -> (saturation: [UInt8], histogram: [Int]) {
        let count = thumbnail.width * thumbnail.height
        var saturation = [UInt8](repeating: 0, count: count)
        var histogram = [Int](repeating: 0, count: 256)
        for i in 0..<count {
            let r = Int(thumbnail.pixels[3 * i]), g = Int(thumbnail.pixels[3 * i + 1])
            let b = Int(thumbnail.pixels[3 * i + 2])
            let high = max(r, g, b), low = min(r, g, b)
            let value = high < Int(parameters.minimumBrightness) || high == 0 ? 0 : (high - low) * 255 / high
            saturation[i] = UInt8(value)
            histogram[value] += 1
        }
        return (saturation, histogram)
    }

    /// The mask from a saturation map, which becomes the mask in place (no second full-size copy).
    private static func detect(saturation: consuming [UInt8], histogram: [Int], width: Int, height: Int,
                               level0PerPixel: Double, micronsPerPixel: Double, slideWidth: Int, slideHeight: Int,
                               parameters: TissueSettings) -> TissueMask {
        let threshold = max(Int(parameters.minimumSaturation), otsuThreshold(histogram))
        var mask = saturation
        for i in mask.indices { mask[i] = mask[i] > threshold ? 255 : 0 }
        mask = morphology(mask, width: width, height: height, grow: true)
        mask = morphology(mask, width: width, height: height, grow: false)
        mask = morphology(mask, width: width, height: height, grow: false)
        mask = morphology(mask, width: width, height: height, grow: true)
        let pixelAreaMM2 = (micronsPerPixel / 1000) * (micronsPerPixel / 1000)
        let minimumPixels = Int((parameters.minimumRegionAreaMM2 / pixelAreaMM2).rounded(.up))
        mask = removingSmallRegions(mask, width: width, height: height, minimumPixels: minimumPixels)
        return TissueMask(width: width, height: height, level0PerPixel: level0PerPixel, mask: mask,
                          slideWidth: slideWidth, slideHeight: slideHeight, saturationThreshold: threshold)
    }

    /// Otsu's method: the threshold t maximising the between-class variance of {<= t} and {> t}.
    static func otsuThreshold(_ histogram: [Int]) -> Int {
        let total = histogram.reduce(0, +)
        if total == 0 { return 0 }
        let sumAll = histogram.enumerated().reduce(0.0) { $0 + Double($1.offset * $1.element) }
        var weightBelow = 0.0, sumBelow = 0.0, best = 0.0, bestThreshold = 0
        for t in 0..<255 {
            weightBelow += Double(histogram[t])
            sumBelow += Double(t * histogram[t])
            let weightAbove = Double(total) - weightBelow
            if weightBelow == 0 || weightAbove == 0 { continue }
            let meanBelow = sumBelow / weightBelow, meanAbove = (sumAll - sumBelow) / weightAbove
            let variance = weightBelow * weightAbove * (meanBelow - meanAbove) * (meanBelow - meanAbove)
            if variance > best { best = variance; bestThreshold = t }
        }
        return bestThreshold
    }

    /// 3x3 dilation (`grow`) or erosion. Outside the image counts as background for dilation and as tissue for
    /// erosion, so regions touching the border are not eaten away.
    static func morphology(_ mask: [UInt8], width: Int, height: Int, grow: Bool) -> [UInt8] {
        var out = mask
        for y in 0..<height {
            for x in 0..<width {
                var result: UInt8 = grow ? 0 : 255
                neighbourhood: for dy in -1...1 {
                    let yy = y + dy
                    if yy < 0 || yy >= height { continue }
                    for dx in -1...1 {
                        let xx = x + dx
                        if xx < 0 || xx >= width { continue }
                        let value = mask[yy * width + xx]
                        if grow, value != 0 { result = 255; break neighbourhood }
                        if !grow, value == 0 { result = 0; break neighbourhood }
                    }
                }
                out[y * width + x] = result
            }
        }
        return out
    }

    /// Clears 8-connected tissue regions with fewer than `minimumPixels` pixels.
    ///
    /// Marks visited pixels in the mask itself (1 = tissue seen) and floods a small region a second time to clear
    /// it, rather than keeping a visited map and every region's pixel list: the working memory is the mask and a
    /// stack of 32-bit indices.
    static func removingSmallRegions(_ mask: consuming [UInt8], width: Int, height: Int, minimumPixels: Int) -> [UInt8] {
        if minimumPixels <= 1 { return mask }
        precondition(width * height < Int(Int32.max), "tissue mask of \(width)x\(height) pixels is too large")
        var out = mask
        var stack: [Int32] = []
        /// Sets the 8-connected region at `start` whose pixels hold `from` to `to`; returns its size.
        func flood(from start: Int, replacing from: UInt8, with to: UInt8) -> Int {
            var count = 0
            out[start] = to
            stack.append(Int32(start))
            while let top = stack.popLast() {
                count += 1
                let index = Int(top), x = index % width, y = index / width
                for yy in max(0, y - 1)...min(height - 1, y + 1) {
                    for xx in max(0, x - 1)...min(width - 1, x + 1) where out[yy * width + xx] == from {
                        out[yy * width + xx] = to
                        stack.append(Int32(yy * width + xx))
                    }
                }
            }
            return count
        }
        for start in 0..<out.count where out[start] == 255 {
            if flood(from: start, replacing: 255, with: 1) < minimumPixels {
                _ = flood(from: start, replacing: 1, with: 0)
            }
        }
        for i in out.indices where out[i] == 1 { out[i] = 255 }
        return out
    }
}
