import Foundation

/// A slide's heatmap canvas as stitched so far, saved next to the heatmaps while the slide is in progress.
///
/// The stitcher saves it before each commit of tile rows, so after a crash it holds at least every committed tile:
/// a resumed run paints the remaining tiles onto it instead of inferring the whole slide again. It is removed when
/// the slide's heatmaps are written.
struct HeatmapCheckpoint: Sendable {
    let parametersHash: String
    let paintedTiles: Set<Int>
    let canvas: HeatmapCanvas

    private struct Header: Codable {
        var parametersHash: String
        var paintedTiles: [Int]
        var width: Int
        var height: Int
        var downsample: Double
        var classCount: Int
    }

    static func url(directory: URL, key: String) -> URL {
        directory.appendingPathComponent(".partial", isDirectory: true).appendingPathComponent("\(key).canvas")
    }

    /// Writes the checkpoint atomically (a temporary file renamed over the old one), plane by plane from the
    /// canvas's own storage, so that saving does not hold a second copy of the canvas in memory.
    func save(directory: URL, key: String) throws {
        let url = Self.url(directory: directory, key: key)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let header = Header(parametersHash: parametersHash, paintedTiles: paintedTiles.sorted(), width: canvas.width,
                            height: canvas.height, downsample: canvas.downsample, classCount: canvas.classCount)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(key).\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: try JSONEncoder().encode(header) + [0x0A])
            for plane in [canvas.classMap] + canvas.probabilities {
                try plane.withUnsafeBytes { bytes in
                    try handle.write(contentsOf: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: bytes.baseAddress!),
                                                      count: bytes.count, deallocator: .none))
                }
            }
            try handle.synchronize()
            guard rename(temporary.path, url.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// The checkpoint for `key`, or nil when there is none or it was made with other parameters or is damaged
    /// (then the slide's tiles are all inferred again, which is always correct).
    static func load(directory: URL, key: String, parametersHash: String) -> HeatmapCheckpoint? {
        guard let data = try? Data(contentsOf: url(directory: directory, key: key)),
              let newline = data.firstIndex(of: 0x0A),
              let header = try? JSONDecoder().decode(Header.self, from: data[..<newline]),
              header.parametersHash == parametersHash else { return nil }
        let planeSize = header.width * header.height
        let body = data[(newline + 1)...]
        guard body.count == planeSize * (header.classCount + 1) else { return nil }
        var planes: [[UInt8]] = []
        var offset = body.startIndex + planeSize
        for _ in 0..<header.classCount {
            planes.append([UInt8](body[offset..<(offset + planeSize)]))
            offset += planeSize
        }
        let canvas = HeatmapCanvas(width: header.width, height: header.height, downsample: header.downsample,
                                   classMap: [UInt8](body[body.startIndex..<(body.startIndex + planeSize)]),
                                   probabilities: planes)
        return HeatmapCheckpoint(parametersHash: header.parametersHash, paintedTiles: Set(header.paintedTiles),
                                 canvas: canvas)
    }

    /// Removes the checkpoint, and the checkpoint folder once no slide has one.
    static func remove(directory: URL, key: String) {
        let file = url(directory: directory, key: key)
        try? FileManager.default.removeItem(at: file)
        let folder = file.deletingLastPathComponent()
        if (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.isEmpty == true {
            try? FileManager.default.removeItem(at: folder)
        }
    }
}
