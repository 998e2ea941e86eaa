import Foundation
import Testing
import TesseraCore
import TesseraNetwork
import TesseraTestSupport

/// The network against segmentation_models_pytorch's outputs (fixtures/reference).
@Suite(.serialized) struct ReferenceTests {
    static let model = Result { try SegmentationModel.load(contentsOf: Fixtures.referenceModel) }
    static let cases = Result { try SafetensorsFile(contentsOf: Fixtures.reference.appendingPathComponent("cases.safetensors")) }

    static func tile(_ name: String, height: Int, width: Int) throws -> RGBImage {
        RGBImage(width: width, height: height, pixels: try cases.get().bytes("\(name).rgb"))
    }

    /// Max |error| and the fraction of pixels whose arg-max class agrees.
    static func compare(_ actual: [Float], _ expected: [Float], classes: Int) -> (maxError: Float, agreement: Double) {
        precondition(actual.count == expected.count)
        var maxError: Float = 0
        for i in 0..<actual.count { maxError = max(maxError, abs(actual[i] - expected[i])) }
        let plane = actual.count / classes
        var agree = 0
        for p in 0..<plane {
            if bestClass(actual, classes: classes, plane: plane, pixel: p)
                == bestClass(expected, classes: classes, plane: plane, pixel: p) { agree += 1 }
        }
        return (maxError, Double(agree) / Double(plane))
    }

    @Test func case0LogitsAndEncoderFeatures() throws {
        let model = try Self.model.get(), cases = try Self.cases.get()
        let segmenter = try Segmenter(model: model, batch: 1, height: 512, width: 512, threads: 2, keepingEncoderFeatures: true)
        let tile = try Self.tile("case0", height: 512, width: 512)
        let features = try segmenter.encoderFeatures([tile])
        for (index, feature) in features.enumerated() {
            let expected = try cases.floats("case0.encoder.f\(index + 1)")
            let info = try #require(cases.tensors["case0.encoder.f\(index + 1)"])
            #expect(info.shape == [1, feature.channels, feature.height, feature.width])
            var maxError: Float = 0, maxValue: Float = 0
            for i in 0..<expected.count {
                maxError = max(maxError, abs(feature.values[i] - expected[i]))
                maxValue = max(maxValue, abs(expected[i]))
            }
            #expect(maxError <= 1e-3 * max(1, maxValue), "f\(index + 1): max error \(maxError), max |value| \(maxValue)")
        }
        let logits = try segmenter.logits([tile])
        let (maxError, agreement) = Self.compare(logits, try cases.floats("case0.logits"), classes: 4)
        #expect(maxError <= 1e-3, "max |logit error| \(maxError)")
        #expect(agreement >= 0.999, "argmax agreement \(agreement)")
    }

    /// A non-square tile, a call with fewer tiles than the batch size, in each activation layout this machine has
    /// kernels for (nChw8c everywhere; nChw16c where oneDNN runs AVX-512 kernels: not on an AVX2-only Zen 3, nor
    /// under ONEDNN_MAX_CPU_ISA=AVX2).
    @Test(arguments: ActivationLayout.supportedChannelBlocks) func case1PartialBatch(channelBlock: Int) throws {
        let model = try Self.model.get(), cases = try Self.cases.get()
        let segmenter = try Segmenter(model: model, batch: 2, height: 256, width: 384, threads: 2, channelBlock: channelBlock)
        #expect(segmenter.channelBlock == channelBlock)
        let tile = try Self.tile("case1", height: 256, width: 384)
        let logits = try segmenter.logits([tile])
        #expect(logits.count == 4 * 256 * 384)
        let (maxError, agreement) = Self.compare(logits, try cases.floats("case1.logits"), classes: 4)
        #expect(maxError <= 1e-3, "max |logit error| \(maxError)")
        #expect(agreement >= 0.999, "argmax agreement \(agreement)")

        let probabilities = try segmenter.probabilities([tile, tile])
        #expect(probabilities.count == 2 * 4 * 256 * 384)
        let plane = 256 * 384
        for pixel in stride(from: 0, to: plane, by: 997) {
            let sum = (0..<4).reduce(Float(0)) { $0 + probabilities[$1 * plane + pixel] }
            #expect(abs(sum - 1) < 1e-5)
            // Both images in the batch are the same tile.
            #expect(probabilities[pixel] == probabilities[4 * plane + pixel])
        }
        // No primitive fell to oneDNN's reference kernels.
        #expect(!segmenter.implementations.contains { $0.implementation.hasPrefix("ref") })
    }

    @Test func sizesThatAreNotMultiplesOf16AreRejected() throws {
        let model = try Self.model.get()
        #expect(throws: NetworkError.self) { _ = try Segmenter(model: model, batch: 1, height: 500, width: 512, threads: 1) }
        let segmenter = try Segmenter(model: model, batch: 1, height: 32, width: 32, threads: 1)
        #expect(throws: NetworkError.self) { _ = try segmenter.logits([RGBImage(width: 48, height: 32)]) }
        #expect(throws: NetworkError.self) { _ = try segmenter.logits([RGBImage(width: 32, height: 32), RGBImage(width: 32, height: 32)]) }
    }
}
