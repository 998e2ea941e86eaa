import Foundation
import TesseraCore

/// What a heatmap file shows.
public enum HeatmapKind: Sendable, Equatable {
    /// The class index per pixel (uint8); `HeatmapWriter.noPrediction` (255) marks pixels never predicted.
    case classes
    /// The class index per pixel at the model's own resolution (to the nearest whole level-0 pixel), as
    /// `classes`: the map regions are traced and measured on, where the class areas agree with the tile table's.
    case modelClasses
    /// One class's probability per pixel, uint8 = round(p * 255); 0 where there is no prediction.
    case probability(className: String)
    /// RGBA colour overlay in the class colours.
    case overlay

    var name: String {
        switch self {
        case .classes: "classes"
        case .modelClasses: "model-classes"
        case .probability: "probability"
        case .overlay: "overlay"
        }
    }
}

/// Which run made a heatmap file: written into its description, so a file found on its own says where it came from.
public struct HeatmapProvenance: Sendable, Equatable {
    public var runUID: String
    public var slideRunID: Int64
    public var slideFingerprint: String
    public var modelSHA256: String

    public init(runUID: String, slideRunID: Int64, slideFingerprint: String, modelSHA256: String) {
        self.runUID = runUID
        self.slideRunID = slideRunID
        self.slideFingerprint = slideFingerprint
        self.modelSHA256 = modelSHA256
    }
}

/// Metadata stored in a heatmap TIFF: the resolution tags and a one-line JSON ImageDescription.
public struct HeatmapDescription: Sendable, Equatable {
    /// The slide's file name, for example "CMU-1.svs".
    public var slideName: String
    public var kind: HeatmapKind
    /// Level-0 slide pixels per heatmap pixel: heatmap pixel (x, y) covers level-0 region (x*d, y*d, d, d).
    public var downsample: Double
    /// The slide's level-0 microns per pixel, when the slide states it; sets XResolution/YResolution.
    public var micronsPerPixelX: Double?
    public var micronsPerPixelY: Double?
    /// Where the resolution came from: "file" (the slide states it) or "user" (`--slide-mpp`), ...
    public var micronsPerPixelSource: String?
    public var classNames: [String]
    public var provenance: HeatmapProvenance?

    public init(slideName: String, kind: HeatmapKind, downsample: Double,
                micronsPerPixelX: Double? = nil, micronsPerPixelY: Double? = nil, micronsPerPixelSource: String? = nil,
                classNames: [String], provenance: HeatmapProvenance? = nil) {
        self.micronsPerPixelSource = micronsPerPixelSource
        self.provenance = provenance
        self.slideName = slideName
        self.kind = kind
        self.downsample = downsample
        self.micronsPerPixelX = micronsPerPixelX
        self.micronsPerPixelY = micronsPerPixelY
        self.classNames = classNames
    }

    /// The ImageDescription text: one line of JSON with sorted keys, for example
    /// {"classes":["background","tumour"],"downsample":16,"kind":"classes","no_prediction":255,"slide":"a.svs","tessera":"0.1.0"}
    public var imageDescription: String {
        var object: [String: Any] = [
            "tessera": TesseraVersion.string,
            "slide": slideName,
            "kind": kind.name,
            "downsample": downsample,
            "classes": classNames,
        ]
        switch kind {
        case .classes, .modelClasses: object["no_prediction"] = Int(HeatmapWriter.noPrediction)
        case .probability(let className): object["class"] = className
        case .overlay: break
        }
        if let micronsPerPixelX, let micronsPerPixelY {
            object["mpp_level0"] = [micronsPerPixelX, micronsPerPixelY]
            if let micronsPerPixelSource { object["mpp_source"] = micronsPerPixelSource }
        }
        if let provenance {
            object["run_uid"] = provenance.runUID
            object["slide_run_id"] = provenance.slideRunID
            object["slide_fingerprint"] = provenance.slideFingerprint
            object["model_sha256"] = provenance.modelSHA256
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Pixels per centimetre of the heatmap at pyramid level `level` (each level halves the resolution).
    func pixelsPerCentimetre(level: Int) -> (x: Double, y: Double)? {
        guard let micronsPerPixelX, let micronsPerPixelY, micronsPerPixelX > 0, micronsPerPixelY > 0,
              downsample > 0 else { return nil }
        let scale = downsample * Double(1 << level)
        return (10_000 / (micronsPerPixelX * scale), 10_000 / (micronsPerPixelY * scale))
    }
}
