import Foundation
import Testing
@testable import TesseraNetwork
import TesseraTestSupport

/// Hostile safetensors files and model metadata: each is a clear error naming the file (and the tensor or key),
/// never a trap.
@Suite struct MalformedModelTests {
    static let modelURL = Fixtures.referenceModel

    /// A safetensors file from a header (JSON text) and data bytes, with the header length as written.
    static func file(header: String, data: [UInt8] = [], headerLength: UInt64? = nil) -> Data {
        var length = (headerLength ?? UInt64(header.utf8.count)).littleEndian
        var bytes = Data(bytes: &length, count: 8)
        bytes.append(Data(header.utf8))
        bytes.append(contentsOf: data)
        return bytes
    }

    static func error(loading data: Data) -> WeightsError? {
        do {
            _ = try SafetensorsFile(data: data, url: URL(fileURLWithPath: "/models/hostile.safetensors"))
            return nil
        } catch let error as WeightsError {
            return error
        } catch {
            Issue.record("not a WeightsError: \(error)")
            return nil
        }
    }

    @Test func headerLengthOf2To63IsRefused() throws {
        for length: UInt64 in [1 << 63, UInt64.max, 1 << 62, 100_000_001] {
            let error = try #require(Self.error(loading: Self.file(header: "{}", headerLength: length)))
            #expect(error.kind == .malformedHeader)
            #expect(error.description.contains("/models/hostile.safetensors"))
            #expect(error.description.contains("\(length)"))
        }
    }

    @Test func shapesWhoseByteCountOverflowAreRefused() throws {
        for shape in ["[9223372036854775807]", "[4611686018427387904]", "[4294967296, 4294967296]", "[3037000500, 3037000500]"] {
            let header = #"{"w":{"dtype":"F32","shape":\#(shape),"data_offsets":[0,8]}}"#
            let error = try #require(Self.error(loading: Self.file(header: header, data: Array(repeating: 0, count: 8))),
                                     "shape \(shape) loaded")
            #expect(error.tensor == "w")
            #expect([.tensorOutOfBounds, .malformedHeader].contains(error.kind))
        }
        // 2^62 F32 elements: the element count fits, the byte count does not.
        let header = #"{"w":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}}"#
        let error = try #require(Self.error(loading: Self.file(header: header)))
        #expect(error.kind == .tensorOutOfBounds)
        #expect(error.message.contains("overflows"))
    }

    @Test func hugeOrFractionalOffsetsAreRefused() throws {
        for offsets in ["[0, 18446744073709551615]", "[9223372036854775807, 9223372036854775807]", "[0, 1e300]", "[0.5, 4.5]", "[-4, 0]"] {
            let header = #"{"w":{"dtype":"F32","shape":[1],"data_offsets":\#(offsets)}}"#
            let error = try #require(Self.error(loading: Self.file(header: header, data: Array(repeating: 0, count: 8))),
                                     "offsets \(offsets) loaded")
            #expect(error.tensor == "w")
        }
    }

    @Test func overlappingDataOffsetsAreRefused() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        let error = try #require(Self.error(loading: Self.file(header: header, data: Array(repeating: 0, count: 12))))
        #expect(error.kind == .tensorOutOfBounds)
        #expect(error.tensor == "b")
        #expect(error.message.contains("overlap"))
        #expect(error.message.contains("a [0, 8]"))
        // Adjacent ranges and empty tensors are fine.
        let adjacent = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}"#
        let file = try SafetensorsFile(data: Self.file(header: adjacent, data: Array(repeating: 0, count: 12)),
                                       url: URL(fileURLWithPath: "/models/ok.safetensors"))
        #expect(file.tensors.count == 3)
    }

    /// Every numeric key the README lists is checked the same way: present means it parses and is in range.
    @Test(arguments: [
        ("atrous_rates", "0,0,0"), ("atrous_rates", "-6,12,18"), ("atrous_rates", "100000,12,18"), ("atrous_rates", "12,x,36"),
        ("atrous_rates", "12,24"), ("classes", "four"), ("classes", "0"), ("decoder_channels", "wide"),
        ("decoder_channels", "-256"), ("encoder_output_stride", "sixteen"), ("encoder_output_stride", "8"),
        ("mpp", "half"), ("mpp", "0"), ("mpp", "nan"), ("tile_size", "big"), ("tile_size", "500"), ("mean", "0.5,0.5"),
        ("mean", "a,b,c"), ("std", "0.2,0,0.2"), ("class_colours", ##"[[0,0,0],[300,0,0],[0,0,255],"#00ff00"]"##),
        ("class_colours", ##"["#zzzzzz","#000000","#000000","#000000"]"##), ("class_names", #"["a","b"]"#),
        ("qupath_object_types", #"{"nuclei":"tile"}"#), ("qupath_object_types", #"{"tumour":"detection"}"#),
        ("qupath_object_types", "detection"), ("qupath_classes", #"["Tumor"]"#), ("qupath_classes", #"{"nuclei":""}"#),
    ])
    func badMetadataIsRefusedNamingTheKey(key: String, value: String) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("meta.safetensors")
        try rewriteHeader(of: Self.modelURL, to: url) { header in
            var metadata = header["__metadata__"] as? [String: Any] ?? [:]
            metadata[key] = value
            header["__metadata__"] = metadata
        }
        do {
            _ = try SegmentationModel.load(contentsOf: url)
            Issue.record("metadata \(key)=\(value) was accepted")
        } catch let error as WeightsError {
            #expect([.badMetadata, .unsupportedArchitecture].contains(error.kind))
            #expect(error.description.contains(key) || (key == "encoder_output_stride" && error.description.contains("output_stride")))
            #expect(error.description.contains("meta.safetensors"))
        }
    }

    /// The sidecar's numbers are checked like the file's own metadata.
    @Test func sidecarValuesAreCheckedToo() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("side.safetensors")
        try FileManager.default.copyItem(at: Self.modelURL, to: url)
        try Data(#"{"atrous_rates": [6, 12, 18], "mpp": 0.25, "tile_size": 512}"#.utf8)
            .write(to: directory.appendingPathComponent("side.json"))
        let model = try SegmentationModel.load(contentsOf: url)
        #expect(model.decoder.atrousRates == [6, 12, 18])
        #expect(model.micronsPerPixel == 0.25)
        #expect(model.tileSize == 512)
        try Data(#"{"atrous_rates": [0, 12, 18]}"#.utf8).write(to: directory.appendingPathComponent("side.json"))
        #expect(throws: WeightsError.self) { _ = try SegmentationModel.load(contentsOf: url) }
    }

    /// Mutated headers, lengths and sizes of a small valid file: every outcome is a load or a WeightsError, and a
    /// loaded file's tensors all lie inside the data section without overlapping.
    @Test func fuzzedHeadersNeverTrap() throws {
        let header = #"{"__metadata__":{"mpp":"0.5"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"BF16","shape":[3],"data_offsets":[16,22]},"c":{"dtype":"U8","shape":[2],"data_offsets":[22,24]}}"#
        let valid = [UInt8](Self.file(header: header, data: (0..<24).map { UInt8($0) }))
        let campaign = FuzzCampaign("safetensors headers", count: 20_000, seconds: 3)
        var loaded = 0, refused = 0
        let ran = try campaign.run { index, random in
            var bytes = valid
            for _ in 0..<Int.random(in: 1...3, using: &random) { bytes = bytes.mutated(&random) }
            if Int.random(in: 0..<8, using: &random) == 0 {
                // Rewrite the length field itself.
                let length = [UInt64.max, 1 << 63, UInt64(bytes.count), UInt64(Swift.max(bytes.count - 8, 0)), 0, 2,
                              UInt64.random(in: 0...UInt64.max, using: &random)].randomElement(using: &random)!
                withUnsafeBytes(of: length.littleEndian) { bytes.replaceSubrange(0..<Swift.min(8, bytes.count), with: $0) }
            }
            do {
                let file = try SafetensorsFile(data: Data(bytes), url: URL(fileURLWithPath: "/fuzz/\(index).safetensors"))
                loaded += 1
                let ranges = file.tensors.values.map(\.byteRange).sorted { $0.lowerBound < $1.lowerBound }
                for range in ranges {
                    #expect(range.upperBound <= bytes.count - file.dataStart, "\(campaign.failure(index, "range \(range) outside"))")
                }
                for (a, b) in zip(ranges, ranges.dropFirst()) where !a.isEmpty && !b.isEmpty {
                    #expect(b.lowerBound >= a.upperBound, "\(campaign.failure(index, "ranges \(a) and \(b) overlap"))")
                }
                for name in file.tensors.keys where file.tensors[name]!.dtype != .u8 { _ = try file.floats(name) }
            } catch let error as WeightsError {
                refused += 1
                #expect(error.file == "/fuzz/\(index).safetensors")
            }
        }
        #expect(ran >= 1000, "only \(ran) cases ran")
        #expect(loaded > 0 && refused > 0)
    }
}
