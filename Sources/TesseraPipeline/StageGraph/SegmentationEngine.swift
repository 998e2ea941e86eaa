import Foundation
import TesseraCore
import TesseraNetwork

/// A network that turns a batch of tiles into per-pixel class probabilities: the infer stage's only view of the
/// model. `Segmenter` runs fp32 and int8 networks (`FP32EngineFactory`, `Int8EngineFactory`); another arithmetic is
/// another conforming type and another `EngineFactory`.
///
/// An engine holds state that is not thread-safe (oneDNN primitives, scratch memory): it is made, used and
/// released on the infer stage's one thread, and never shared.
public protocol SegmentationEngine: AnyObject {
    /// Softmax probabilities of `tiles` (at most the batch size the engine was made for, each tileSize square):
    /// tiles x classes x tileSize x tileSize, planar, in tile order.
    func probabilities(_ tiles: [RGBImage]) throws -> [Float]
}

/// What a run records of the engine: the model and the arithmetic that produced its numbers.
public struct EngineIdentity: Sendable, Equatable, Codable {
    /// "fp32", "int8", ...
    public var precision: String
    public var modelName: String
    public var modelSHA256: String
    public var classNames: [String]
    /// "#RRGGBB" per class.
    public var classColours: [String]
    /// SHA-256 of the int8 model that produces the numbers, when `modelSHA256` is another file's (an fp32 model
    /// quantised on the fly) or the int8 file's own; nil at fp32.
    public var quantizedModelSHA256: String?
    /// How a model quantised on the fly was calibrated (JSON: method, tiles, seed, slides); nil otherwise.
    public var calibrationJSON: String?

    public init(precision: String, modelName: String, modelSHA256: String, classNames: [String], classColours: [String],
                quantizedModelSHA256: String? = nil, calibrationJSON: String? = nil) {
        self.precision = precision
        self.quantizedModelSHA256 = quantizedModelSHA256
        self.calibrationJSON = calibrationJSON
        self.modelName = modelName
        self.modelSHA256 = modelSHA256
        self.classNames = classNames
        self.classColours = classColours
    }

    public var classCount: Int { classNames.count }
}

/// Makes the run's engine. Sendable: the graph holds it and calls `makeEngine` on the infer stage's thread.
public protocol EngineFactory: Sendable {
    /// The model's own resolution and tile size, for `RunSettings.resolve(model:)`.
    var model: SegmentationModelIdentity { get }
    var identity: EngineIdentity { get }
    func makeEngine(batch: Int, tileSize: Int, threads: Int) throws -> any SegmentationEngine
}

extension Segmenter: SegmentationEngine {}

/// A factory that can make engines only once it has seen tiles of the run's own slides (an fp32 model run at int8,
/// quantised on the fly). `BatchRunner` calls `calibrated(on:source:settings:)` once the slides are known, before the
/// run is recorded, and runs the factory it returns.
public protocol SlideCalibratedEngineFactory: EngineFactory {
    /// False when the factory is ready as it is (an int8 file).
    var needsCalibration: Bool { get }
    func calibrated(on slides: [URL], source: any SlideSource,
                    settings: RunSettings.Resolved) throws -> (engines: any EngineFactory, report: String)
}

/// The fp32 network on oneDNN.
public struct FP32EngineFactory: EngineFactory {
    public let network: SegmentationModel

    public init(model: SegmentationModel) { self.network = model }

    public var model: SegmentationModelIdentity { network.identity }

    public var identity: EngineIdentity {
        EngineIdentity(precision: Precision.fp32.rawValue, modelName: network.name, modelSHA256: network.sha256,
                       classNames: network.classNames, classColours: network.classColourStrings)
    }

    public func makeEngine(batch: Int, tileSize: Int, threads: Int) throws -> any SegmentationEngine {
        try Segmenter(model: network, batch: batch, height: tileSize, width: tileSize, threads: threads)
    }
}

/// The int8 network on oneDNN: an int8 model file (`tessera model quantize`), or an fp32 model quantised on the fly
/// from tissue tiles of the run's first slides (`OnTheFlyQuantization`).
public struct Int8EngineFactory: SlideCalibratedEngineFactory {
    /// The model file the run was given: int8, or the fp32 model to quantise.
    public let file: SegmentationModel
    /// The int8 network; nil until an fp32 file is calibrated.
    public let quantized: SegmentationModel?
    /// How `quantized` was calibrated when it was quantised on the fly.
    public let calibration: OnTheFlyQuantization.Calibration?

    /// An int8 file runs as it is; an fp32 file waits for `calibrated(on:source:settings:)`.
    public init(model: SegmentationModel) {
        file = model
        quantized = model.int8 == nil ? nil : model
        calibration = nil
    }

    init(file: SegmentationModel, quantized: SegmentationModel, calibration: OnTheFlyQuantization.Calibration) {
        self.file = file
        self.quantized = quantized
        self.calibration = calibration
    }

    public var needsCalibration: Bool { quantized == nil }

    /// The file's identity: its resolution and tile size, and the SHA-256 the parameters hash and skip decisions use.
    public var model: SegmentationModelIdentity { file.identity }

    public var identity: EngineIdentity {
        EngineIdentity(precision: Precision.int8.rawValue, modelName: file.name, modelSHA256: file.sha256,
                       classNames: file.classNames, classColours: file.classColourStrings,
                       quantizedModelSHA256: quantized?.sha256, calibrationJSON: calibration?.json)
    }

    public func makeEngine(batch: Int, tileSize: Int, threads: Int) throws -> any SegmentationEngine {
        guard let quantized else {
            throw RunError.invalidParameter("\(file.url.path) is fp32: it is quantised from the run's slides before engines are made")
        }
        return try Segmenter(model: quantized, batch: batch, height: tileSize, width: tileSize, threads: threads)
    }

    /// Quantises an fp32 file from tissue tiles of `slides` (the first that give tiles); an int8 file is returned as
    /// it is.
    public func calibrated(on slides: [URL], source: any SlideSource,
                           settings: RunSettings.Resolved) throws -> (engines: any EngineFactory, report: String) {
        if quantized != nil { return (self, "") }
        switch try OnTheFlyQuantization.quantize(file, slides: slides, source: source, settings: settings) {
        case .quantized(let quantized, let calibration, let report):
            return (Int8EngineFactory(file: file, quantized: quantized, calibration: calibration), report)
        case .nothingToInfer(let report):
            return (NothingToInferEngineFactory(self, reason: "no slide gave tissue tiles to quantise it on when the run started"),
                    report)
        }
    }
}

extension SegmentationModel {
    /// "#RRGGBB" per class.
    var classColourStrings: [String] { classColours.map { String(format: "#%02X%02X%02X", $0.0, $0.1, $0.2) } }

    /// What run settings and provenance need of the model.
    public var identity: SegmentationModelIdentity {
        SegmentationModelIdentity(name: name, path: url.path, sha256: sha256, micronsPerPixel: micronsPerPixel,
                                  tileSize: tileSize, stainReference: metadata["stain_reference"],
                                  precision: int8 == nil ? .fp32 : .int8, nucleusClass: nucleusClass,
                                  classNames: classNames, qupathObjectTypes: qupathObjectTypes, qupathClasses: qupathClasses)
    }
}
