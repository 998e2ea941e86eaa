import Foundation
import TesseraHeatmap
import TesseraCore
import TesseraStore

/// QuPath's object types that Tessera writes (qupath-core `QuPathTypeAdapters`: `properties.objectType`).
public enum QuPathObjectType: String, Sendable, CaseIterable, Codable {
    /// Few, large, editable objects (tissue compartments): QuPath's docs expect "usually no more than a few hundred".
    case annotation
    /// Numerous small objects (nuclei and the like): drawn and stored far more cheaply, not editable.
    case detection
    /// An analysis tile: a detection that QuPath's "Tile classifications to annotations" works on.
    case tile
}

/// How a run's classes appear in QuPath: the class name and colour, and whether regions are annotations or
/// detections.
///
/// - Object type: `objectTypes[class]` when given (`--object-type CLASS=detection|annotation`); otherwise detection
///   for a class whose name names a cell-scale object (contains "nucle", "cell", "cyte", "mitos" or "mitotic":
///   nuclei, immune cells, lymphocytes, mitoses), annotation for every other class (tissue compartments).
/// - QuPath class: `qupathClasses[class]` when given (`--qupath-class CLASS=NAME`); otherwise the QuPath standard
///   class whose meaning the name has (tumour/tumor → Tumor, stroma → Stroma, immune cells/lymphocytes/inflammatory →
///   Immune cells, necrosis → Necrosis, other → Other, background → Ignore*), matched on the whole name, any case;
///   otherwise the class's own name. A standard class takes QuPath's colour (QuPath keeps an existing class's colour,
///   so any other would be overridden on import); any other name keeps the model's colour.
public struct QuPathClassMap: Sendable, Equatable {
    /// QuPath's standard classes and colours (qupath-core v0.5.1 `PathClass.StandardPathClasses`).
    public static let standardClasses: [(name: String, colour: (UInt8, UInt8, UInt8))] = [
        ("Tumor", (200, 0, 0)), ("Stroma", (150, 200, 150)), ("Immune cells", (160, 90, 160)),
        ("Necrosis", (50, 50, 50)), ("Other", (255, 200, 0)), ("Region*", (0, 0, 180)), ("Ignore*", (180, 180, 180)),
    ]

    /// Model class names (lower case) that mean one of QuPath's standard classes.
    static let standardSynonyms: [String: String] = [
        "tumor": "Tumor", "tumour": "Tumor", "stroma": "Stroma", "immune cells": "Immune cells",
        "immune": "Immune cells", "lymphocytes": "Immune cells", "inflammatory": "Immune cells",
        "necrosis": "Necrosis", "other": "Other", "background": "Ignore*",
    ]

    /// The QuPath class of a QC artefact kind: derived from QuPath's standard `Ignore*` (QuPath leaves a class whose
    /// base class name ends in "*" out of its measurements and classifiers: PathObjectTools, PathClassTools) with
    /// the kind's own name ("Ignore*: Pen", "Ignore*: Bubble edge"), in the kind's colour, so a pathologist sees
    /// which artefact it is and QuPath treats every one as excluded tissue.
    public static func qcClassification(kind: String) -> QuPathFeature.Classification {
        let colour = QCMaskFile.colour(of: kind)
        return QuPathFeature.Classification(name: "Ignore*: " + QCMaskFile.title(of: kind),
                                            colour: (colour.red, colour.green, colour.blue))
    }

    static let detectionWords = ["nucle", "cell", "cyte", "mitos", "mitotic"]

    public var objectTypes: [String: QuPathObjectType]
    public var qupathClasses: [String: String]

    public init(objectTypes: [String: QuPathObjectType] = [:], qupathClasses: [String: String] = [:]) {
        self.objectTypes = objectTypes
        self.qupathClasses = qupathClasses
    }

    /// The map a run recorded from its model's metadata (`runs.parameters_json`, key `qupath`:
    /// `{"objectTypes": {class: "detection"|"annotation"}, "classes": {class: QuPath class}}`); empty when it
    /// recorded none (runs before the key, models without the metadata).
    public static func recorded(inRunParameters parametersJSON: String) -> QuPathClassMap {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(parametersJSON.utf8))) as? [String: Any],
              let qupath = object["qupath"] as? [String: Any] else { return QuPathClassMap() }
        let types = (qupath["objectTypes"] as? [String: String] ?? [:]).compactMapValues { QuPathObjectType(rawValue: $0) }
        return QuPathClassMap(objectTypes: types.filter { $0.value != .tile },
                              qupathClasses: qupath["classes"] as? [String: String] ?? [:])
    }

    /// This map's stated choices over `base`'s: what the export command states wins over what the model's
    /// metadata states.
    public func overriding(_ base: QuPathClassMap) -> QuPathClassMap {
        QuPathClassMap(objectTypes: base.objectTypes.merging(objectTypes) { $1 },
                       qupathClasses: base.qupathClasses.merging(qupathClasses) { $1 })
    }

    /// The object type of `className`'s regions.
    public func objectType(of className: String) -> QuPathObjectType {
        if let stated = objectTypes[className] { return stated }
        let lower = className.lowercased()
        return Self.detectionWords.contains { lower.contains($0) } ? .detection : .annotation
    }

    /// The QuPath class (name and colour) of a run's class.
    public func classification(of info: ClassInfo) -> QuPathFeature.Classification {
        let name = qupathClasses[info.name] ?? Self.standardSynonyms[info.name.lowercased()] ?? info.name
        if let standard = Self.standardClasses.first(where: { $0.name == name }) {
            return .init(name: name, colour: standard.colour)
        }
        return .init(name: name, colour: QuPathFeature.colour(hex: info.colour))
    }

    /// Parses `CLASS=VALUE` items (the command-line form); nil with the offending item when one has no `=`.
    public static func pairs(_ items: [String]) -> Result<[(String, String)], ParseFailure> {
        var pairs: [(String, String)] = []
        for item in items {
            guard let equals = item.lastIndex(of: "=") else { return .failure(ParseFailure(item: item)) }
            let key = item[..<equals].trimmingCharacters(in: .whitespaces)
            let value = item[item.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, !value.isEmpty else { return .failure(ParseFailure(item: item)) }
            pairs.append((key, value))
        }
        return .success(pairs)
    }

    public struct ParseFailure: Error, Equatable {
        public var item: String
    }
}

/// Tessera's measurement names in QuPath: under Tessera's own prefix, so none is ever the name of one of QuPath's live
/// measurements ("Area µm^2", "Perimeter µm", …), which QuPath shows instead of an imported value of that name.
public enum QuPathMeasurement {
    public static let prefix = "Tessera: "
    public static let area = prefix + "area µm^2"
    /// A compartment annotation's area with the nuclei (detection-class regions) inside it filled in: its
    /// outline's area. `area` stays its class's own, as the tile table counts it.
    public static let areaWithFilledHoles = prefix + "area incl. enclosed detections µm^2"
    /// How many holes of a compartment annotation were filled, each by exactly one detection-class region.
    public static let filledHoles = prefix + "holes filled by detections"
    public static let meanProbability = prefix + "mean probability"
    public static let regions = prefix + "regions"
    public static let tissueFraction = prefix + "tissue fraction"
    public static func fraction(_ className: String) -> String { prefix + "\(className) fraction" }
    public static func meanProbability(_ className: String) -> String { prefix + "\(className) mean probability" }
    /// A nucleus's measurements (the results file's `nuclei` columns).
    /// A QC annotation's kind as its value in the QC map (pen 1, blur 2, fold 4, bubble edge 8: `QCMaskFile`).
    public static let qcKindValue = prefix + "QC kind value"
    public static let nucleusArea = prefix + "nucleus area µm^2"
    public static let nucleusPerimeter = prefix + "nucleus perimeter µm"
    public static let nucleusDiameter = prefix + "nucleus diameter µm"
    public static let nucleusEccentricity = prefix + "nucleus eccentricity"
    public static let nucleusSolidity = prefix + "nucleus solidity"
    public static let nucleusHaematoxylin = prefix + "nucleus haematoxylin OD mean"
    public static let nucleusProbability = prefix + "nucleus probability mean"
}

/// The frame QuPath gives a slide's objects: its OpenSlide server crops to `openslide.bounds-x/-y/-width/-height`
/// when all four are stated and whole numbers (qupath-extension-openslide v0.5.1 `OpenslideImageServer`), so
/// coordinates are level-0 pixels minus (bounds-x, bounds-y) for those slides (MIRAX, Leica, …) and level-0 pixels
/// for every other.
public struct QuPathFrame: Sendable, Equatable {
    public enum Source: String, Sendable {
        /// The slide states bounds: its objects are shifted by them.
        case openslideBounds = "openslide-bounds"
        /// The slide states no bounds: level-0 pixels as they are.
        case noBounds = "no-bounds"
        /// The slide could not be opened to read its bounds: level-0 pixels, which may be offset in QuPath.
        case slideUnreadable = "slide-unreadable"
    }

    public var offsetX: Int
    public var offsetY: Int
    /// QuPath's image size for a slide with bounds (bounds-width, bounds-height); nil: the slide's own.
    public var width: Int?
    public var height: Int?
    public var source: Source

    public init(offsetX: Int = 0, offsetY: Int = 0, width: Int? = nil, height: Int? = nil, source: Source) {
        self.offsetX = offsetX
        self.offsetY = offsetY
        self.width = width
        self.height = height
        self.source = source
    }

    /// The frame for a slide with these OpenSlide properties, by QuPath's rule.
    public init(openSlideProperties properties: [String: String]) {
        let keys = ["openslide.bounds-x", "openslide.bounds-y", "openslide.bounds-width", "openslide.bounds-height"]
        let values = keys.map { properties[$0].flatMap { Int32($0) } }
        if values.allSatisfy({ $0 != nil }) {
            self.init(offsetX: Int(values[0]!), offsetY: Int(values[1]!), width: Int(values[2]!), height: Int(values[3]!),
                      source: .openslideBounds)
        } else {
            self.init(source: .noBounds)
        }
    }

    /// The part of the level-0 slide QuPath shows, in level-0 pixels.
    func imageRect(slideWidth: Int, slideHeight: Int) -> PixelRect {
        guard let width, let height else { return PixelRect(x: 0, y: 0, width: slideWidth, height: slideHeight) }
        return PixelRect(x: offsetX, y: offsetY, width: width, height: height)
    }

    /// The `tessera` member's record of it.
    var json: String {
        #""qupath_frame":{"offset":[\#(offsetX),\#(offsetY)],"source":"\#(source.rawValue)"}"#
    }
}
