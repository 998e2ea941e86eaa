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
    func halved(using downsampling: PyramidDownsampling) -> HeatmapImage {
        let outWidth = (width + 1) / 2, outHeight = (height + 1) / 2
        var out = [UInt8](repeating: 0, count: outWidth * outHeight * channels)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { destination in
                for oy in 0..<outHeight {
                    let y0 = oy * 2, rows = min(2, height - y0)
                    for ox in 0..<outWidth {
                        let x0 = ox * 2, columns = min(2, width - x0)
                        // Indices of the block's pixels, in tie-breaking order.
                        var offsets: (Int, Int, Int, Int) = (0, 0, 0, 0)
                        var count = 0
                        for dy in 0..<rows {
                            for dx in 0..<columns {
                                let offset = ((y0 + dy) * width + (x0 + dx)) * channels
                                switch count {
                                case 0: offsets.0 = offset
                                case 1: offsets.1 = offset
                                case 2: offsets.2 = offset
                                default: offsets.3 = offset
                                }
                                count += 1
                            }
                        }
                        let block = [offsets.0, offsets.1, offsets.2, offsets.3].prefix(count)
                        let target = (oy * outWidth + ox) * channels
                        switch downsampling {
                        case .nearest:
                            for c in 0..<channels { destination[target + c] = source[offsets.0 + c] }
                        case .majority:
                            for c in 0..<channels {
                                var best = source[offsets.0 + c], bestCount = 0
                                for i in block {
                                    let value = source[i + c]
                                    let n = block.reduce(0) { $0 + (source[$1 + c] == value ? 1 : 0) }
                                    if n > bestCount { best = value; bestCount = n }
                                }
                                destination[target + c] = best
                            }
                        case .average:
                            if channels == 4 {
                                var alphaSum = 0
                                var weighted = (0, 0, 0)
                                for i in block {
                                    let a = Int(source[i + 3])
                                    alphaSum += a
                                    weighted.0 += Int(source[i]) * a
                                    weighted.1 += Int(source[i + 1]) * a
                                    weighted.2 += Int(source[i + 2]) * a
                                }
                                if alphaSum > 0 {
                                    destination[target] = UInt8((weighted.0 + alphaSum / 2) / alphaSum)
                                    destination[target + 1] = UInt8((weighted.1 + alphaSum / 2) / alphaSum)
                                    destination[target + 2] = UInt8((weighted.2 + alphaSum / 2) / alphaSum)
                                }
                                destination[target + 3] = UInt8((alphaSum + count / 2) / count)
                            } else {
                                for c in 0..<channels {
                                    let sum = block.reduce(0) { $0 + Int(source[$1 + c]) }
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
}
