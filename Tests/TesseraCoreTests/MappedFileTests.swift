import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraCore

@Suite struct MappedFileTests {
    @Test func writesSurviveReleasingPagesAndReopening() throws {
        let directory = try Fixtures.temporaryDirectory("mapped-file")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("canvas")
        let size = 3 * 4096 + 100 // whole pages and a partial one
        do {
            let file = try MappedFile(creating: url, byteCount: size)
            try file.fill(0..<5000, with: 255)
            let bytes = file.bytes.assumingMemoryBound(to: UInt8.self)
            #expect(bytes[0] == 255 && bytes[4999] == 255 && bytes[5000] == 0)
            for i in stride(from: 0, to: size, by: 97) { bytes[i] = UInt8(i % 251) }
            file.releaseResidentPages()
            // Dropped from memory, not from the file: the shared mapping faults the written bytes back in.
            #expect(bytes[97] == 97 % 251 && bytes[4850] == UInt8(4850 % 251) && bytes[4999] == 255)
            try file.synchronize()
        }
        #expect(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int == size)
        let reopened = try MappedFile(openingExisting: url, byteCount: size)
        let bytes = reopened.bytes.assumingMemoryBound(to: UInt8.self)
        let last = (size - 1) / 97 * 97
        #expect(bytes[last] == UInt8(last % 251))
        #expect(bytes[1] == 255 && bytes[5001] == 0)
    }

    @Test func anonymousMemoryKeepsItsContentsWhenAskedToReleasePages() throws {
        let memory = try MappedFile(anonymousByteCount: 10_000)
        try memory.fill(0..<10_000, with: 7)
        memory.releaseResidentPages()   // a no-op for anonymous memory, which would otherwise lose the bytes
        #expect(memory.bytes.load(fromByteOffset: 9_999, as: UInt8.self) == 7)
        #expect(memory.path == nil)
    }

    @Test func errorsNameTheFileAndTheProblem() throws {
        let directory = try Fixtures.temporaryDirectory("mapped-file-errors")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("short")
        FileManager.default.createFile(atPath: url.path, contents: Data(count: 10))
        let wrongSize = #expect(throws: MappedFileError.self) { try MappedFile(openingExisting: url, byteCount: 20) }
        #expect(wrongSize?.description == "\(url.path): could not map: the file is 10 bytes, 20 expected; "
                + "check free disk space and that the directory is writable")
        let missing = directory.appendingPathComponent("no/such/folder/canvas")
        let cannotCreate = #expect(throws: MappedFileError.self) { try MappedFile(creating: missing, byteCount: 20) }
        #expect(cannotCreate?.path == missing.path)
        #expect(cannotCreate?.systemMessage == "No such file or directory")
    }

    @Test func glibcTakesTheFixedMmapThreshold() {
        // The shim compiles to a no-op where <malloc.h> has no mallopt; on Linux it must not have.
        #if os(Linux)
        #expect(MallocPolicy.useFixedMmapThreshold())
        #endif
    }
}
