import Foundation
import TesseraCore
import TesseraHeatmap

/// The scratch files a run makes beside its heatmaps, what they need, and what a dead run left of them.
///
/// While a slide is in progress its canvas is `HEATMAPS/.partial/slide-run-N.canvas` (width x height x (classes + 1)
/// bytes at the heatmap's resolution) with a `.json` record; while its heatmaps are written, each file is a hidden
/// `.<name>.partial-PID-XXXXXXXX` renamed when complete, and reduced pyramid levels pass through
/// `.<name>.level-PID-XXXXXXXX`. A process killed meanwhile leaves them. The run holds the output's exclusive lock when
/// it sweeps, so no live run writes there: the PID-named files are a dead process's (or this one's, which it keeps),
/// and a canvas is kept only while its slide run can still be resumed.
public enum ScratchSpace {
    /// Bytes a slide needs beside its heatmaps while in progress: the canvas, plus as much again for the pyramid
    /// levels and the heatmap files being written (deflate makes them smaller; this is the bound to check against).
    public static func bytesNeeded(slideWidth: Int, slideHeight: Int, downsample: Double, classCount: Int,
                                   modelDownsample: Double? = nil) -> Int {
        let (width, height) = HeatmapCanvas.size(slideWidth: slideWidth, slideHeight: slideHeight, downsample: downsample)
        let model = modelDownsample.map { CanvasGrid(slideWidth: slideWidth, slideHeight: slideHeight, downsample: $0) }
        let canvas = width.multipliedReportingOverflow(by: height).partialValue
            .multipliedReportingOverflow(by: classCount + 1).partialValue
            .addingReportingOverflow(model.map { $0.width.multipliedReportingOverflow(by: $0.height).partialValue } ?? 0)
            .partialValue
        return canvas.multipliedReportingOverflow(by: 2).overflow ? Int.max : canvas * 2
    }

    /// Bytes free to this user on the file system of `directory`; nil when it cannot be told.
    public static func bytesAvailable(in directory: URL) -> Int? {
        var fileSystem = statvfs()
        guard statvfs(directory.path, &fileSystem) == 0 else { return nil }
        let (bytes, overflow) = Int(fileSystem.f_bavail).multipliedReportingOverflow(by: Int(fileSystem.f_frsize))
        return overflow ? Int.max : bytes
    }

    /// Nil when `directory` has room for `bytes`; otherwise the sentence that says so.
    public static func shortage(of bytes: Int, in directory: URL) -> String? {
        guard let available = bytesAvailable(in: directory), available < bytes else { return nil }
        return "the heatmaps need about \(megabytes(bytes)) of scratch space in \(directory.path), and "
            + "\(megabytes(available)) are free: free space, choose another output folder, or run with --no-heatmaps"
    }

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.0f MB", Double(bytes) / 1_000_000)
    }

    /// Removes what dead processes left in `heatmapDirectory`: PID-named scratch files of any other process (the
    /// heatmaps' and the checkpoint records' temporaries), and canvases (with their records) whose slide run is not in
    /// `resumable`. Call it holding the output's lock.
    /// Returns the names removed.
    @discardableResult
    public static func sweep(heatmapDirectory: URL, resumable: Set<Int64>) -> [String] {
        var removed: [String] = []
        let fileManager = FileManager.default
        let ownPID = getpid()
        for name in (try? fileManager.contentsOfDirectory(atPath: heatmapDirectory.path)) ?? [] {
            guard let pid = scratchPID(name), pid != ownPID else { continue }
            if (try? fileManager.removeItem(at: heatmapDirectory.appendingPathComponent(name))) != nil { removed.append(name) }
        }
        let partial = HeatmapCheckpoint.folder(directory: heatmapDirectory)
        for name in (try? fileManager.contentsOfDirectory(atPath: partial.path)) ?? [] {
            let stale: Bool
            if let pid = checkpointTemporaryPID(name) {
                stale = pid != ownPID
            } else if let id = checkpointSlideRun(name) {
                stale = !resumable.contains(id)
            } else {
                stale = false
            }
            guard stale else { continue }
            if (try? fileManager.removeItem(at: partial.appendingPathComponent(name))) != nil {
                removed.append(".partial/" + name)
            }
        }
        return removed
    }

    /// The PID in `.<name>.partial-PID-XXXXXXXX` or `.<name>.level-PID-XXXXXXXX` (HeatmapWriter, ScratchRaster).
    static func scratchPID(_ name: String) -> Int32? {
        guard name.hasPrefix(".") else { return nil }
        let parts = name.split(separator: "-")
        guard parts.count >= 3, let suffix = parts.last, suffix.count == 8, suffix.allSatisfy(\.isHexDigit),
              let pid = Int32(parts[parts.count - 2]), pid > 0 else { return nil }
        let head = parts[parts.count - 3]
        return head.hasSuffix(".partial") || head.hasSuffix(".level") ? pid : nil
    }

    /// The PID in `.slide-run-N.PID.tmp`, a checkpoint record being written (HeatmapCheckpoint.save): a kill between
    /// its creation and its rename leaves it behind, and no later run needs it.
    static func checkpointTemporaryPID(_ name: String) -> Int32? {
        let parts = name.split(separator: ".")
        guard name.hasPrefix(".slide-run-"), parts.count == 3, parts[2] == "tmp", checkpointSlideRun(String(parts[0])) != nil,
              let pid = Int32(parts[1]), pid > 0 else { return nil }
        return pid
    }

    /// N in `slide-run-N.canvas` or `slide-run-N.json`.
    static func checkpointSlideRun(_ name: String) -> Int64? {
        guard name.hasPrefix("slide-run-") else { return nil }
        return Int64(name.dropFirst("slide-run-".count).prefix { $0.isNumber })
    }
}

/// Too little free space for a slide's scratch files: the slide fails with this, the batch goes on.
public struct ScratchSpaceError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
