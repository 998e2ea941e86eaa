import ArgumentParser
import Foundation
import Logging
import TesseraCore
import TesseraNetwork
import TesseraNuclei
import TesseraSlide
import TesseraStore

/// `tessera-dev nuclei-scale DB --model M --slide S`: the nuclei half of a whole-slide run at a chosen scale, without
/// the network's time: the network runs once on a few real tissue tiles of S, and their probability maps and pixels
/// stand in for every tile of a slide of `--tiles` tiles (the 2.5-gigapixel synthetic slide plans 15,427). Each tile
/// goes through the nucleus stage's own code (`TileNuclei`, the own-window rule at the tile's place) and is committed
/// with its nuclei as the write stage commits them, one transaction per batch; then the density grid is counted.
/// Prints the nuclei, the stage's CPU time per tile, the write time, the peak RSS and the results file's size.
struct NucleiScaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nuclei-scale",
        abstract: "Measure the nucleus stage and its writes at a whole slide's scale (BENCHMARKS.md, Nuclei).")

    @Argument(help: "The results file to create (must not exist).") var database: String
    @Option(help: "The model (.safetensors) whose nucleus class is separated.") var model: String
    @Option(help: "A real slide at the model's resolution; its first tissue tiles are the source tiles.") var slide: String
    @Option(help: "Distinct real tiles run through the network.") var sourceTiles = 16
    @Option(help: "Tiles of the slide to stand in for.") var tiles = 15_427
    @Option(help: "Tile columns of that slide (277 for 53,280 px at a 192 px stride).") var columns = 277
    @Option(help: "Tile size (px).") var tile = 256
    @Option(help: "Overlap between tiles (px).") var overlap = 64
    @Option(help: "Tiles per write transaction (the network's batch).") var batch = 4
    @Flag(help: "Write the tiles without their nuclei (the tile table's own write speed, for comparison).")
    var withoutNucleusRows = false
    @Flag(help: "Separate the probability alone, without the haematoxylin refinement (its cost, for comparison).")
    var withoutRefinement = false

    func run() throws {
        guard !FileManager.default.fileExists(atPath: database) else { throw ValidationError("\(database) exists") }
        let loaded = try SegmentationModel.load(contentsOf: URL(fileURLWithPath: model))
        guard let nucleusClass = loaded.nucleusClass else { throw ValidationError("\(model) names no nucleus class") }
        let source = try Slide(contentsOf: URL(fileURLWithPath: slide))
        let mpp = source.micronsPerPixel?.x ?? 0.5
        let stride = tile - overlap, margin = overlap / 2

        // The first tiles of the slide's grid with tissue in most of them (mean brightness under 215).
        var images: [RGBImage] = []
        var y = 0
        while images.count < sourceTiles && y + tile <= source.height {
            var x = 0
            while images.count < sourceTiles && x + tile <= source.width {
                let image = try source.readRegion(level0Origin: (x, y), level: 0, width: tile, height: tile)
                let mean = image.pixels.reduce(0) { $0 + Int($1) } / image.pixels.count
                if mean < 215 { images.append(image) }
                x += stride
            }
            y += stride
        }
        guard !images.isEmpty else { throw ValidationError("\(slide) has no tissue tile") }
        let segmenter = try Segmenter(model: loaded, batch: 1, height: tile, width: tile, threads: 2)
        let maps = try images.map { try segmenter.probabilities([$0]) }

        var logger = Logger(label: "tessera-dev.nuclei-scale")
        logger.logLevel = .warning
        let store = try ResultsStore(path: database, logger: logger)
        let run = try store.startRun(RunProvenance(
            gitCommit: nil, modelName: loaded.name, modelSHA256: loaded.sha256,
            classes: loaded.classNames.enumerated().map { ClassInfo(index: $0.offset, name: $0.element, colour: "#808080") },
            parametersJSON: #"{"nucleiScale":true}"#, parametersHash: "nuclei-scale", threads: 1,
            openSlideVersion: nil, oneDNNVersion: nil, nucleusClassIndex: nucleusClass))
        let rows = (tiles + columns - 1) / columns
        let record = SlideRecord(path: "/synthetic/nuclei-scale.tiff", sizeBytes: 1, mtime: Date(timeIntervalSince1970: 0),
                                 quickhash: "nuclei-scale", vendor: "synthetic", width: columns * stride,
                                 height: rows * stride, mppX: mpp, mppY: mpp, objectivePower: 20)
        let slideRun = try store.startSlideRun(run: run.id, slide: record,
                                               resolution: SlideResolution(mppX: mpp, mppY: mpp, source: .file),
                                               tilesPlanned: tiles)
        let finder = TileNuclei(classCount: loaded.classCount, nucleusClass: nucleusClass, size: tile,
                                settings: NucleusSegmentationSettings(refinesWithHaematoxylin: !withoutRefinement))
        let classes = (0..<loaded.classCount).map { _ in ClassPrediction(areaFraction: 1 / Double(loaded.classCount), meanProbability: 0.5) }
        var findSeconds = 0.0, writeSeconds = 0.0, nuclei = 0
        var pending: [TileResult] = []
        let started = Date()
        for index in 0..<tiles {
            let column = index % columns, row = index / columns
            let own = PixelRect(x: column * stride, y: row * stride, width: stride, height: stride)
            let read = PixelRect(x: own.x - margin, y: own.y - margin, width: tile, height: tile)
            let which = index % maps.count
            let cpu = Self.threadCPUSeconds()
            let found = maps[which].withUnsafeBufferPointer {
                finder.find(probabilities: $0, readWindow: read, ownWindow: own, image: images[which],
                            micronsPerPixel: (mpp, mpp))
            }
            findSeconds += Self.threadCPUSeconds() - cpu
            nuclei += found.count
            pending.append(TileResult(index: index, ownWindow: own, tissueFraction: 1, classes: classes, nuclei: withoutNucleusRows ? [] : found))
            if pending.count == batch || index == tiles - 1 {
                let clock = Date()
                try store.write(tiles: pending, slideRun: slideRun.id)
                writeSeconds += Date().timeIntervalSince(clock)
                pending.removeAll(keepingCapacity: true)
            }
        }
        let densityStarted = Date()
        let side = 100 / mpp
        var tissue: [DensityCellTissue] = []
        for cellY in 0..<Int((Double(record.height) / side).rounded(.up)) {
            for cellX in 0..<Int((Double(record.width) / side).rounded(.up)) {
                let w = min(side, Double(record.width) - Double(cellX) * side), h = min(side, Double(record.height) - Double(cellY) * side)
                tissue.append(DensityCellTissue(cellX: cellX, cellY: cellY, tissueMicrons2: w * h * mpp * mpp))
            }
        }
        try store.recordNucleusDensity(cellMicrons: 100, tissue: tissue, slideRun: slideRun.id)
        let densitySeconds = Date().timeIntervalSince(densityStarted)
        try store.finishSlideRun(slideRun.id, status: .done, seconds: Date().timeIntervalSince(started))
        try store.finishRun(run.id, status: .finished)
        try store.close()
        let bytes = (try? FileManager.default.attributesOfItem(atPath: database)[.size] as? Int) ?? 0
        print(String(format: """
            tiles %d (%d distinct source tiles), nuclei %d (%.1f per tile)
            nucleus stage: %.1f s CPU (%.2f ms per tile)
            writes: %.1f s (%d transactions of %d tiles), density grid: %.1f s (%d cells)
            peak RSS %.0f MiB, results file %.1f MB (%.0f bytes per nucleus), wall %.1f s
            """, tiles, maps.count, nuclei, Double(nuclei) / Double(tiles), findSeconds, 1000 * findSeconds / Double(tiles),
                     writeSeconds, (tiles + batch - 1) / batch, batch, densitySeconds, tissue.count,
                     ProcessMemory.peakResidentMiB(), Double(bytes) / 1e6, Double(bytes) / Double(max(nuclei, 1)),
                     Date().timeIntervalSince(started)))
    }

    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
