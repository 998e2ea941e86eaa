import Foundation
import Testing
import TesseraSlide
import TesseraTestSupport

@Suite struct MultiFileSlideTests {
    /// A MIRAX .mrxs copied without its data folder: the error says the folder next to it is missing (OpenSlide alone
    /// only says it does not recognise the file).
    @Test func miraxWithoutItsDataFolderNamesTheFolder() throws {
        let directory = try Fixtures.temporaryDirectory("mirax")
        defer { try? FileManager.default.removeItem(at: directory) }
        let slide = directory.appendingPathComponent("case-12.mrxs")
        try Data("[GENERAL]\nSLIDE_ID=0\n".utf8).write(to: slide)
        func openingError() throws -> SlideError {
            do {
                _ = try Slide(contentsOf: slide)
            } catch let error as SlideError {
                return error
            }
            struct Opened: Error {}
            Issue.record("the .mrxs without its data folder opened")
            throw Opened()
        }
        let missing = try openingError()
        #expect(missing.kind == .companionFilesMissing)
        #expect(missing.description.contains("MIRAX data folder \(directory.appendingPathComponent("case-12").path) next to the .mrxs file is missing"))
        #expect(missing.description.contains(slide.path))
        #expect(!missing.description.contains("convert the slide"))

        try FileManager.default.createDirectory(at: directory.appendingPathComponent("case-12"), withIntermediateDirectories: true)
        #expect(try openingError().message.contains("has no Slidedat.ini"))
    }
}
