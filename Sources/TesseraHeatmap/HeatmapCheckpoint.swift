import Foundation
import TesseraCore

/// A slide's heatmap canvas while the slide is in progress: the canvas file itself (`.partial/<key>.canvas`, the
/// planes the stitcher paints through a shared mapping) and a record of the tiles it holds (`.partial/<key>.json`).
///
/// Before each commit of tile rows the canvas is synchronised to disk and then the record is replaced atomically,
/// so after a crash the record names at most the tiles the file holds and at least the committed ones: a resumed
/// run paints the remaining tiles onto the same file instead of inferring the whole slide again. Tiles painted
/// after the last record are simply painted again (painting a tile always writes the same pixels). Both files are
/// removed when the slide's heatmaps are written or the slide fails.
public enum HeatmapCheckpoint {
    private struct Record: Codable {
        var parametersHash: String
        var width: Int
        var height: Int
        var downsample: Double
        var classCount: Int
        /// The model-resolution class map's grid (absent in records written before it existed: such a canvas is
        /// not reused).
        var modelGrid: CanvasGrid?
        var paintedTiles: [Int]
    }

    public static func folder(directory: URL) -> URL { directory.appendingPathComponent(".partial", isDirectory: true) }
    public static func canvasURL(directory: URL, key: String) -> URL { folder(directory: directory).appendingPathComponent("\(key).canvas") }
    public static func recordURL(directory: URL, key: String) -> URL { folder(directory: directory).appendingPathComponent("\(key).json") }

    /// The canvas an earlier attempt left for `key` with the tiles it holds, when its record matches these
    /// parameters and the file is intact; otherwise a new, empty canvas file (and no tiles).
    public static func openOrCreate(directory: URL, key: String, parametersHash: String, slideWidth: Int, slideHeight: Int,
                             downsample: Double, classCount: Int,
                             modelDownsample: Double? = nil) throws -> (canvas: HeatmapCanvas, paintedTiles: Set<Int>) {
        let canvasURL = canvasURL(directory: directory, key: key), recordURL = recordURL(directory: directory, key: key)
        let (width, height) = HeatmapCanvas.size(slideWidth: slideWidth, slideHeight: slideHeight, downsample: downsample)
        let modelGrid = modelDownsample.map { CanvasGrid(slideWidth: slideWidth, slideHeight: slideHeight, downsample: $0) }
        if let data = try? Data(contentsOf: recordURL),
           let record = try? JSONDecoder().decode(Record.self, from: data),
           record.parametersHash == parametersHash, record.width == width, record.height == height,
           record.downsample == downsample, record.classCount == classCount, record.modelGrid == modelGrid,
           let canvas = try? HeatmapCanvas.open(at: canvasURL, width: width, height: height, downsample: downsample,
                                                classCount: classCount, modelGrid: modelGrid) {
            return (canvas, Set(record.paintedTiles))
        }
        // No usable checkpoint: the record goes first, so a crash while the new file is made never pairs an old
        // record with a new, empty canvas.
        try FileManager.default.createDirectory(at: folder(directory: directory), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: recordURL)
        do {
            let canvas = try HeatmapCanvas.create(at: canvasURL, slideWidth: slideWidth, slideHeight: slideHeight,
                                                  downsample: downsample, classCount: classCount,
                                                  modelDownsample: modelDownsample)
            return (canvas, [])
        } catch {
            remove(directory: directory, key: key) // a full disk leaves no empty canvas or folder behind
            throw error
        }
    }

    /// Makes the canvas durable, then records that it holds `paintedTiles` (written to a temporary file, flushed,
    /// and renamed over the old record).
    public static func save(_ canvas: HeatmapCanvas, paintedTiles: Set<Int>, parametersHash: String, directory: URL,
                     key: String) throws {
        try canvas.synchronize()
        let record = Record(parametersHash: parametersHash, width: canvas.width, height: canvas.height,
                            downsample: canvas.downsample, classCount: canvas.classCount,
                            modelGrid: canvas.modelGrid, paintedTiles: paintedTiles.sorted())
        let url = recordURL(directory: directory, key: key)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(key).\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: try JSONEncoder().encode(record))
            try handle.synchronize()
            guard rename(temporary.path, url.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Removes the slide's canvas and record, and the checkpoint folder once no slide has one.
    public static func remove(directory: URL, key: String) {
        try? FileManager.default.removeItem(at: recordURL(directory: directory, key: key))
        try? FileManager.default.removeItem(at: canvasURL(directory: directory, key: key))
        let folder = folder(directory: directory)
        if (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.isEmpty == true {
            try? FileManager.default.removeItem(at: folder)
        }
    }
}
