import Foundation
import Testing
import TesseraPipeline
import TesseraTestSupport

/// The default model: the library looks where it is told (`DefaultModel.url(override:)`) and reads no environment;
/// the command line hands it `TESSERA_DEFAULT_MODEL`.
@Suite struct DefaultModelLookupTests {
    @Test func theOverrideComesFirstAndAMissingOneFallsBack() throws {
        let reference = Fixtures.referenceModel
        #expect(try DefaultModel.url(override: reference.path) == reference)
        // Not readable: the bundled places are searched, and an error would name every place looked in.
        let fallback = Result { try DefaultModel.url(override: "/nonexistent/model.safetensors") }
        switch fallback {
        case .success(let url): #expect(url.lastPathComponent == DefaultModel.fileName)
        case .failure(let error): #expect("\(error)".contains("/nonexistent/model.safetensors"))
        }
    }

    /// `tessera plan` without `--model` plans with the model TESSERA_DEFAULT_MODEL names (reference-random states
    /// no tile size, so 512; the bundled model states 256).
    @Test func theCommandLinePassesTheEnvironmentVariable() throws {
        let slide = Fixtures.slide("small.svs").path
        let named = try TesseraCLI.run(["plan", slide], environment: ["TESSERA_DEFAULT_MODEL": Fixtures.referenceModel.path])
        #expect(named.status == 0, "\(named.stderr)")
        #expect(named.stdout.contains("tile 512,"), "\(named.stdout)")
        let bundled = try TesseraCLI.run(["plan", slide], unsetting: ["TESSERA_DEFAULT_MODEL"])
        #expect(bundled.stdout.contains("tile 256,"), "\(bundled.stdout)")
    }
}
