import CTIFF

/// What one TIFF directory (pyramid level) declares; read back to verify written heatmaps.
struct TIFFDirectoryInfo: Equatable {
    var width: Int
    var height: Int
    var tileWidth: Int
    var tileHeight: Int
    var samplesPerPixel: Int
    var bitsPerSample: Int
    var photometric: Int
    var compression: Int
    var predictor: Int
    var subfileType: Int
    var extraSamples: [UInt16]
    var resolutionUnit: Int
    var xResolution: Float?
    var yResolution: Float?
    var imageDescription: String?
}

extension TIFFFile {
    var isBigTIFF: Bool { TIFFIsBigTIFF(tiff) != 0 }

    var directoryCount: Int { Int(TIFFNumberOfDirectories(tiff)) }

    func selectDirectory(_ index: Int) throws(HeatmapError) {
        try check(TIFFSetDirectory(tiff, tdir_t(index)) == 1, kind: .readFailed, "cannot select directory \(index)")
    }

    /// Selects the SubIFD at `offset` (an OME-TIFF pyramid level).
    func selectSubDirectory(offset: UInt64) throws(HeatmapError) {
        try check(TIFFSetSubDirectory(tiff, offset) == 1, kind: .readFailed, "cannot select the SubIFD at offset \(offset)")
    }

    func directoryInfo() -> TIFFDirectoryInfo {
        TIFFDirectoryInfo(
            width: Int(uint32(TIFFTAG_IMAGEWIDTH) ?? 0), height: Int(uint32(TIFFTAG_IMAGELENGTH) ?? 0),
            tileWidth: Int(uint32(TIFFTAG_TILEWIDTH) ?? 0), tileHeight: Int(uint32(TIFFTAG_TILELENGTH) ?? 0),
            samplesPerPixel: Int(uint16(TIFFTAG_SAMPLESPERPIXEL) ?? 0), bitsPerSample: Int(uint16(TIFFTAG_BITSPERSAMPLE) ?? 0),
            photometric: Int(uint16(TIFFTAG_PHOTOMETRIC) ?? 0), compression: Int(uint16(TIFFTAG_COMPRESSION) ?? 0),
            predictor: Int(uint16(TIFFTAG_PREDICTOR) ?? 0), subfileType: Int(uint32(TIFFTAG_SUBFILETYPE) ?? 0),
            extraSamples: extraSamples(), resolutionUnit: Int(uint16(TIFFTAG_RESOLUTIONUNIT) ?? 0),
            xResolution: float(TIFFTAG_XRESOLUTION), yResolution: float(TIFFTAG_YRESOLUTION),
            imageDescription: string(TIFFTAG_IMAGEDESCRIPTION))
    }

    /// Decodes the current directory (tiled, 8-bit, contiguous samples) into an image.
    func readImage() throws(HeatmapError) -> HeatmapImage {
        let info = directoryInfo()
        guard info.tileWidth > 0, info.bitsPerSample == 8 else {
            throw HeatmapError(kind: .readFailed, path: reportedPath, message: "not a tiled 8-bit TIFF directory")
        }
        let channels = info.samplesPerPixel
        var image = HeatmapImage(width: info.width, height: info.height, channels: channels, filledWith: 0)
        var tile = [UInt8](repeating: 0, count: info.tileWidth * info.tileHeight * channels)
        for tileY in stride(from: 0, to: info.height, by: info.tileHeight) {
            for tileX in stride(from: 0, to: info.width, by: info.tileWidth) {
                _ = try call(kind: .readFailed, "cannot decode a tile", context: "tile at (\(tileX), \(tileY))",
                             succeeded: { $0 >= 0 }) { tiff in
                    tile.withUnsafeMutableBytes { TIFFReadTile(tiff, $0.baseAddress, UInt32(tileX), UInt32(tileY), 0, 0) }
                }
                for row in 0..<min(info.tileHeight, info.height - tileY) {
                    for column in 0..<min(info.tileWidth, info.width - tileX) {
                        for c in 0..<channels {
                            image[tileX + column, tileY + row, c] = tile[(row * info.tileWidth + column) * channels + c]
                        }
                    }
                }
            }
        }
        return image
    }
}
