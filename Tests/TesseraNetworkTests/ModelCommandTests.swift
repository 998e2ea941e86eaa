import Foundation
import Testing
import TesseraCore
import TesseraNetwork
import TesseraTestSupport

/// `tessera model info|run|bench`, run as the built binary.
@Suite(.serialized) struct ModelCommandTests {
    static let modelPath = Fixtures.models.appendingPathComponent("reference-random.safetensors").path

    static func tessera(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let result = try TesseraCLI.run(arguments)
        return (result.status, result.stdout, result.stderr)
    }

    @Test func infoJSON() throws {
        let result = try Self.tessera(["model", "info", Self.modelPath, "--json"])
        #expect(result.status == 0, "\(result.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(object["parameters"] as? Int == 8_643_510)
        #expect(object["classes"] as? Int == 4)
        #expect(object["encoder"] as? String == "efficientnet-b2")
        #expect(abs((object["gmac_per_512_tile"] as? Double ?? 0) - 8.96) < 0.01)
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.reference.appendingPathComponent("meta.json"))) as? [String: Any]
        #expect(object["sha256"] as? String == meta?["weights_sha256"] as? String)
    }

    /// PNG in, labels PNG and logits .npy out, against the reference logits of case1.
    @Test func runWritesLabelsAndLogits() throws {
        let cases = try SafetensorsFile(contentsOf: Fixtures.reference.appendingPathComponent("cases.safetensors"))
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("case1.png")
        let rgb = try cases.bytes("case1.rgb")
        try PNGImage.write(rgb: RGBImage(width: 384, height: 256, pixels: rgb), to: input)
        #expect(try PNGImage.readRGB(from: input).pixels == rgb)

        let labelsURL = directory.appendingPathComponent("labels.png"), logitsURL = directory.appendingPathComponent("logits.npy")
        let result = try Self.tessera(["model", "run", Self.modelPath, input.path, "--out", labelsURL.path, "--logits", logitsURL.path])
        #expect(result.status == 0, "\(result.error)")
        let labels = try PNGImage.read(from: labelsURL)
        #expect(labels.width == 384 && labels.height == 256 && labels.channels == 1)
        let expected = try cases.floats("case1.logits")
        let plane = 256 * 384
        var agree = 0
        for p in 0..<plane {
            let best = (0..<4).max { expected[$0 * plane + p] < expected[$1 * plane + p] }!
            if Int(labels.pixels[p]) == best { agree += 1 }
        }
        #expect(Double(agree) / Double(plane) >= 0.999)

        let npy = try Data(contentsOf: logitsURL)
        #expect(npy.prefix(6) == Data([0x93] + Array("NUMPY".utf8)))
        let headerLength = Int(npy[8]) | Int(npy[9]) << 8
        let header = String(decoding: npy[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'descr': '<f4'") && header.contains("'shape': (4, 256, 384)"))
        #expect((10 + headerLength) % 64 == 0)
        #expect(npy.count == 10 + headerLength + 4 * plane * 4)
        let first = npy.subdata(in: (10 + headerLength)..<(14 + headerLength)).withUnsafeBytes { $0.loadUnaligned(as: Float.self) }
        #expect(abs(first - expected[0]) < 1e-3)
    }

    @Test func runRejectsSizesThatAreNotMultiplesOf16() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("odd.png")
        try PNGImage.write(rgb: RGBImage(width: 40, height: 32, filledWith: 200), to: input)
        let result = try Self.tessera(["model", "run", Self.modelPath, input.path, "--out", directory.appendingPathComponent("l.png").path])
        #expect(result.status != 0)
        #expect(result.error.contains("multiples of 16"))
    }

    @Test func benchJSON() throws {
        let result = try Self.tessera(["model", "bench", Self.modelPath, "--batch", "2", "--size", "64", "--threads", "1", "--seconds", "0.2", "--json"])
        #expect(result.status == 0, "\(result.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect((object["tiles_per_second"] as? Double ?? 0) > 0)
        #expect(object["batch"] as? Int == 2)
        #expect(object["size"] as? Int == 64)
        #expect(object["threads"] as? Int == 1)
    }
}
