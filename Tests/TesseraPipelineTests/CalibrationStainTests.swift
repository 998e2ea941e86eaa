import Foundation
import Testing
import TesseraCore
import TesseraNetwork
import TesseraPipeline
import TesseraSlide
import TesseraTestSupport

/// `tessera model quantize` calibrates on the tiles as a run hands them to the network: stain-normalised with the
/// model's own method by default (the bundled model declares Reinhard), as read with `--stain none`. Each file's
/// activation scales are checked against a calibration on the same tiles, normalised or not, done here.
@Suite(.serialized) struct CalibrationStainTests {
    /// The largest relative difference between two files' activation scales (1 where their labels or counts differ).
    static func largestDifference(_ a: [String: [Float]], _ b: [String: [Float]]) -> Float {
        guard Set(a.keys) == Set(b.keys) else { return 1 }
        var largest: Float = 0
        for (label, values) in a {
            guard let other = b[label], other.count == values.count else { return 1 }
            for (x, y) in zip(values, other) { largest = max(largest, abs(x - y) / max(abs(x), abs(y), 1e-12)) }
        }
        return largest
    }

    @Test func modelQuantizeCalibratesOnTheTilesTheNetworkSees() throws {
        let modelURL = Fixtures.models.appendingPathComponent("default.safetensors")
        let model = try SegmentationModel.load(contentsOf: modelURL)
        let cmu = Fixtures.slide("CMU-1-Small-Region.svs")
        let work = try Fixtures.temporaryDirectory("calibration-stain")
        defer { try? FileManager.default.removeItem(at: work) }

        // The tiles the command draws (4 tissue tiles at 2 µm/px, 128 px, a run's overlap, seed 7), as read and as a
        // run normalises them.
        let slide = try Slide(contentsOf: cmu)
        let (plan, drawn) = try CalibrationTiles.draw(from: slide, resolution: try slide.resolution(), targetMPP: 2, tileSize: 128,
                                                      count: 4, seed: 7, overlap: RunSettings().overlap)
        let raw = drawn.map(\.image)
        #expect(raw.count == 4)
        let stain = try CalibrationStain(option: nil, model: model.identity)
        #expect(stain.method == "reinhard")
        let (normalised, warning) = stain.normalise(raw, plan: plan) { tile in
            try slide.read(level0Window: tile.readWindow, outputWidth: 128, outputHeight: 128)
        }
        #expect(warning == nil)
        let changed = zip(raw, normalised).map { a, b in zip(a.pixels, b.pixels).filter { $0 != $1 }.count }.reduce(0, +)
        #expect(changed > 1000, "Reinhard changed \(changed) channel values")
        // One piece of code draws the tiles for both commands: `tessera run --precision int8` with these settings
        // (its default seed, spread and overlap) calibrates on exactly these tiles, so both give the same model.
        var run = RunSettings()
        run.targetMPP = 2
        run.tileSize = 128
        let runTiles = CalibrationSlides.draw(from: [cmu], settings: try run.resolve(model: model.identity), count: 4,
                                              seed: OnTheFlyQuantization.seed, spreadOver: OnTheFlyQuantization.slidesToSpreadOver)
        #expect(runTiles.skipped.isEmpty && runTiles.tiles == normalised)
        let expectedNormalised = try Int8Calibration.quantize(model, tiles: normalised).int8!.activationScales
        let expectedRaw = try Int8Calibration.quantize(model, tiles: raw).int8!.activationScales
        let apart = Self.largestDifference(expectedNormalised, expectedRaw)
        #expect(apart > 1e-3, "normalised and raw calibrations differ by \(apart) at most")

        for (arguments, expected, method) in [([String](), expectedNormalised, "reinhard"), (["--stain", "none"], expectedRaw, "none")] {
            let out = work.appendingPathComponent("\(method).safetensors").path
            let result = try TesseraCLI.run(["model", "quantize", modelURL.path, "--calibrate", cmu.path, "--tiles", "4", "--mpp", "2",
                                             "--tile", "128", "--out", out] + arguments)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("stain \(method)"), "\(result.stdout)")
            let written = try #require(try SegmentationModel.load(contentsOf: URL(fileURLWithPath: out)).int8)
            #expect(written.metadata["calibration_stain"] == method)
            let difference = Self.largestDifference(written.activationScales, expected)
            #expect(difference < 1e-5, "\(method): the file's scales differ from the expected calibration by \(difference)")
        }

        let info = try TesseraCLI.run(["model", "info", work.appendingPathComponent("reinhard.safetensors").path])
        #expect(info.stdout.contains("tiles stain-normalised: reinhard"), "\(info.stdout)")
    }

    /// A folder is searched for slides as `tessera run` searches it (here one slide in a subfolder, next to a file
    /// that is not a slide); a folder without slides is an error naming it.
    @Test func aFolderIsSearchedForSlides() throws {
        let model = Fixtures.models.appendingPathComponent("default.safetensors").path
        let work = try Fixtures.temporaryDirectory("calibration-folder")
        defer { try? FileManager.default.removeItem(at: work) }
        let folder = work.appendingPathComponent("slides"), nested = folder.appendingPathComponent("2026-12")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.slide("CMU-1-Small-Region.svs"), to: nested.appendingPathComponent("case-1.svs"))
        try Data("not a slide".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let out = work.appendingPathComponent("int8.safetensors").path
        let result = try TesseraCLI.run(["model", "quantize", model, "--calibrate", folder.path, "--tiles", "4", "--mpp", "2",
                                         "--tile", "128", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let metadata = try #require(try SegmentationModel.load(contentsOf: URL(fileURLWithPath: out)).int8?.metadata)
        #expect(metadata["calibration_tiles"] == "4")
        #expect(metadata["calibration_slides"]?.contains("case-1.svs") == true, "\(metadata["calibration_slides"] ?? "")")

        let empty = work.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let refused = try TesseraCLI.run(["model", "quantize", model, "--calibrate", empty.path, "--out", out + ".2"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains(empty.path) && refused.stderr.contains("no slide files"), "\(refused.stderr)")
    }

    /// A slide that states no resolution needs `--slide-mpp`, which the error names and the command takes; a slide
    /// whose stain cannot be estimated (no H&E tissue) is calibrated on as read, with a warning naming it.
    @Test func slideMPPAndAnUnestimableStain() throws {
        let model = Fixtures.models.appendingPathComponent("default.safetensors").path
        let synthetic = Fixtures.slide("yb10kx5k.zstd.tiff").path
        let work = try Fixtures.temporaryDirectory("calibration-slide-mpp")
        defer { try? FileManager.default.removeItem(at: work) }
        let out = work.appendingPathComponent("int8.safetensors").path
        let common = ["model", "quantize", model, "--calibrate", synthetic, "--tiles", "2", "--mpp", "8", "--tile", "128", "--out", out]
        let refused = try TesseraCLI.run(common)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains(synthetic) && refused.stderr.contains("--slide-mpp"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))

        let stated = try TesseraCLI.run(common + ["--slide-mpp", "1"])
        #expect(stated.status == 0, "\(stated.stderr)")
        #expect(stated.stderr.contains("warning: \(synthetic): not stain-normalised (reinhard)"), "\(stated.stderr)")
        #expect(try SegmentationModel.load(contentsOf: URL(fileURLWithPath: out)).int8?.metadata["calibration_tiles"] == "2")
    }

    /// A uint8 .npy stack of `tiles` (N x H x W x 3).
    static func writeNumPy(_ tiles: [RGBImage], to url: URL) throws {
        let shape = "(\(tiles.count), \(tiles[0].height), \(tiles[0].width), 3)"
        var header = "{'descr': '|u1', 'fortran_order': False, 'shape': \(shape), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        for tile in tiles { data.append(contentsOf: tile.pixels) }
        try data.write(to: url)
    }

    /// Calibration tiles given as images must show tissue, by the test a slide's tiles pass: a stack of blank tiles
    /// (one grey, white or black) or a blank PNG is refused naming the file, as a blank slide is ("no tissue
    /// tiles"), and no int8 file is written. (Before: exit 0 and an int8 model that agreed with fp32 on 15% of a
    /// tissue tile's pixels.) Blank tiles in a stack with tissue tiles are left out, with a warning.
    @Test func blankImageTilesAreRefusedNamingTheFile() throws {
        let model = Fixtures.models.appendingPathComponent("default.safetensors").path
        let work = try Fixtures.temporaryDirectory("calibration-blank")
        defer { try? FileManager.default.removeItem(at: work) }
        let out = work.appendingPathComponent("int8.safetensors").path
        let common = ["--tiles", "4", "--mpp", "2", "--tile", "128", "--out", out]
        for value: UInt8 in [128, 255, 0] {
            let stack = work.appendingPathComponent("flat-\(value).npy")
            try Self.writeNumPy(Array(repeating: RGBImage(width: 128, height: 128, filledWith: value), count: 4), to: stack)
            let refused = try TesseraCLI.run(["model", "quantize", model, "--calibrate", stack.path] + common)
            #expect(refused.status != 0, "\(value): \(refused.stdout)")
            #expect(refused.stderr.contains(stack.path) && refused.stderr.contains("no tissue tiles"), "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        let white = work.appendingPathComponent("white.png")
        try PNGImage.write(rgb: RGBImage(width: 128, height: 128, filledWith: 255), to: white)
        let refused = try TesseraCLI.run(["model", "quantize", model, "--calibrate", white.path] + common)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains(white.path) && refused.stderr.contains("no tissue"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))

        // Two tissue tiles of CMU-1 and two blank ones: the blank ones are left out, said so, and not counted.
        let slide = try Slide(contentsOf: Fixtures.slide("CMU-1-Small-Region.svs"))
        let tissue = try CalibrationTiles.draw(from: slide, resolution: try slide.resolution(), targetMPP: 2, tileSize: 128,
                                               count: 2, seed: 7).tiles.map(\.image)
        let mixed = work.appendingPathComponent("mixed.npy")
        try Self.writeNumPy([RGBImage(width: 128, height: 128, filledWith: 255), tissue[0],
                             RGBImage(width: 128, height: 128, filledWith: 128), tissue[1]], to: mixed)
        let accepted = try TesseraCLI.run(["model", "quantize", model, "--calibrate", mixed.path] + common)
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(accepted.stderr.contains("\(mixed.path): 2 of its 4 tiles show no tissue and are left out"), "\(accepted.stderr)")
        #expect(try SegmentationModel.load(contentsOf: URL(fileURLWithPath: out)).int8?.metadata["calibration_tiles"] == "2")
    }
}
