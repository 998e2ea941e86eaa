import Foundation
import Testing
import TesseraCore
import TesseraNetwork
import TesseraSlide
import TesseraStain
import TesseraTestSupport

/// `tessera model stain-reference`, run as the built binary on a copy of a model.
@Suite(.serialized) struct StainReferenceCommandTests {
    static let cmu = Fixtures.slide("CMU-1-Small-Region.svs").path

    static func copyOfModel(in directory: URL) throws -> URL {
        let copy = directory.appendingPathComponent("model.safetensors")
        try FileManager.default.copyItem(at: Fixtures.referenceModel, to: copy)
        return copy
    }

    /// Written into the safetensors metadata: the tensors are unchanged, the reference parses, and it equals what
    /// the library estimates from the same slide sample.
    @Test func writesTheReferenceIntoTheModel() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try Self.copyOfModel(in: directory)
        let before = try SafetensorsFile(contentsOf: model)
        let result = try TesseraCLI.run(["model", "stain-reference", model.path, "--from", Self.cmu, "--method", "reinhard"])
        #expect(result.status == 0, "\(result.stderr)")
        let after = try SafetensorsFile(contentsOf: model)
        #expect(after.tensors == before.tensors)
        for name in ["encoder._conv_stem.weight", "segmentation_head.0.bias"] {
            #expect(try after.floats(name) == before.floats(name))
        }
        #expect(after.metadata["architecture"] == before.metadata["architecture"])
        let reference = try StainReference(json: try #require(after.metadata["stain_reference"]))
        #expect(reference.method == .reinhard)
        #expect(reference.source?.contains("CMU-1-Small-Region.svs") == true)

        // The model still loads, and its reference is the library's estimate of the slide (the reference-random
        // model states no mpp or tile size: 0.5 um/px and 512 px tiles).
        let loaded = try SegmentationModel.load(contentsOf: model)
        #expect(loaded.metadata["stain_reference"] == after.metadata["stain_reference"])
        let slide = try Slide(contentsOf: Fixtures.slide("CMU-1-Small-Region.svs"))
        let expected = try StainEstimation.reference(from: StainSample.slide(slide, targetMPP: 0.5, tileSize: 512), method: .reinhard, source: nil)
        let lab = try #require(reference.reinhard), expectedLab = try #require(expected.reinhard)
        #expect(maxDifference(lab.mean, expectedLab.mean) < 1e-4 && maxDifference(lab.std, expectedLab.std) < 1e-4)
        let vectors = try #require(reference.macenko), expectedVectors = try #require(expected.macenko)
        #expect(maxDifference(vectors.haematoxylin, expectedVectors.haematoxylin) < 1e-5)
        // H&E: haematoxylin absorbs red and green about equally, eosin mostly green.
        #expect(vectors.haematoxylin.x > 0.4 && vectors.eosin.y > 0.7)
    }

    @Test func outAndSidecarLeaveTheWeightsFileAlone() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try Self.copyOfModel(in: directory)
        let original = try Data(contentsOf: model)
        let out = directory.appendingPathComponent("reference.json")
        var result = try TesseraCLI.run(["model", "stain-reference", model.path, "--from", Self.cmu, "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let written = try StainReference(json: String(decoding: try Data(contentsOf: out), as: UTF8.self))
        #expect(written.method == .macenko && written.reinhard != nil)

        result = try TesseraCLI.run(["model", "stain-reference", model.path, "--from", Self.cmu, "--sidecar"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Data(contentsOf: model) == original)
        let loaded = try SegmentationModel.load(contentsOf: model)
        let fromSidecar = try StainReference(json: try #require(loaded.metadata["stain_reference"]))
        #expect(fromSidecar.macenko == written.macenko)
    }

    @Test func fluorescenceSlideIsAClearError() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try Self.copyOfModel(in: directory)
        let result = try TesseraCLI.run(["model", "stain-reference", model.path, "--from", Fixtures.slide("test3-DAPI-2-387.ndpi").path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("test3-DAPI-2-387.ndpi") && result.stderr.contains("not a brightfield H&E image"), "\(result.stderr)")
        #expect(try SafetensorsFile(contentsOf: model).metadata["stain_reference"] == nil)
    }
}

func maxDifference(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double {
    let d = a - b
    return max(abs(d.x), abs(d.y), abs(d.z))
}
