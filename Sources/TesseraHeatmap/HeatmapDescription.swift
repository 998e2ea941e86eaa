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
    /// Nuclei per mm² of tissue on the slide run's density grid (float32; NaN where a cell has too little tissue for
    /// a density), `cellMicrons` µm on a side.
    case nucleusDensity(cellMicrons: Double)
    /// The slide QC's artefact map (`QCMaskFile`): bit k set where artefact kind `classNames[k]` was flagged.
    case qcMask

    var name: String {
        switch self {
        case .classes: "classes"
        case .modelClasses: "model-classes"
        case .qcMask: "qc-mask"
        case .probability: "probability"
        case .overlay: "overlay"
        case .nucleusDensity: "nuclei-density"
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
        case .nucleusDensity(let cellMicrons):
            object["unit"] = "nuclei per mm2 of tissue"
            object["cell_um"] = cellMicrons
            object["no_density"] = "NaN"
        case .qcMask: object["values"] = QCMaskFile.valuesDescription
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

// MARK: OME-XML

extension HeatmapDescription {
    /// The MapAnnotation key whose value is `imageDescription`, Tessera's own JSON, in an OME-TIFF's OME-XML.
    static let omeJSONKey = "tessera"

    /// The OME-XML (schema 2016-06) ImageDescription of an OME-TIFF heatmap whose level 0 is `width` x `height` x
    /// `channels`: one image, its physical pixel size (the slide's level-0 microns per pixel times the downsample,
    /// only when the run had a stated resolution), channel names (a probability map's class; the class map's
    /// classes are listed in the annotation) and a MapAnnotation with the run's provenance and Tessera's JSON
    /// description, which `HeatmapFileReader` reads back.
    public func omeXML(width: Int, height: Int, channels: Int) -> String {
        let channelName: String = switch kind {
        case .classes, .modelClasses: "class"
        case .probability(let className): className
        case .overlay: "overlay"
        case .nucleusDensity: "nuclei per mm2"
        case .qcMask: "artefacts"
        }
        var pixels = "<Pixels ID=\"Pixels:0\" DimensionOrder=\"XYCZT\" Type=\"uint8\" SignificantBits=\"8\""
            + " Interleaved=\"true\" SizeX=\"\(width)\" SizeY=\"\(height)\" SizeC=\"\(channels)\" SizeZ=\"1\" SizeT=\"1\""
        if let micronsPerPixelX, let micronsPerPixelY, micronsPerPixelX > 0, micronsPerPixelY > 0, downsample > 0 {
            // PhysicalSizeXUnit defaults to µm: left out, the XML stays ASCII (TIFF's ImageDescription type).
            pixels += " PhysicalSizeX=\"\(micronsPerPixelX * downsample)\" PhysicalSizeY=\"\(micronsPerPixelY * downsample)\""
        }
        pixels += ">"
        var entries: [(String, String)] = [(Self.omeJSONKey, imageDescription), ("kind", kind.name),
                                           ("slide", slideName), ("downsample", "\(downsample)")]
        if let provenance {
            entries += [("run_uid", provenance.runUID), ("slide_run_id", "\(provenance.slideRunID)"),
                        ("slide_fingerprint", provenance.slideFingerprint), ("model_sha256", provenance.modelSHA256)]
        }
        if let micronsPerPixelSource { entries.append(("mpp_source", micronsPerPixelSource)) }
        for (index, name) in classNames.enumerated() { entries.append(("class \(index)", name)) }
        if case .classes = kind { entries.append(("class \(HeatmapWriter.noPrediction)", "no prediction")) }
        if case .modelClasses = kind { entries.append(("class \(HeatmapWriter.noPrediction)", "no prediction")) }
        let values = entries.map { "<M K=\"\(Self.xmlEscaped($0.0))\">\(Self.xmlEscaped($0.1))</M>" }.joined()
        let what = "Tessera \(kind.name) heatmap of \(slideName), \(downsample) level-0 pixels per pixel"
        return """
            <?xml version="1.0" encoding="UTF-8"?>\
            <OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06" \
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
            xsi:schemaLocation="http://www.openmicroscopy.org/Schemas/OME/2016-06 \
            http://www.openmicroscopy.org/Schemas/OME/2016-06/ome.xsd" \
            Creator="Tessera \(Self.xmlEscaped(TesseraVersion.string))">\
            <Image ID="Image:0" Name="\(Self.xmlEscaped(slideName + " " + kind.name))">\
            <Description>\(Self.xmlEscaped(what))</Description>\
            \(pixels)\
            <Channel ID="Channel:0:0" Name="\(Self.xmlEscaped(channelName))" SamplesPerPixel="\(channels)"/>\
            <TiffData IFD="0" PlaneCount="1"/>\
            </Pixels>\
            <AnnotationRef ID="Annotation:0"/>\
            </Image>\
            <StructuredAnnotations>\
            <MapAnnotation ID="Annotation:0" Namespace="tessera.heatmap"><Value>\(values)</Value></MapAnnotation>\
            </StructuredAnnotations>\
            </OME>
            """
    }

    static func xmlEscaped(_ text: String) -> String { MarkupText.escaped(text) }

    /// Tessera's JSON description inside an OME-XML ImageDescription written by `omeXML`, or nil.
    static func jsonInOMEXML(_ xml: String) -> String? {
        let open = "<M K=\"\(omeJSONKey)\">"
        guard let start = xml.range(of: open), let end = xml.range(of: "</M>", range: start.upperBound..<xml.endIndex)
        else { return nil }
        return String(xml[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
