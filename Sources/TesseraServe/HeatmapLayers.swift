import Foundation
import TesseraCore
import TesseraHeatmap
import TesseraStore

/// A heatmap shown as a layer over a slide.
public struct HeatmapLayer: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `<slide>.overlay.tif`: the class colours, as written.
        case overlay
        /// `<slide>.prob-<class>.tif`: one class's probability through `ColourMap.viridis`, transparent where the
        /// class map (`<slide>.classes.tif`) says no prediction.
        case probability(classIndex: Int)
        /// `<slide>.sr<N>.qc.tif`: the slide QC's artefact map, each pixel in its lowest kind's colour
        /// (`QCMaskFile.colour`), transparent where no artefact was found.
        case qc
    }

    /// "overlay" or "prob-<class index>": the layer's name in URLs.
    public var id: String
    public var title: String
    public var kind: Kind
    /// The TIFF the layer shows.
    public var file: URL
    /// The class map, which masks a probability layer.
    public var classMap: URL
}

/// A 256-entry RGB colour map for probabilities.
public enum ColourMap {
    /// matplotlib's viridis at 0, 1/8, ..., 1 (the page draws its legend from the same stops).
    public static let viridisStops: [(red: UInt8, green: UInt8, blue: UInt8)] = [
        (0x44, 0x01, 0x54), (0x47, 0x2D, 0x7B), (0x3B, 0x52, 0x8B), (0x2C, 0x72, 0x8E), (0x21, 0x91, 0x8C),
        (0x28, 0xAE, 0x80), (0x5E, 0xC9, 0x62), (0xAD, 0xDC, 0x30), (0xFD, 0xE7, 0x25),
    ]

    /// Value v (0...255) -> colour, linear between the stops; 768 bytes, R G B per entry.
    public static let viridis: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256 * 3)
        let segments = Double(viridisStops.count - 1)
        for value in 0..<256 {
            let position = Double(value) / 255 * segments
            let lower = min(Int(position), viridisStops.count - 2)
            let t = position - Double(lower)
            let a = viridisStops[lower], b = viridisStops[lower + 1]
            let mix = { (x: UInt8, y: UInt8) in UInt8((Double(x) * (1 - t) + Double(y) * t).rounded()) }
            table[value * 3] = mix(a.red, b.red)
            table[value * 3 + 1] = mix(a.green, b.green)
            table[value * 3 + 2] = mix(a.blue, b.blue)
        }
        return table
    }()

    public static var viridisCSSStops: [String] {
        viridisStops.map { String(format: "#%02x%02x%02x", $0.red, $0.green, $0.blue) }
    }
}

/// The heatmap files of a slide run, as its results file records them. Nothing from a URL reaches a path: the layer
/// comes from a fixed list and its file from the slide run's artefact records; a recorded file is served only when,
/// with every symbolic link resolved, it is a regular file inside the output folder (or inside a folder outside it
/// that the records name, as a merged results file's records name its shards' folders) and still has the size
/// recorded.
public struct HeatmapLayerCatalog: Sendable {
    public let layout: OutputLayout
    /// The output folder `serve` was given.
    public let outputDirectory: URL

    public init(layout: OutputLayout, outputDirectory: URL) {
        self.layout = layout
        self.outputDirectory = outputDirectory.standardizedFileURL
    }

    /// The layers whose files are recorded and servable for `slide`: overlay first, then each class's probability in
    /// class order, then the QC's artefact map (which a QC-only run has without the others).
    public func layers(for slide: SlideRunDetail) -> [HeatmapLayer] {
        classLayers(for: slide) + (qcLayer(for: slide).map { [$0] } ?? [])
    }

    /// The QC layer of `slide`, when its QC map is recorded and servable (its `classMap` is the map itself).
    public func qcLayer(for slide: SlideRunDetail) -> HeatmapLayer? {
        guard let file = servableFile(slide.artefacts.first { $0.kind == .qcMask }) else { return nil }
        return HeatmapLayer(id: "qc", title: "QC artefacts", kind: .qc, file: file, classMap: file)
    }

    private func classLayers(for slide: SlideRunDetail) -> [HeatmapLayer] {
        guard let classMap = servableFile(slide.artefacts.first { $0.kind == .classMap }) else { return [] }
        var layers: [HeatmapLayer] = []
        if let overlay = servableFile(slide.artefacts.first { $0.kind == .overlay }) {
            layers.append(HeatmapLayer(id: "overlay", title: "classes", kind: .overlay, file: overlay, classMap: classMap))
        }
        for info in slide.classes {
            if let file = servableFile(slide.artefacts.first { $0.kind == .probability && $0.classIndex == info.index }) {
                layers.append(HeatmapLayer(id: "prob-\(info.index)", title: "p(\(info.name))",
                                           kind: .probability(classIndex: info.index), file: file, classMap: classMap))
            }
        }
        return layers
    }

    /// The recorded file of `artefact` when it may be served (see the type's comment); nil otherwise.
    public func servableFile(_ artefact: Artefact?) -> URL? {
        guard let artefact, artefact.removedAt == nil else { return nil }
        let file = layout.resolve(artefact.path)
        var roots = [outputDirectory, layout.root]
        // A record that points outside the results folder names the folder it trusts (a merged file's shards).
        if artefact.path.hasPrefix("../") || artefact.path.hasPrefix("/") {
            roots.append(file.deletingLastPathComponent())
        }
        guard OutputLayout.isRegularFile(file, inside: roots),
              let size = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? NSNumber,
              size.int64Value == artefact.sizeBytes else { return nil }
        return file
    }
}

/// A heatmap file opened for serving: its Deep Zoom layout (one DZI tile = one TIFF tile, no overlap) and tiles.
struct HeatmapTileSource {
    let layer: HeatmapLayer
    let reader: HeatmapFileReader
    let levels: [HeatmapFileReader.Level]
    let downsample: Double
    let layout: DeepZoomLayout

    init(layer: HeatmapLayer) throws {
        self.layer = layer
        reader = try HeatmapFileReader(url: layer.file)
        levels = try reader.levels()
        let base = levels[0]
        guard base.tileWidth == base.tileHeight, levels.allSatisfy({ $0.tileWidth == base.tileWidth }) else {
            throw HeatmapError(kind: .readFailed, path: layer.file.path, message: "tiles are not square and alike")
        }
        guard let downsample = reader.metadata.downsample, downsample > 0 else {
            throw HeatmapError(kind: .readFailed, path: layer.file.path,
                               message: "the ImageDescription states no downsample: not a heatmap written by Tessera")
        }
        self.downsample = downsample
        layout = DeepZoomLayout(width: base.width, height: base.height, tileSize: base.tileWidth, overlap: 0)
    }

    /// What a page needs to place the layer: its Deep Zoom layout and level-0 pixels per heatmap pixel.
    struct Geometry: Sendable {
        var layout: DeepZoomLayout
        var downsample: Double
    }

    var geometry: Geometry { Geometry(layout: layout, downsample: downsample) }

    /// The RGBA pixels of Deep Zoom tile (`level`, `column`, `row`): TIFF level (maxLevel - level); below the
    /// file's smallest level, that level halved again (the writer's own reduction).
    func rgbaTile(level: Int, column: Int, row: Int, transparentBelow: Int = Self.transparentBelow) throws -> HeatmapImage {
        let fileLevel = layout.maxLevel - level
        switch layer.kind {
        case .overlay:
            let image = try Self.tile(reader, levels: levels.count, fileLevel: fileLevel, column: column, row: row,
                                      halving: .average)
            if image.channels == 4 { return image }
            // An OME-TIFF overlay is RGB composited on white (for QuPath): drawn over the slide, white is clear.
            if reader.format == .omeTIFF, image.channels == 3 { return HeatmapWriter.overlayRGBA(fromRGBOnWhite: image) }
            return Self.opaqueRGBA(image)
        case .probability:
            let probability = try Self.tile(reader, levels: levels.count, fileLevel: fileLevel, column: column,
                                            row: row, halving: .average)
            let classMap = try? HeatmapFileReader(url: layer.classMap)
            let classes = try? classMap.map {
                try Self.tile($0, levels: try $0.levels().count, fileLevel: fileLevel, column: column, row: row,
                              halving: .majority)
            }
            return Self.colourMapped(probability, mask: classes, transparentBelow: transparentBelow)
        case .qc:
            let values = try Self.tile(reader, levels: levels.count, fileLevel: fileLevel, column: column, row: row,
                                       halving: .majority)
            return Self.qcColoured(values, kinds: reader.metadata.classNames)
        }
    }

    /// A QC map's values in their lowest kind's colour, opaque (the page sets the layer's opacity); 0 transparent.
    static func qcColoured(_ values: HeatmapImage, kinds: [String]) -> HeatmapImage {
        var table = [UInt8](repeating: 0, count: 256 * 4)
        for value in 1..<256 {
            guard let lowest = kinds.indices.first(where: { QCMaskFile.flags(UInt8(value), kindIndex: $0) }) else { continue }
            let colour = QCMaskFile.colour(of: kinds[lowest])
            table.replaceSubrange((value * 4)..<(value * 4 + 4), with: [colour.red, colour.green, colour.blue, 255])
        }
        var rgba = [UInt8](repeating: 0, count: values.width * values.height * 4)
        for index in 0..<(values.width * values.height) {
            let value = Int(values.pixels[index * values.channels])
            for c in 0..<4 { rgba[index * 4 + c] = table[value * 4 + c] }
        }
        return HeatmapImage(width: values.width, height: values.height, channels: 4, pixels: rgba)
    }

    /// Tile (`column`, `row`) of `fileLevel`; past the file's `levels` levels, its last level (which fits one
    /// tile, so only tile (0, 0) exists) halved again.
    private static func tile(_ reader: HeatmapFileReader, levels: Int, fileLevel: Int, column: Int, row: Int,
                             halving: PyramidDownsampling) throws -> HeatmapImage {
        if fileLevel < levels {
            return try reader.readTile(level: fileLevel, column: column, row: row)
        }
        var image = try reader.readTile(level: levels - 1, column: 0, row: 0)
        for _ in levels..<(fileLevel + 1) { image = image.halved(using: halving) }
        return image
    }

    /// Probabilities below this (of 255) are left transparent by default: glass and unlikely pixels show the slide,
    /// not the colour map's dark end. The viewer's "show p ≥" slider asks for another threshold.
    static let transparentBelow = 26   // p < 0.1

    /// The heatmap pixel values at level-0 point (x, y) of level 0: one tile read.
    func value(atLevel0 x: Double, _ y: Double) throws -> UInt8? {
        let px = Int(x / downsample), py = Int(y / downsample)
        let base = levels[0]
        guard px >= 0, py >= 0, px < base.width, py < base.height else { return nil }
        let tile = try reader.readTile(level: 0, column: px / base.tileWidth, row: py / base.tileHeight)
        let u = px % base.tileWidth, v = py % base.tileHeight
        guard u < tile.width, v < tile.height else { return nil }
        return tile.pixels[(v * tile.width + u) * tile.channels]
    }

    static func colourMapped(_ probability: HeatmapImage, mask classes: HeatmapImage?,
                             transparentBelow: Int = transparentBelow) -> HeatmapImage {
        let table = ColourMap.viridis
        var rgba = [UInt8](repeating: 0, count: probability.width * probability.height * 4)
        let sameSize = classes.map { $0.width == probability.width && $0.height == probability.height } ?? false
        for index in 0..<(probability.width * probability.height) {
            let value = Int(probability.pixels[index * probability.channels])
            let predicted = sameSize ? classes!.pixels[index] != HeatmapWriter.noPrediction : value > 0
            guard predicted, value >= transparentBelow else { continue }
            rgba[index * 4] = table[value * 3]
            rgba[index * 4 + 1] = table[value * 3 + 1]
            rgba[index * 4 + 2] = table[value * 3 + 2]
            rgba[index * 4 + 3] = 255
        }
        return HeatmapImage(width: probability.width, height: probability.height, channels: 4, pixels: rgba)
    }

    private static func opaqueRGBA(_ image: HeatmapImage) -> HeatmapImage {
        var rgba = [UInt8](repeating: 255, count: image.width * image.height * 4)
        for index in 0..<(image.width * image.height) {
            for c in 0..<3 { rgba[index * 4 + c] = image.pixels[index * image.channels + min(c, image.channels - 1)] }
        }
        return HeatmapImage(width: image.width, height: image.height, channels: 4, pixels: rgba)
    }
}
