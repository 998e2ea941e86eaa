import Foundation
import Logging
import TesseraCore
import TesseraExport
import TesseraHeatmap
import TesseraStore

/// Results of a large slide made without running the network, for the export benchmark: a real run's class and
/// probability maps (the model's output on a real slide) repeated as a mosaic over a slide of any size, written
/// through the real writers (ResultsStore rows, HeatmapWriter TIFFs), with each tile's fractions and mean
/// probabilities measured on the mosaic. `tessera-dev synthetic-results` runs it.
public struct SyntheticSlideResults {
    public var sourceResults: String
    public var sourceHeatmaps: URL
    public var width: Int
    public var height: Int
    /// Pixels of no prediction between copies of the source map, in heatmap pixels.
    public var gap = 16

    public init(sourceResults: String, sourceHeatmaps: URL, width: Int, height: Int) {
        self.sourceResults = sourceResults
        self.sourceHeatmaps = sourceHeatmaps
        self.width = width
        self.height = height
    }

    /// A source map repeated over the target size every `periodX` x `periodY` pixels (the rest `empty`), read band
    /// by band like any raster.
    struct Mosaic: HeatmapRaster {
        let source: [UInt8]
        let sourceWidth: Int
        let sourceHeight: Int
        let periodX: Int
        let periodY: Int
        let width: Int
        let height: Int
        let empty: UInt8
        var channels: Int { 1 }

        func value(_ x: Int, _ y: Int) -> UInt8 {
            let sx = x % periodX, sy = y % periodY
            return sx < sourceWidth && sy < sourceHeight ? source[sy * sourceWidth + sx] : empty
        }

        func copyRows(_ rows: Range<Int>, into destination: UnsafeMutableRawBufferPointer) {
            var i = 0
            for y in rows {
                for x in 0..<width {
                    destination[i] = value(x, y)
                    i += 1
                }
            }
        }
    }

    /// Writes `<directory>/results.sqlite` and `<directory>/heatmaps/<name>` maps; returns the slide's file name.
    public func write(to directory: URL, slideFileName: String) throws -> String {
        let reader = try ResultsReader(path: sourceResults)
        guard let sourceRun = try reader.slideRuns().last(where: { $0.status == "done" }) else {
            throw ExportError(.invalidInput, "no finished slide in the source results", path: sourceResults)
        }
        let classNames = sourceRun.classes.map(\.name)
        // The source slide run's maps as its results file records them, looked for by name in `sourceHeatmaps`.
        let recorded = try reader.artefacts(of: sourceRun.slideRunID)
        func name(_ kind: Artefact.Kind, _ classIndex: Int? = nil) throws -> String {
            guard let artefact = recorded.first(where: { $0.kind == kind && $0.classIndex == classIndex }) else {
                throw ExportError(.invalidInput, "the source results record no \(kind.rawValue) map", path: sourceResults)
            }
            return URL(fileURLWithPath: artefact.path).lastPathComponent
        }
        let names = (classMap: try name(.classMap), probabilities: try classNames.indices.map { try name(.probability, $0) })
        func load(_ name: String) throws -> (HeatmapFileReader, [UInt8]) {
            let map = try HeatmapFileReader(url: sourceHeatmaps.appendingPathComponent(name))
            var pixels = [UInt8](repeating: 0, count: map.width * map.height + map.width * map.bandHeight)
            try pixels.withUnsafeMutableBufferPointer { buffer in
                for band in 0..<map.bandCount {
                    try map.readBand(band, into: UnsafeMutableBufferPointer(rebasing: buffer[(band * map.bandHeight * map.width)...]))
                }
            }
            return (map, Array(pixels.prefix(map.width * map.height)))
        }
        let (classReader, classPixels) = try load(names.classMap)
        let downsample = try classReader.metadata.downsample
            ?? { throw ExportError(.invalidInput, "the source class map states no downsample") }()
        let sourceWidth = classReader.width, sourceHeight = classReader.height
        let probabilityPixels = try names.probabilities.map { try load($0).1 }
        let mapWidth = Int((Double(width) / downsample).rounded(.up)), mapHeight = Int((Double(height) / downsample).rounded(.up))
        func mosaic(_ pixels: [UInt8], empty: UInt8) -> Mosaic {
            Mosaic(source: pixels, sourceWidth: sourceWidth, sourceHeight: sourceHeight, periodX: sourceWidth + gap,
                   periodY: sourceHeight + gap, width: mapWidth, height: mapHeight, empty: empty)
        }
        let classMap = mosaic(classPixels, empty: HeatmapWriter.noPrediction)
        let probabilities = probabilityPixels.map { mosaic($0, empty: 0) }

        // Rows: one tile per 24 x 24 heatmap pixels (a 192-px own window at d = 8) that holds a prediction.
        var logger = Logger(label: "tessera.synthetic")
        logger.logLevel = .warning
        let store = try ResultsStore(path: directory.appendingPathComponent("results.sqlite").path, logger: logger)
        let mpp = 0.5
        let parameters = #"{"heatmapModelPixels":\#(Self.jsonNumber(downsample)),"synthetic":true,"targetMPP":\#(mpp)}"#
        let run = try store.startRun(RunProvenance(
            gitCommit: nil, modelName: "synthetic mosaic of \(sourceRun.slideFileName)", modelSHA256: "synthetic",
            classes: sourceRun.classes, parametersJSON: parameters, parametersHash: "synthetic-\(width)x\(height)",
            host: "synthetic", threads: 1, openSlideVersion: nil, oneDNNVersion: nil))
        let slide = SlideRecord(path: "/synthetic/" + slideFileName, sizeBytes: Int64(width) * Int64(height),
                                mtime: Date(timeIntervalSince1970: 1_700_000_000), quickhash: "synthetic-\(width)x\(height)",
                                vendor: "synthetic", width: width, height: height, mppX: mpp, mppY: mpp, objectivePower: 20)
        let tileEdge = 24
        let tilesX = (mapWidth + tileEdge - 1) / tileEdge, tilesY = (mapHeight + tileEdge - 1) / tileEdge
        let slideRun = try store.startSlideRun(run: run.id, slide: slide, resolution: SlideResolution(mppX: mpp, mppY: mpp, source: .file),
                                               tilesPlanned: tilesX * tilesY)
        var batch: [TileResult] = []
        for ty in 0..<tilesY {
            for tx in 0..<tilesX {
                var counts = [Int](repeating: 0, count: classNames.count)
                var sums = [Int](repeating: 0, count: classNames.count)
                var predicted = 0
                for y in (ty * tileEdge)..<min(mapHeight, (ty + 1) * tileEdge) {
                    for x in (tx * tileEdge)..<min(mapWidth, (tx + 1) * tileEdge) {
                        let value = classMap.value(x, y)
                        guard value != HeatmapWriter.noPrediction else { continue }
                        predicted += 1
                        counts[Int(value)] += 1
                        for c in sums.indices { sums[c] += Int(probabilities[c].value(x, y)) }
                    }
                }
                guard predicted > 0 else { continue }
                let edge = Int(Double(tileEdge) * downsample)
                batch.append(TileResult(
                    index: ty * tilesX + tx, ownWindow: PixelRect(x: tx * edge, y: ty * edge, width: edge, height: edge),
                    tissueFraction: Double(predicted) / Double(tileEdge * tileEdge),
                    classes: counts.indices.map {
                        ClassPrediction(areaFraction: Double(counts[$0]) / Double(predicted),
                                        meanProbability: Double(sums[$0]) / 255 / Double(predicted))
                    }))
                if batch.count == 512 {
                    try store.write(tiles: batch, slideRun: slideRun.id)
                    batch.removeAll(keepingCapacity: true)
                }
            }
        }
        try store.write(tiles: batch, slideRun: slideRun.id)
        let colours = sourceRun.classes.map { info -> ClassColour in
            let (r, g, b) = Self.colour(hex: info.colour)
            return (r, g, b)
        }
        let layout = OutputLayout(outputDirectory: directory)
        let files = layout.slideRunFiles(outputStem: slideFileName, slideRun: slideRun.id, classNames: classNames)
        // The model-resolution class map (what the export traces), when the source has one: its copies start where
        // the class map's do, one model pixel (target mpp / slide mpp = 1 here) per level-0 pixel.
        var modelClassMap: (raster: any HeatmapRaster, downsample: Double)? = nil
        if let modelName = recorded.first(where: { $0.kind == .modelClassMap })
            .map({ URL(fileURLWithPath: $0.path).lastPathComponent }) {
            let (modelReader, modelPixels) = try load(modelName)
            let modelDownsample = 1.0
            let period = { (mapPixels: Int) in Int((Double(mapPixels) * downsample / modelDownsample).rounded()) }
            modelClassMap = (Mosaic(source: modelPixels, sourceWidth: modelReader.width, sourceHeight: modelReader.height,
                                    periodX: Swift.max(modelReader.width, period(sourceWidth + gap)),
                                    periodY: Swift.max(modelReader.height, period(sourceHeight + gap)),
                                    width: Int((Double(width) / modelDownsample).rounded(.up)),
                                    height: Int((Double(height) / modelDownsample).rounded(.up)),
                                    empty: HeatmapWriter.noPrediction), modelDownsample)
        }
        _ = try HeatmapWriter.writeSlideHeatmaps(
            classMap: classMap, probabilities: probabilities, modelClassMap: modelClassMap, colours: colours,
            classNames: classNames,
            files: SlideHeatmapFiles(classMap: files.classMap, overlay: files.overlay, probabilities: files.probabilities,
                                     modelClassMap: modelClassMap == nil ? nil : files.modelClassMap),
            slideName: slideFileName, downsample: downsample, micronsPerPixelX: mpp, micronsPerPixelY: mpp,
            micronsPerPixelSource: "file")
        try store.recordArtefacts(files.heatmapArtefacts.filter { $0.kind != .modelClassMap || modelClassMap != nil },
                                  run: run.id, slideRun: slideRun.id, layout: layout)
        try store.finishSlideRun(slideRun.id, status: .done, seconds: 0)
        try store.finishRun(run.id, status: .finished)
        try store.close()
        return slideFileName
    }

    /// JSON number text as the export writes it (TesseraExport's JSONNumber, which is internal there): whole values
    /// without a fraction.
    static func jsonNumber(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    /// "#rrggbb" as a colour, grey when the text is not one (as TesseraExport's QuPathFeature reads class colours).
    static func colour(hex: String) -> ClassColour {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else { return (128, 128, 128) }
        return (UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF))
    }
}
