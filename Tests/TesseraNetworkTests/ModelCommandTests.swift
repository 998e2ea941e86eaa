import Foundation
import Testing
import TesseraCore
import TesseraNetwork
import TesseraTestSupport

/// `tessera model info|run|bench`, run as the built binary.
@Suite(.serialized) struct ModelCommandTests {
    static let modelPath = Fixtures.referenceModel.path

    static func tessera(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String, error: String) {
        let result = try TesseraCLI.run(arguments, environment: environment)
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

    /// PNG in, labels PNG and logits .npy out, against the reference logits of case1: with the kernels of this
    /// machine, and with those of an AVX2-only one (ONEDNN_MAX_CPU_ISA=AVX2), so that CI on an AVX-512 machine also
    /// checks the numbers of the path a Zen 3 runs.
    @Test(arguments: [[:], ["ONEDNN_MAX_CPU_ISA": "AVX2"]])
    func runWritesLabelsAndLogits(environment: [String: String]) throws {
        let cases = try SafetensorsFile(contentsOf: Fixtures.reference.appendingPathComponent("cases.safetensors"))
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("case1.png")
        let rgb = try cases.bytes("case1.rgb")
        try PNGImage.write(rgb: RGBImage(width: 384, height: 256, pixels: rgb), to: input)
        #expect(try PNGImage.readRGB(from: input).pixels == rgb)

        let labelsURL = directory.appendingPathComponent("labels.png"), logitsURL = directory.appendingPathComponent("logits.npy")
        let result = try Self.tessera(["model", "run", Self.modelPath, input.path, "--out", labelsURL.path, "--logits", logitsURL.path],
                                      environment: environment)
        #expect(result.status == 0, "\(result.error)")
        let labels = try PNGImage.read(from: labelsURL)
        #expect(labels.width == 384 && labels.height == 256 && labels.channels == 1)
        let expected = try cases.floats("case1.logits")
        let plane = 256 * 384
        var agree = 0
        for p in 0..<plane {
            if Int(labels.pixels[p]) == bestClass(expected, classes: 4, plane: plane, pixel: p) { agree += 1 }
        }
        #expect(Double(agree) / Double(plane) >= 0.999)

        let npy = try Data(contentsOf: logitsURL)
        #expect(npy.prefix(6) == Data([0x93] + Array("NUMPY".utf8)))
        let headerLength = Int(npy[8]) | Int(npy[9]) << 8
        let header = String(decoding: npy[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'descr': '<f4'") && header.contains("'shape': (4, 256, 384)"))
        #expect((10 + headerLength) % 64 == 0)
        #expect(npy.count == 10 + headerLength + 4 * plane * 4)
        let logits = npy.subdata(in: (10 + headerLength)..<npy.count).withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
        }
        #expect(logits.count == expected.count)
        let maxError = zip(logits, expected).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        #expect(maxError <= 1e-3, "max |logit error| \(maxError)")
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

    /// The CLI re-executes itself with a 0.1 ms OpenMP spin when the wait policy is unset, and keeps what the user
    /// set; `model bench` reports the settings it ran under (libgomp reads them only at process start).
    @Test(arguments: [
        (set: [String: String](), expected: ("passive", "10000") as (String?, String?)),
        (set: ["OMP_WAIT_POLICY": "active"], expected: ("active", nil)),
        (set: ["GOMP_SPINCOUNT": "2000"], expected: ("passive", "2000")),
    ])
    func benchReportsTheOpenMPWaitItRanUnder(set: [String: String], expected: (String?, String?)) throws {
        let result = try TesseraCLI.run(["model", "bench", Self.modelPath, "--batch", "1", "--size", "64", "--threads", "1",
                                         "--seconds", "0.05", "--json"],
                                        environment: set, unsetting: ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT"].filter { set[$0] == nil })
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["openmp_wait_policy"] as? String == expected.0)
        #expect(object["gomp_spincount"] as? String == expected.1)
        #expect(object.keys.contains("gomp_spincount"), "a spin count left to libgomp is reported as null")
    }

    /// The network's oneDNN kernels, as `model bench --profile` lists them, with `environment` added.
    static func kernels(environment: [String: String] = [:]) throws -> [String] {
        let result = try TesseraCLI.run(["model", "bench", modelPath, "--batch", "1", "--size", "64", "--threads", "1",
                                         "--seconds", "0.05", "--profile", "--json"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let layers = try #require(object["layers"] as? [[String: Any]])
        return layers.compactMap { $0["implementation"] as? String }
    }

    /// ONEDNN_MAX_CPU_ISA=AVX2 makes this machine what an AVX2-only Zen 3 is: the network then picks the nChw8c
    /// layout (it asks oneDNN which ISA it will use, not /proc/cpuinfo) and runs oneDNN's AVX2 kernels, none of them
    /// AVX-512 and none of oneDNN's slow `ref` kernels.
    @Test func underAVX2OnlyTheNetworkRunsAVX2KernelsAndNoReferenceKernel() throws {
        let kernels = try Self.kernels(environment: ["ONEDNN_MAX_CPU_ISA": "AVX2"])
        #expect(kernels.count > 50)
        #expect(kernels.contains { $0.contains("avx2") }, "\(Set(kernels))")
        #expect(!kernels.contains { $0.contains("avx512") }, "\(Set(kernels))")
        #expect(!kernels.contains { $0.hasPrefix("ref") }, "\(Set(kernels))")
    }

    /// Without a limit, the kernels are those of the ISA oneDNN reports: AVX-512 ones where it runs them.
    @Test func theNetworkRunsTheKernelsOfTheISAOneDNNReports() throws {
        let kernels = try Self.kernels()
        #expect(!kernels.contains { $0.hasPrefix("ref") }, "\(Set(kernels))")
        let avx512 = ActivationLayout.preferredChannelBlock == 16
        #expect(kernels.contains { $0.contains("avx512") } == avx512, "\(Set(kernels))")
    }

    /// A .npy file (version 1.0, uint8) with `shapeText` in its header and `payload` bytes of data: the header is
    /// written as given, valid or not.
    static func writeNumPy(_ url: URL, shapeText: String, payload: Int) throws {
        var header = "{'descr': '|u1', 'fortran_order': False, 'shape': \(shapeText), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(Data(repeating: 128, count: payload))
        try data.write(to: url)
    }

    /// A malformed .npy header (a negative dimension, a shape that overflows, one larger than the data, a word
    /// where a number belongs) is an error naming the file and the problem, for `model quantize --calibrate` and
    /// `model bench --tiles` alike. (Before: "Range requires lowerBound <= upperBound", a trap, exit 132.)
    @Test(arguments: [
        ("(-4, 64, 64, 3)", "negative dimension -4"),
        ("(4611686018427387904, 4611686018427387904, 64, 3)", "more elements than can be addressed"),
        ("(9223372036854775807, 2, 64, 3)", "more elements than can be addressed"),
        ("(400, 64, 64, 3)", "needs 4915200 bytes of data but the file holds 49152"),
        ("(4, sixty-four, 64, 3)", "\"sixty-four\", not a whole number"),
    ])
    func aMalformedNumPyHeaderIsAnErrorNamingTheFile(shape: String, problem: String) throws {
        let directory = try Fixtures.temporaryDirectory("npy-header")
        defer { try? FileManager.default.removeItem(at: directory) }
        let tiles = directory.appendingPathComponent("tiles.npy")
        try Self.writeNumPy(tiles, shapeText: shape, payload: 4 * 64 * 64 * 3)
        let commands = [
            ["model", "quantize", Self.modelPath, "--calibrate", tiles.path, "--tile", "64", "--tiles", "4",
             "--out", directory.appendingPathComponent("int8.safetensors").path],
            ["model", "bench", Self.modelPath, "--tiles", tiles.path, "--size", "64", "--batch", "1", "--seconds", "0.1"],
        ]
        for command in commands {
            let result = try TesseraCLI.run(command)
            #expect(result.status == 1, "\(command[1]): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(tiles.path) && result.stderr.contains(problem), "\(command[1]): \(result.stderr)")
            #expect(!result.stderr.contains("Range requires"), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("int8.safetensors").path))
    }
}
