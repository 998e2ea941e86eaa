import Foundation
import Testing
import TesseraCore
import TesseraNetwork
import TesseraTestSupport

/// The shipped default model (fixtures/models/default.safetensors, trained by tools/train) against the PyTorch
/// outputs stored beside it (default-expected.safetensors, written by tools/train/export.py from the same
/// float16 weights). No PyTorch is needed here.
@Suite(.serialized) struct DefaultModelTests {
    static let modelURL = Fixtures.models.appendingPathComponent("default.safetensors")
    static let model = Result { try SegmentationModel.load(contentsOf: modelURL) }
    static let expected = Result { try SafetensorsFile(contentsOf: Fixtures.models.appendingPathComponent("default-expected.safetensors")) }

    /// Runs one stored tile through Tessera's network and compares with PyTorch's logits and the derived labels.
    /// Returns the per-class IoU of Tessera's arg-max against the tile's derived labels.
    static func check(_ name: String, size: Int) throws -> [Double] {
        let model = try Self.model.get(), expected = try Self.expected.get()
        let rgb = try expected.bytes("\(name).rgb")
        #expect(rgb.count == size * size * 3)
        let tile = RGBImage(width: size, height: size, pixels: rgb)
        let segmenter = try Segmenter(model: model, batch: 1, height: size, width: size, threads: 2)
        let logits = try segmenter.logits([tile])
        let reference = try expected.floats("\(name).logits", shape: [1, 3, size, size])
        #expect(logits.count == reference.count)

        var maxError: Float = 0
        for i in 0..<reference.count { maxError = max(maxError, abs(logits[i] - reference[i])) }
        let plane = size * size
        let labels = try expected.bytes("\(name).labels")
        var agree = 0
        var intersection = [Int](repeating: 0, count: 3), union = [Int](repeating: 0, count: 3)
        for pixel in 0..<plane {
            let ours = bestClass(logits, classes: 3, plane: plane, pixel: pixel)
            if ours == bestClass(reference, classes: 3, plane: plane, pixel: pixel) { agree += 1 }
            let label = Int(labels[pixel])
            if ours == label { intersection[ours] += 1; union[ours] += 1 } else { union[ours] += 1; union[label] += 1 }
        }
        let agreement = Double(agree) / Double(plane)
        #expect(maxError <= 1e-3, "\(name): max |logit error| \(maxError) against PyTorch")
        #expect(agreement >= 0.999, "\(name): argmax agreement \(agreement) with PyTorch")
        return (0..<3).map { union[$0] == 0 ? 0 : Double(intersection[$0]) / Double(union[$0]) }
    }

    @Test func metadataDescribesTheDemonstrationModel() throws {
        let model = try Self.model.get()
        #expect(model.encoder == .b2)
        #expect(model.classCount == 3)
        #expect(model.classNames == ["background", "nuclei", "eosin-stroma"])
        #expect(model.classColours.map { [$0.0, $0.1, $0.2] } == [[255, 255, 255], [0x3B, 0x4C, 0xC0], [0xF0, 0x8C, 0xB4]])
        #expect(model.micronsPerPixel == 0.5)
        #expect(model.tileSize == 256)
        #expect(model.normalisation == .imageNet)
        // The stored PyTorch outputs were computed from exactly this file.
        let expected = try Self.expected.get()
        #expect(expected.metadata["model_sha256"] == model.sha256)

        // The training record: held-out IoU for every class, steps and seed.
        let file = try SafetensorsFile(contentsOf: Self.modelURL)
        let training = try #require(file.metadata["training"])
        let record = try #require(try JSONSerialization.jsonObject(with: Data(training.utf8)) as? [String: Any])
        let iou = try #require(record["held_out_iou"] as? [String: Double])
        #expect(Set(iou.keys) == Set(model.classNames))
        #expect(iou.values.allSatisfy { $0 > 0 && $0 <= 1 })
        #expect((record["steps"] as? Int ?? 0) > 0)
        #expect(record["seed"] as? Int == 7)
        #expect(file.metadata["description"]?.contains("not a diagnostic model") == true)
    }

    /// A 512 x 512 tile from the held-out band of CMU-1-Small-Region.svs.
    @Test func heldOutTileMatchesPyTorch() throws {
        let iou = try Self.check("tile512", size: 512)
        // The model learned the derived labels: every class overlaps them (PyTorch: 0.456, 0.632, 0.928), where a
        // network that answers one class everywhere scores 0 on two of them.
        #expect(iou.allSatisfy { $0 >= 0.4 }, "IoU with the derived labels \(iou)")
    }

    /// A 256 x 256 tile (the training tile size) from the training region.
    @Test func trainingSizeTileMatchesPyTorch() throws {
        let iou = try Self.check("tile256", size: 256)
        // PyTorch: 0.879, 0.500, 0.786.
        #expect(iou.allSatisfy { $0 >= 0.4 }, "IoU with the derived labels \(iou)")
    }
}
