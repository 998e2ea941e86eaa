import Foundation
import Testing
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
}
