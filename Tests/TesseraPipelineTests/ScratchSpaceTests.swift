import Foundation
import Testing
import TesseraHeatmap
import TesseraCore
import TesseraStore
@testable import TesseraPipeline

@Suite struct ScratchSpaceTests {
    /// 100,000² at d = 8 with 3 classes: a 12,500² canvas of 4 bytes a pixel (625 MB), twice for the pyramid.
    @Test func estimateFollowsTheCanvas() {
        #expect(ScratchSpace.bytesNeeded(slideWidth: 100_000, slideHeight: 100_000, downsample: 8, classCount: 3)
                == 2 * 12_500 * 12_500 * 4)
        let directory = FileManager.default.temporaryDirectory
        #expect(ScratchSpace.shortage(of: 1, in: directory) == nil)
        let message = ScratchSpace.shortage(of: Int.max / 2, in: directory)
        #expect(message?.contains("scratch space in \(directory.path)") == true)
        #expect(message?.contains("--no-heatmaps") == true)
    }

    @Test func scratchNamesAreRecognised() {
        #expect(ScratchSpace.scratchPID(".a-b.svs.overlay.tif.partial-4242-0A1B2C3D") == 4242)
        #expect(ScratchSpace.scratchPID(".a.svs.classes.tif.level-17-DEADBEEF") == 17)
        #expect(ScratchSpace.scratchPID("a.svs.overlay.tif") == nil)
        #expect(ScratchSpace.scratchPID(".hidden-notes-1-2") == nil)
        #expect(ScratchSpace.checkpointSlideRun("slide-run-12.canvas") == 12)
        #expect(ScratchSpace.checkpointSlideRun("other.canvas") == nil)
        #expect(ScratchSpace.checkpointTemporaryPID(".slide-run-12.4242.tmp") == 4242)
        #expect(ScratchSpace.checkpointTemporaryPID("slide-run-12.json") == nil)
        #expect(ScratchSpace.checkpointTemporaryPID(".slide-run-x.4242.tmp") == nil)
    }

    /// What a killed run leaves: another process's scratch and checkpoint temporaries go, this process's stay, and a
    /// canvas stays only while its slide run can resume.
    @Test func sweepRemovesWhatDeadProcessesLeft() throws {
        let heatmaps = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-sweep-\(UUID().uuidString)")
        let partial = heatmaps.appendingPathComponent(".partial")
        try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: heatmaps) }
        let own = getpid(), other = own == 1 ? 2 : own - 1
        let files = [
            "a.svs.overlay.tif", ".a.svs.overlay.tif.partial-\(other)-0A1B2C3D", ".a.svs.overlay.tif.partial-\(own)-0A1B2C3D",
            ".partial/slide-run-1.canvas", ".partial/slide-run-1.json", ".partial/slide-run-2.canvas",
            ".partial/.slide-run-1.\(other).tmp", ".partial/.slide-run-2.\(own).tmp",
        ]
        for file in files {
            #expect(FileManager.default.createFile(atPath: heatmaps.appendingPathComponent(file).path, contents: Data([1])))
        }
        let removed = ScratchSpace.sweep(heatmapDirectory: heatmaps, resumable: [1])
        #expect(Set(removed) == [".a.svs.overlay.tif.partial-\(other)-0A1B2C3D", ".partial/slide-run-2.canvas",
                                 ".partial/.slide-run-1.\(other).tmp"])
        let left = files.filter { FileManager.default.fileExists(atPath: heatmaps.appendingPathComponent($0).path) }
        #expect(Set(left) == Set(files).subtracting(removed))
    }

    /// A full disk or an I/O error leaves the run resumable; other failures do not.
    @Test func resourceFailuresAreTold() {
        #expect(BatchRunner.isResourceFailure(StoreError(.sqlite, "database or disk is full", sqliteCode: 13)))
        #expect(BatchRunner.isResourceFailure(StoreError(.sqlite, "disk I/O error", sqliteCode: 10 | (4 << 8))))
        #expect(BatchRunner.isResourceFailure(CocoaError(.fileWriteUnknown, userInfo: [
            NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))])))
        #expect(!BatchRunner.isResourceFailure(StoreError(.sqlite, "constraint failed", sqliteCode: 19)))
        #expect(!BatchRunner.isResourceFailure(RunError.noSlides(inputs: ["x"])))
    }

    /// A full disk is told by the error's code (errno, SQLite's result code), never by its text: libtiff's and the
    /// canvas's errors carry the errno, Foundation's "out of space" (Code=640) counts with or without a POSIX error
    /// under it, and a message that merely says "no space left" is not a full disk.
    @Test func aFullDiskIsToldByItsCodeNotItsText() {
        let heatmap = HeatmapError(kind: .writeFailed, path: "/out/a.svs.classes.tif", message: "could not write",
                                   libraryMessages: "system: No space left on device", systemErrorCode: ENOSPC)
        #expect(BatchRunner.isResourceFailure(heatmap))
        #expect(SystemErrorText.isOutOfSpace(heatmap))
        #expect(BatchRunner.isResourceFailure(MappedFileError(path: "/out/.partial/x.canvas", operation: "synchronise", code: EDQUOT)))
        #expect(BatchRunner.isResourceFailure(CocoaError(.fileWriteOutOfSpace)))
        #expect(SystemErrorText.isOutOfSpace(CocoaError(.fileWriteOutOfSpace)))
        var wordsOnly = heatmap
        wordsOnly.systemErrorCode = nil
        #expect(!BatchRunner.isResourceFailure(wordsOnly))
        #expect(!BatchRunner.isResourceFailure(RunError.invalidParameter("no space left on device, database or disk is full")))
        #expect(!BatchRunner.isResourceFailure(HeatmapError(kind: .cannotOpen, path: "/out/x.tif", message: "cannot create",
                                                            systemErrorCode: EACCES)))
    }
}
