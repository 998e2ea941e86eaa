import Foundation
import Testing
import TesseraCore
import TesseraNetwork
import TesseraStain
import TesseraTestSupport

/// Tessera's Reinhard and Macenko against torchstain 1.4.1 (tools/stain/make_reference.py wrote the expected
/// pixels and statistics into fixtures/stain/). The sources are held-out CMU tiles re-stained in HED space the way
/// other labs' slides differ; statistics come from each tile's tissue pixels, as torchstain was given them.
@Suite struct ReferenceImplementationTests {
    static let directory = Fixtures.directory.appendingPathComponent("stain")
    static let file = Result { try SafetensorsFile(contentsOf: directory.appendingPathComponent("reference.safetensors")) }
    static func record() throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("reference.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
    static let cases = ["unaltered", "pink", "dark"]

    static func tile(_ name: String) throws -> RGBImage {
        RGBImage(width: 256, height: 256, pixels: try file.get().bytes("\(name).rgb"))
    }

    static func sample(_ image: RGBImage) -> StainSample {
        var sample = StainSample()
        sample.add(image)
        return sample
    }

    static func caseRecord(_ name: String) throws -> [String: Any] {
        let cases = try #require(try record()["cases"] as? [[String: Any]])
        return try #require(cases.first { $0["name"] as? String == name })
    }

    /// Tessera's tissue pixels are torchstain's (OD >= 0.15 in every channel).
    @Test(arguments: cases) func tissuePixelsAreMacenkos(_ name: String) throws {
        let image = try Self.tile(name)
        let mask = try Self.file.get().bytes("\(name).tissue")
        var expected: [UInt8] = []
        for (i, inside) in mask.enumerated() where inside == 1 { expected += image.pixels[(3 * i)..<(3 * i + 3)] }
        #expect(Self.sample(image).tissue == expected)
    }

    @Test(arguments: cases) func reinhardMatchesTorchstain(_ name: String) throws {
        try compare(name, method: .reinhard)
    }

    @Test(arguments: cases) func macenkoMatchesTorchstain(_ name: String) throws {
        try compare(name, method: .macenko)
    }

    func compare(_ name: String, method: StainMethod) throws {
        let target = try StainEstimation.estimate(method, from: Self.sample(try Self.tile("target")))
        let image = try Self.tile(name)
        let source = try StainEstimation.estimate(method, from: Self.sample(image))
        let normalised = StainTransform(source: source, target: target).applied(to: image)
        let expected = try Self.file.get().bytes("\(name).\(method.rawValue)")
        let mask = try Self.file.get().bytes("\(name).tissue")
        var worst = 0, index = 0, over1 = 0
        for (i, inside) in mask.enumerated() where inside == 1 {
            for c in 0..<3 {
                let difference = abs(Int(normalised.pixels[3 * i + c]) - Int(expected[3 * index + c]))
                worst = max(worst, difference)
                if difference > 1 { over1 += 1 }
            }
            index += 1
        }
        #expect(index * 3 == expected.count)
        #expect(index > 10_000, "\(name): \(index) tissue pixels")
        #expect(worst <= 2, "\(name) \(method): max difference \(worst) grey levels from torchstain (\(over1) values over 1)")

        // The statistics themselves, against torchstain's.
        let recorded = try #require(try Self.caseRecord(name)[method.rawValue] as? [String: Any])
        switch source {
        case .reinhard(let s):
            let mean = try #require(recorded["lab_mean"] as? [Double]), std = try #require(recorded["lab_std"] as? [Double])
            for c in 0..<3 {
                #expect(abs(s.mean[c] - mean[c]) < 0.01, "lab mean \(c): \(s.mean[c]) vs \(mean[c])")
                #expect(abs(s.std[c] - std[c]) < 0.01, "lab std \(c): \(s.std[c]) vs \(std[c])")
            }
        case .macenko(let s):
            let matrix = try #require(recorded["stain_matrix"] as? [[Double]])
            let maxima = try #require(recorded["max_concentrations"] as? [Double])
            for c in 0..<3 {
                #expect(abs(s.haematoxylin[c] - matrix[0][c]) < 1e-4, "H \(c): \(s.haematoxylin[c]) vs \(matrix[0][c])")
                #expect(abs(s.eosin[c] - matrix[1][c]) < 1e-4, "E \(c): \(s.eosin[c]) vs \(matrix[1][c])")
            }
            #expect(abs(s.maxConcentrations.x - maxima[0]) < 1e-4 && abs(s.maxConcentrations.y - maxima[1]) < 1e-4,
                    "max concentrations \(s.maxConcentrations) vs \(maxima)")
        }
    }
}
