import Testing
import TesseraTestSupport

@Test func binaryPrintsItsVersion() throws {
    let output = try TesseraCLI.run(["--version"])
    #expect(output.status == 0)
    #expect(output.stdout == "0.1.0\n")
}
