/// An 8-bit heatmap raster, row-major and interleaved (HWC), rows top to bottom.
///
/// Pixel (x, y) of a heatmap at downsample d covers the level-0 slide region (x*d, y*d, d, d).
public struct HeatmapImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// 1 (class index or probability), 3 (RGB) or 4 (RGBA, unassociated alpha).
    public let channels: Int
    /// `width * height * channels` bytes.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "HeatmapImage: empty size \(width)x\(height)")
        precondition([1, 3, 4].contains(channels), "HeatmapImage: \(channels) channels (1, 3 or 4 supported)")
        precondition(pixels.count == width * height * channels,
                     "HeatmapImage: \(pixels.count) bytes for \(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// An image with every sample set to `value`.
    public init(width: Int, height: Int, channels: Int, filledWith value: UInt8) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: value, count: width * height * channels))
    }

    /// The samples of pixel (x, y).
    public func pixel(x: Int, y: Int) -> ArraySlice<UInt8> {
        let start = (y * width + x) * channels
        return pixels[start..<(start + channels)]
    }

    public subscript(x: Int, y: Int, channel: Int) -> UInt8 {
        get { pixels[(y * width + x) * channels + channel] }
        set { pixels[(y * width + x) * channels + channel] = newValue }
    }
}

/// How a pyramid level is made from the level above it: each output pixel comes from a 2x2 block
/// (fewer at the right and bottom edges of odd-sized levels).
public enum PyramidDownsampling: Sendable, Equatable {
    /// The block's top-left pixel. Keeps exact class indices; fastest.
    case nearest
    /// The most frequent value in the block; ties go to the value met first in the order top-left, top-right,
    /// bottom-left, bottom-right. For class maps (single channel): keeps class indices, including 255 = no prediction.
    case majority
    /// The rounded mean (half up). With 4 channels the colour is alpha-weighted (alpha is unassociated, so a
    /// transparent pixel must not tint its neighbours) and alpha is the plain mean.
    case average
}

extension HeatmapImage {
    /// The next pyramid level: ceil(width/2) x ceil(height/2).
    public func halved(using downsampling: PyramidDownsampling) -> HeatmapImage {
        let outWidth = (width + 1) / 2, outHeight = (height + 1) / 2
        let channels = channels, width = width, height = height
        var out = [UInt8](repeating: 0, count: outWidth * outHeight * channels)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { destination in
                for oy in 0..<outHeight {
                    let y0 = oy * 2, hasSecondRow = y0 + 1 < height
                    for ox in 0..<outWidth {
                        let x0 = ox * 2, hasSecondColumn = x0 + 1 < width
                        // Offsets of the block's pixels in tie-breaking order; a missing pixel (odd edge) repeats
                        // no offset: `count` says how many are real.
                        let topLeft = (y0 * width + x0) * channels
                        var block = (topLeft, 0, 0, 0)
                        var count = 1
                        if hasSecondColumn { block.1 = topLeft + channels; count += 1 }
                        if hasSecondRow {
                            let below = topLeft + width * channels
                            if count == 2 { block.2 = below; block.3 = below + channels; count = 4 }
                            else { block.1 = below; count = 2 }
                        }
                        let target = (oy * outWidth + ox) * channels
                        switch downsampling {
                        case .nearest:
                            for c in 0..<channels { destination[target + c] = source[topLeft + c] }
                        case .majority:
                            for c in 0..<channels {
                                let values = (source[block.0 + c], source[block.1 + c], source[block.2 + c], source[block.3 + c])
                                destination[target + c] = Self.majority(values, count: count)
                            }
                        case .average:
                            if channels == 4 {
                                var alphaSum = 0, red = 0, green = 0, blue = 0
                                for index in 0..<count {
                                    let i = index == 0 ? block.0 : index == 1 ? block.1 : index == 2 ? block.2 : block.3
                                    let a = Int(source[i + 3])
                                    alphaSum += a
                                    red += Int(source[i]) * a
                                    green += Int(source[i + 1]) * a
                                    blue += Int(source[i + 2]) * a
                                }
                                if alphaSum > 0 {
                                    destination[target] = UInt8((red + alphaSum / 2) / alphaSum)
                                    destination[target + 1] = UInt8((green + alphaSum / 2) / alphaSum)
                                    destination[target + 2] = UInt8((blue + alphaSum / 2) / alphaSum)
                                }
                                destination[target + 3] = UInt8((alphaSum + count / 2) / count)
                            } else {
                                for c in 0..<channels {
                                    var sum = Int(source[block.0 + c])
                                    if count > 1 { sum += Int(source[block.1 + c]) }
                                    if count > 2 { sum += Int(source[block.2 + c]) + Int(source[block.3 + c]) }
                                    destination[target + c] = UInt8((sum + count / 2) / count)
                                }
                            }
                        }
                    }
                }
            }
        }
        return HeatmapImage(width: outWidth, height: outHeight, channels: channels, pixels: out)
    }

    /// The most frequent of the first `count` values; ties go to the earliest.
    private static func majority(_ v: (UInt8, UInt8, UInt8, UInt8), count: Int) -> UInt8 {
        switch count {
        case 1, 2: return v.0 // two values: either both equal or a tie, which the first wins
        default:
            // Four values (an odd edge gives 1 or 2, never 3).
            let a = v.0, b = v.1, c = v.2, d = v.3
            let countA = 1 + (b == a ? 1 : 0) + (c == a ? 1 : 0) + (d == a ? 1 : 0)
            if countA >= 2 { return a }           // 2 of 4 ties at best with another pair, and a comes first
            let countB = 1 + (c == b ? 1 : 0) + (d == b ? 1 : 0)
            if countB >= 2 { return b }           // a is alone, so b's pair (or triple) wins
            if c == d { return c }
            return a                              // all different: the first
        }
    }
}
