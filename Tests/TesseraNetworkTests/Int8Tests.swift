import Foundation
import Testing
import TesseraCore
import TesseraNetwork
import TesseraSlide
import TesseraTestSupport

/// int8 against fp32 on the bundled default model, on real tissue: calibration tiles and held-out tiles are disjoint
/// sets drawn from the fixture slides' tissue with the run's planner and reader.
@Suite(.serialized) struct Int8Tests {
    static let modelURL = Fixtures.models.appendingPathComponent("default.safetensors")
    static let slideNames = ["CMU-1-Small-Region.svs", "test3-DAPI-2-387.ndpi"]
    static let calibrationPerSlide = 6
    static let heldOutPerSlide = 8

    struct Tiles {
        var calibration: [RGBImage] = []
        var calibrationSources: [CalibrationSource] = []
        /// Held-out tiles by slide name.
        var heldOut: [(slide: String, tiles: [RGBImage])] = []
    }

    static let tiles = Result { () throws -> Tiles in
        let model = try SegmentationModel.load(contentsOf: modelURL)
        let size = model.tileSize ?? 256, mpp = model.micronsPerPixel ?? 0.5
        var result = Tiles()
        for name in slideNames {
            let slide = try Slide(contentsOf: Fixtures.slide(name))
            let resolution = try slide.resolution()
            let (plan, calibration) = try CalibrationTiles.draw(from: slide, resolution: resolution, targetMPP: mpp, tileSize: size,
                                                                count: calibrationPerSlide, seed: 7)
            let used = Set(calibration.map(\.planIndex))
            let heldOut = CalibrationTiles.pick(from: plan, count: heldOutPerSlide, seed: 11, excluding: used)
            #expect(Set(heldOut).isDisjoint(with: used))
            let byIndex = Dictionary(uniqueKeysWithValues: plan.tiles.map { ($0.index, $0) })
            result.calibration += calibration.map(\.image)
            result.calibrationSources.append(CalibrationSource(path: name, fingerprint: CalibrationTiles.fingerprint(of: slide), tiles: calibration.count))
            result.heldOut.append((name, try heldOut.map { try slide.read(level0Window: byIndex[$0]!.readWindow, outputWidth: size, outputHeight: size) }))
        }
        return result
    }

    static let quantized = Result { () throws -> SegmentationModel in
        let model = try SegmentationModel.load(contentsOf: modelURL)
        let tiles = try Self.tiles.get()
        return try Int8Calibration.quantize(model, tiles: tiles.calibration, sources: tiles.calibrationSources,
                                            sourceMetadata: try SafetensorsFile(contentsOf: modelURL).metadata)
    }

    /// The accuracy gate: pixel argmax agreement >= 99% over held-out tiles, each class's area on each slide within
    /// 0.5 percentage points of fp32's; prints the per-layer relative error against fp32. Measured: 99.57%, largest
    /// area difference 0.29 points (CMU-1-Small-Region's background). Before activation smoothing and per-channel
    /// scales on the fusion's depthwise output it was 97.6% and 2 points (int8 under-called nuclei).
    @Test func int8AgreesWithFP32OnHeldOutTissue() throws {
        let model = try SegmentationModel.load(contentsOf: Self.modelURL)
        let quantized = try Self.quantized.get(), tiles = try Self.tiles.get()
        let size = model.tileSize ?? 256, classes = model.classCount, plane = size * size
        let fp32 = try Segmenter(model: model, batch: 1, height: size, width: size, threads: 2)
        let int8 = try Segmenter(model: quantized, batch: 1, height: size, width: size, threads: 2)
        #expect(int8.precision == .int8)

        let errors = try Int8Calibration.layerErrors(fp32: fp32, int8: int8, tiles: Array(tiles.heldOut[0].tiles.prefix(4)))
        print("int8 per-layer relative error against fp32 (\(tiles.heldOut[0].slide), 4 held-out tiles):")
        for (label, error) in errors { print(String(format: "  %-28@ %.4f", label, error)) }
        #expect(errors.count >= 80)
        #expect(errors.allSatisfy { $0.relativeError.isFinite })
        // The head's logits: quantisation noise, not a broken layer (a wrong scale or layout gives errors near 1).
        let head = try #require(errors.first { $0.label == "head" })
        #expect(head.relativeError < 0.5, "head relative error \(head.relativeError)")

        var agree = 0, total = 0
        var heldOutTiles = 0
        var areaGateMet = true
        for (slide, slideTiles) in tiles.heldOut where !slideTiles.isEmpty {
            var areaFP32 = [Int](repeating: 0, count: classes), areaInt8 = [Int](repeating: 0, count: classes), slideAgree = 0
            for tile in slideTiles {
                let a = classLabels(try fp32.logits([tile]), classes: classes, plane: plane)
                let b = classLabels(try int8.logits([tile]), classes: classes, plane: plane)
                for p in 0..<plane {
                    areaFP32[Int(a[p])] += 1
                    areaInt8[Int(b[p])] += 1
                    if a[p] == b[p] { agree += 1; slideAgree += 1 }
                }
                total += plane
            }
            heldOutTiles += slideTiles.count
            let pixels = Double(slideTiles.count * plane)
            print(String(format: "%@: argmax agreement %.4f over %d held-out tiles", slide, Double(slideAgree) / pixels, slideTiles.count))
            for c in 0..<classes {
                let difference = 100 * abs(Double(areaFP32[c]) - Double(areaInt8[c])) / pixels
                print(String(format: "%@ %@: fp32 %.2f%%, int8 %.2f%% of held-out pixels", slide, model.classNames[c],
                             100 * Double(areaFP32[c]) / pixels, 100 * Double(areaInt8[c]) / pixels))
                if difference > 0.5 {
                    areaGateMet = false
                    print("\(slide) \(model.classNames[c]): area differs by \(difference) percentage points")
                }
            }
        }
        #expect(heldOutTiles >= 12, "held-out tiles: \(heldOutTiles)")
        let agreement = Double(agree) / Double(total)
        print(String(format: "int8 vs fp32 argmax agreement: %.4f over %d held-out tiles", agreement, heldOutTiles))
        #expect(agreement >= 0.99, "argmax agreement \(agreement)")
        #expect(areaGateMet, "a class area differs by more than 0.5 percentage points")
    }

    /// Every int8 layer runs a oneDNN jit kernel or Tessera's own: none falls to a `ref` implementation.
    @Test func noLayerFallsToAReferenceKernel() throws {
        let int8 = try Segmenter(model: try Self.quantized.get(), batch: 1, height: 256, width: 256, threads: 2)
        let implementations = int8.implementations
        #expect(implementations.count > 80)
        for (label, implementation) in implementations {
            #expect(!implementation.hasPrefix("ref"), "\(label) runs \(implementation)")
        }
        #expect(implementations.contains { $0.implementation.contains("int8") })
    }

    /// The file round trip: written, read back, the same logits; provenance recorded.
    @Test func quantizedFileRoundTrips() throws {
        let quantized = try Self.quantized.get(), tiles = try Self.tiles.get()
        let directory = try Fixtures.temporaryDirectory("int8")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("default-int8.safetensors")
        try quantized.int8!.write(to: url)
        let loaded = try SegmentationModel.load(contentsOf: url)
        #expect(loaded.sha256 == quantized.sha256)
        #expect(loaded.classNames == quantized.classNames)
        #expect(loaded.unusedTensors.isEmpty)
        let metadata = try #require(loaded.int8?.metadata)
        #expect(metadata["source_sha256"] == (try SegmentationModel.load(contentsOf: Self.modelURL)).sha256)
        #expect(metadata["calibration_tiles"] == String(tiles.calibration.count))
        #expect(metadata["quantization_method"] == Int8Calibration.defaultMethod.rawValue)
        #expect(metadata["activation_smoothing"] == String(Int8Calibration.smoothingStrength))
        // The fusion's depthwise output: one scale per channel (256 upsampled ASPP channels, then 48 low-level ones).
        #expect(loaded.int8?.activationScales["fusion.depthwise"]?.count == 304)
        #expect(metadata["calibration_slides"]?.contains("quickhash-1:") == true)
        let a = try Segmenter(model: quantized, batch: 1, height: 256, width: 256, threads: 2).logits([tiles.heldOut[0].tiles[0]])
        let b = try Segmenter(model: loaded, batch: 1, height: 256, width: 256, threads: 2).logits([tiles.heldOut[0].tiles[0]])
        #expect(a == b)
        try loaded.int8!.verifySource(try SegmentationModel.load(contentsOf: Self.modelURL), file: url.path)

        // A file written before per-channel fusion scales (one scale there) still loads and runs: its logits stay
        // close to the per-channel file's (the same network, a coarser rounding of one tensor).
        var older = quantized.int8!
        older.activationScales["fusion.depthwise"] = [older.activationScales["fusion.depthwise"]!.max()!]
        let olderURL = directory.appendingPathComponent("older-int8.safetensors")
        try older.write(to: olderURL)
        let olderModel = try SegmentationModel.load(contentsOf: olderURL)
        #expect(olderModel.int8?.activationScales["fusion.depthwise"]?.count == 1)
        let c = try Segmenter(model: olderModel, batch: 1, height: 256, width: 256, threads: 2).logits([tiles.heldOut[0].tiles[0]])
        var difference: Float = 0, norm: Float = 0
        for (x, y) in zip(a, c) { difference += (x - y) * (x - y); norm += x * x }
        #expect(c.allSatisfy(\.isFinite) && c != a)
        #expect((difference / norm).squareRoot() < 0.5, "relative difference \((difference / norm).squareRoot())")
    }

    /// Bad int8 files: truncated, scales that do not match their tensor, an fp32 source that is not the given model.
    @Test func badQuantizedFilesNameTheTensor() throws {
        let quantized = try Self.quantized.get()
        let directory = try Fixtures.temporaryDirectory("int8-bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model-int8.safetensors")
        try quantized.int8!.write(to: url)
        let bytes = try Data(contentsOf: url)

        let truncated = directory.appendingPathComponent("truncated.safetensors")
        try bytes.prefix(bytes.count - 1000).write(to: truncated)
        #expect { try SegmentationModel.load(contentsOf: truncated) } throws: { error in
            guard let error = error as? WeightsError else { return false }
            return error.kind == .truncated && error.tensor != nil
        }

        // One scale too few for the stem's 32 output channels.
        var parameters = quantized.int8!
        parameters.convolutions["encoder._conv_stem.weight"]!.weightScales.removeLast()
        let mismatched = directory.appendingPathComponent("mismatched.safetensors")
        try parameters.write(to: mismatched)
        #expect { try SegmentationModel.load(contentsOf: mismatched) } throws: { error in
            (error as? WeightsError)?.tensor == "encoder._conv_stem.weight_scale" && "\(error)".contains("31 scales for the 32 output channels")
        }

        // A negative activation scale.
        parameters = quantized.int8!
        parameters.activationScales["block3.se"] = [-1]
        let negative = directory.appendingPathComponent("negative.safetensors")
        try parameters.write(to: negative)
        #expect { try SegmentationModel.load(contentsOf: negative) } throws: { error in
            (error as? WeightsError)?.tensor == "activation_scale.block3.se"
        }

        // A residual block whose output scales are not its chain's profile times one factor (blocks 2 and 3 add into
        // one tensor, rescaled by the sum post-op's single scale).
        parameters = quantized.int8!
        parameters.activationScales["block3.project"]![0] *= 2
        let unchained = directory.appendingPathComponent("unchained.safetensors")
        try parameters.write(to: unchained)
        #expect { try SegmentationModel.load(contentsOf: unchained) } throws: { error in
            (error as? WeightsError)?.tensor == "activation_scale.block3.project"
        }

        // Quantised from another model: the reference network's random weights are not the default model's.
        let other = try SegmentationModel.load(contentsOf: Fixtures.referenceModel)
        #expect(other.classCount != quantized.classCount || other.sha256 != quantized.int8!.metadata["source_sha256"])
        let loaded = try SegmentationModel.load(contentsOf: url)
        #expect { try loaded.int8!.verifySource(other, file: url.path) } throws: { error in
            guard let error = error as? WeightsError, let tensor = error.tensor else { return false }
            return tensor.hasSuffix(".weight") && "\(error)".contains("reference-random.safetensors")
        }
    }
}
