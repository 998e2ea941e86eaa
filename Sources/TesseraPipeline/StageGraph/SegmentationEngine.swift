import Foundation
import TesseraCore
import TesseraNetwork

/// A network that turns a batch of tiles into per-pixel class probabilities: the infer stage's only view of the
/// model. fp32 today (`Segmenter`); another precision is another conforming type and another `EngineFactory`.
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

    public init(precision: String, modelName: String, modelSHA256: String, classNames: [String], classColours: [String]) {
        self.precision = precision
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

/// The fp32 network on oneDNN.
public struct FP32EngineFactory: EngineFactory {
    public let network: SegmentationModel

    public init(model: SegmentationModel) { self.network = model }

    public var model: SegmentationModelIdentity { network.identity }

    public var identity: EngineIdentity {
        EngineIdentity(precision: "fp32", modelName: network.name, modelSHA256: network.sha256,
                       classNames: network.classNames,
                       classColours: network.classColours.map { String(format: "#%02X%02X%02X", $0.0, $0.1, $0.2) })
    }

    public func makeEngine(batch: Int, tileSize: Int, threads: Int) throws -> any SegmentationEngine {
        try Segmenter(model: network, batch: batch, height: tileSize, width: tileSize, threads: threads)
    }
}

extension SegmentationModel {
    /// What run settings and provenance need of the model.
    public var identity: SegmentationModelIdentity {
        SegmentationModelIdentity(name: name, path: url.path, sha256: sha256, micronsPerPixel: micronsPerPixel,
                                  tileSize: tileSize, stainReference: metadata["stain_reference"])
    }
}
