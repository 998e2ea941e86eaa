import Foundation
import Testing
import TesseraTestSupport

@Test func binaryPrintsItsVersion() throws {
    let process = Process()
    process.executableURL = Fixtures.tesseraExecutable
    process.arguments = ["--version"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    process.waitUntilExit()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 0)
    #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
}
