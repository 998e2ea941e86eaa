import Foundation
import Testing
import TesseraNetwork
import TesseraTestSupport

@Suite struct WeightsTests {
    static let modelURL = Fixtures.referenceModel

    @Test func loadsTheReferenceModel() throws {
        let model = try SegmentationModel.load(contentsOf: Self.modelURL)
        #expect(model.encoder.name == "efficientnet-b2")
        #expect(model.classCount == 4)
        #expect(model.decoder.atrousRates == [12, 24, 36])
        #expect(model.decoder.decoderChannels == 256)
        #expect(model.parameterCount == 8_643_510)
        #expect(model.unusedTensors == ["encoder._bn1.bias", "encoder._bn1.running_mean", "encoder._bn1.running_var",
                                        "encoder._bn1.weight", "encoder._conv_head.weight"])
        let data = try Data(contentsOf: Fixtures.reference.appendingPathComponent("meta.json"))
        let meta = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(model.sha256 == meta["weights_sha256"] as? String)
        #expect(model.classNames.count == 4)
        #expect(model.normalisation == .imageNet)
        // 8.96 GMAC per 512x512 tile (README), the encoder's unused head excluded.
        #expect(abs(Double(model.multiplyAccumulates(height: 512, width: 512)) / 1e9 - 8.96) < 0.01)
    }

    /// A bare state dict (no metadata, no sidecar): the class count comes from the head, the rest from smp defaults.
    @Test func loadsABareStateDict() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("bare.safetensors")
        try rewriteHeader(of: Self.modelURL, to: url) { header in header.removeValue(forKey: "__metadata__") }
        let model = try SegmentationModel.load(contentsOf: url)
        #expect(model.encoder.name == "efficientnet-b2")
        #expect(model.classCount == 4)
        #expect(model.decoder.atrousRates == [12, 24, 36])

        // A sidecar JSON adds names and colours.
        let sidecar = directory.appendingPathComponent("bare.json")
        try Data(##"{"class_names": ["background", "tumour", "stroma", "necrosis"], "class_colours": [[0,0,0],"#ff0000",[0,255,0],[0,0,255]], "mpp": 0.5, "tile_size": 512}"##.utf8).write(to: sidecar)
        let named = try SegmentationModel.load(contentsOf: url)
        #expect(named.classNames == ["background", "tumour", "stroma", "necrosis"])
        #expect(named.classColours[1] == (255, 0, 0))
        #expect(named.micronsPerPixel == 0.5)
        #expect(named.tileSize == 512)
    }

    @Test func truncatedFileIsAnError() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("truncated.safetensors")
        let data = try Data(contentsOf: Self.modelURL)
        try data.prefix(data.count - 1000).write(to: url)
        do {
            _ = try SegmentationModel.load(contentsOf: url)
            Issue.record("a truncated file loaded")
        } catch let error as WeightsError {
            #expect(error.kind == .truncated)
            #expect(error.tensor != nil)
            #expect(error.description.contains("truncated.safetensors"))
        }
        try data.prefix(100).write(to: url)
        #expect(throws: WeightsError.self) { _ = try SegmentationModel.load(contentsOf: url) }
    }

    @Test func shapeMismatchNamesTheTensorAndBothShapes() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("mismatch.safetensors")
        try rewriteHeader(of: Self.modelURL, to: url) { header in
            var entry = header["decoder.block1.0.weight"] as! [String: Any]
            entry["shape"] = [24, 48, 1, 1]  // same byte count, transposed
            header["decoder.block1.0.weight"] = entry
        }
        do {
            _ = try SegmentationModel.load(contentsOf: url)
            Issue.record("a mismatched shape loaded")
        } catch let error as WeightsError {
            #expect(error.kind == .shapeMismatch)
            #expect(error.tensor == "decoder.block1.0.weight")
            #expect(error.description.contains("[24, 48, 1, 1]"))
            #expect(error.description.contains("[48, 24, 1, 1]"))
        }
    }

    @Test func missingTensorAndWrongDTypeAreErrors() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("missing.safetensors")
        try rewriteHeader(of: Self.modelURL, to: url) { header in header.removeValue(forKey: "decoder.aspp.2.running_var") }
        do {
            _ = try SegmentationModel.load(contentsOf: url)
            Issue.record("a missing tensor loaded")
        } catch let error as WeightsError {
            #expect(error.kind == .missingTensor)
            #expect(error.tensor == "decoder.aspp.2.running_var")
        }
        try rewriteHeader(of: Self.modelURL, to: url) { header in
            var entry = header["decoder.aspp.2.bias"] as! [String: Any]
            entry["dtype"] = "I16"
            header["decoder.aspp.2.bias"] = entry
        }
        do {
            _ = try SegmentationModel.load(contentsOf: url)
            Issue.record("a wrong dtype loaded")
        } catch let error as WeightsError {
            #expect(error.kind == .unsupportedDType)
            #expect(error.tensor == "decoder.aspp.2.bias")
        }
    }

    /// F32 and BF16 files give the same values as the F16 original (every F16 value is exact in both).
    @Test func upcastsF32AndBF16() throws {
        let original = try SafetensorsFile(contentsOf: Self.modelURL)
        let values = try original.floats("encoder._blocks.3._se_reduce.weight")
        #expect(values.count == 6 * 144)
        #expect(values.contains { $0 != 0 })
        // BF16 keeps 8 mantissa bits: check the conversion on a value with a short mantissa.
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("mixed.safetensors")
        let f32: [Float] = [1.5, -2.25, 0, 3e-3]
        let bf16: [UInt16] = [0x3FC0, 0xC010]  // 1.5, -2.25
        var data = Data()
        let header = #"{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[16,20]}}"#
        var length = UInt64(header.utf8.count).littleEndian
        data.append(Data(bytes: &length, count: 8))
        data.append(Data(header.utf8))
        f32.forEach { var bits = $0.bitPattern.littleEndian; data.append(Data(bytes: &bits, count: 4)) }
        bf16.forEach { var bits = $0.littleEndian; data.append(Data(bytes: &bits, count: 2)) }
        try data.write(to: url)
        let file = try SafetensorsFile(contentsOf: url)
        #expect(try file.floats("a", shape: [2, 2]) == f32)
        #expect(try file.floats("b") == [1.5, -2.25])
    }
}

/// Copies a safetensors file with an edited JSON header (data section unchanged).
func rewriteHeader(of source: URL, to destination: URL, _ edit: (inout [String: Any]) -> Void) throws {
    let data = try Data(contentsOf: source)
    let length = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
    var header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as! [String: Any]
    edit(&header)
    let encoded = try JSONSerialization.data(withJSONObject: header)
    var newLength = UInt64(encoded.count).littleEndian
    var output = Data(bytes: &newLength, count: 8)
    output.append(encoded)
    output.append(data.subdata(in: (8 + length)..<data.count))
    try output.write(to: destination)
}
