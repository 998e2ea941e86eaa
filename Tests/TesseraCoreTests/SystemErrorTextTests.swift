import Foundation
import Testing
import TesseraCore
import TesseraTestSupport

/// Foundation's errors in plain words: never `NSCocoaErrorDomain Code=512 "(null)"`.
@Suite struct SystemErrorTextTests {
    @Test func foundationErrorsSayWhatFailedWhereAndWhatToDo() throws {
        let written = SystemErrorText.describe(CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: "/data/out/a.canvas"]))
        #expect(written == "the file could not be written (/data/out/a.canvas); check free space and the folder's permissions")
        let full = SystemErrorText.describe(NSError(domain: NSCocoaErrorDomain, code: 512, userInfo: [
            NSFilePathErrorKey: "/data/out/b.tif",
            NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC)),
        ]))
        #expect(full == "no space left on device (/data/out/b.tif); free space or choose another folder")
        #expect(SystemErrorText.describe(POSIXError(.EROFS)) == "read-only file system; the storage is read-only: choose a writable folder")

        // A real one: reading a file that is not there.
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString)")
        do {
            _ = try Data(contentsOf: missing)
            Issue.record("read a missing file")
        } catch {
            #expect(SystemErrorText.isFoundationError(error))
            let text = SystemErrorText.describe(error)
            #expect(text.hasPrefix("no such file"), "\(text)")
            #expect(text.contains(missing.path), "\(text)")
            #expect(!text.contains("Domain="))
        }
        // Tessera's own errors pass through unchanged.
        struct Own: Error, CustomStringConvertible { var description: String { "own words" } }
        #expect(!SystemErrorText.isFoundationError(Own()))
        #expect(SystemErrorText.describe(Own()) == "own words")
    }

    /// End to end: a pipeline file that is not UTF-8 is named with the reason, in plain words.
    @Test func commandsNeverPrintRawFoundationErrors() throws {
        let directory = try Fixtures.temporaryDirectory("plain-errors")
        defer { try? FileManager.default.removeItem(at: directory) }
        let pipeline = directory.appendingPathComponent("latin1.yaml")
        try Data([0x6E, 0x61, 0x6D, 0x65, 0x3A, 0x20, 0xE9, 0xFF, 0x0A]).write(to: pipeline)
        let output = try TesseraCLI.run(["pipeline", "validate", pipeline.path])
        #expect(output.status != 0)
        #expect(output.stderr.contains(pipeline.path), "\(output.stderr)")
        #expect(output.stderr.contains("not UTF-8 text; save it as UTF-8"), "\(output.stderr)")
        #expect(!output.stderr.contains("Domain="), "\(output.stderr)")
    }
}
