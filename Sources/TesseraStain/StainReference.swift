import Foundation
import TesseraCore

/// A stain normalisation method.
public enum StainMethod: String, Sendable, CaseIterable, Codable {
    /// Reinhard et al. 2001: per-channel mean and standard deviation in CIELAB, matched to the target's.
    case reinhard
    /// Macenko et al. 2009: haematoxylin and eosin optical-density vectors from the plane of the two largest
    /// principal components, concentrations rescaled to the target's 99th percentiles, recomposed with the
    /// target's vectors.
    case macenko
}

/// Reinhard statistics: mean and population standard deviation of CIELAB (D65; L 0-100) over tissue pixels.
public struct LabStatistics: Sendable, Equatable {
    public var mean: SIMD3<Double>
    public var std: SIMD3<Double>
    public init(mean: SIMD3<Double>, std: SIMD3<Double>) { self.mean = mean; self.std = std }

    /// How far these statistics lie from a reference's, in the reference's own units: each channel's mean offset in
    /// reference standard deviations, and each channel's spread as the log of its ratio to the reference's, combined
    /// as a Euclidean norm. 0 for the reference itself; a slide whose a* mean lies one reference deviation off, with
    /// the same spreads, is at 1.
    public func distance(to reference: LabStatistics) -> Double {
        var sum = 0.0
        for c in 0..<3 {
            let z = (mean[c] - reference.mean[c]) / Swift.max(reference.std[c], 1e-6)
            let spread = Foundation.log(Swift.max(std[c], 1e-6) / Swift.max(reference.std[c], 1e-6))
            sum += z * z + spread * spread
        }
        return sum.squareRoot()
    }
}

/// Macenko statistics: unit optical-density vectors of haematoxylin and eosin (R, G, B) and the 99th percentile
/// of each stain's concentration over tissue pixels.
public struct StainVectors: Sendable, Equatable {
    public var haematoxylin: SIMD3<Double>
    public var eosin: SIMD3<Double>
    public var maxConcentrations: SIMD2<Double>
    public init(haematoxylin: SIMD3<Double>, eosin: SIMD3<Double>, maxConcentrations: SIMD2<Double>) {
        self.haematoxylin = haematoxylin; self.eosin = eosin; self.maxConcentrations = maxConcentrations
    }
}

/// What a method estimates from an image: the source statistics of a slide, or the target of a model.
public enum StainStatistics: Sendable, Equatable {
    case reinhard(LabStatistics)
    case macenko(StainVectors)

    public var method: StainMethod {
        switch self {
        case .reinhard: .reinhard
        case .macenko: .macenko
        }
    }

    /// The statistics' own fields as a JSON object, the form `stain_reference` uses for each method.
    public var fieldsJSON: String {
        switch self {
        case .reinhard(let s):
            "{\"lab_mean\": \(Self.list(s.mean)), \"lab_std\": \(Self.list(s.std))}"
        case .macenko(let s):
            "{\"max_concentrations\": \(Self.list([s.maxConcentrations.x, s.maxConcentrations.y])), "
                + "\"stain_matrix\": [\(Self.list(s.haematoxylin)), \(Self.list(s.eosin))]}"
        }
    }

    /// {"method": ..., fields}: what provenance records for a slide's source and a model's target.
    public var json: String {
        "{\"method\": \"\(method.rawValue)\", " + fieldsJSON.dropFirst()
    }

    static func list(_ values: [Double]) -> String {
        "[" + values.map { String(format: "%.6g", $0) }.joined(separator: ", ") + "]"
    }
    static func list(_ v: SIMD3<Double>) -> String { list([v.x, v.y, v.z]) }
}

/// A model's stain target (metadata key `stain_reference`): the method it prefers and the target statistics of
/// each method it was computed for, with where they came from.
///
/// JSON form:
/// ```
/// {"method": "macenko",
///  "macenko": {"stain_matrix": [[hR, hG, hB], [eR, eG, eB]], "max_concentrations": [h, e]},
///  "reinhard": {"lab_mean": [L, a, b], "lab_std": [L, a, b]},
///  "source": "CMU-1-Small-Region.svs: 16 tiles, 262144 tissue pixels"}
/// ```
public struct StainReference: Sendable, Equatable {
    public var method: StainMethod
    public var reinhard: LabStatistics?
    public var macenko: StainVectors?
    public var source: String?

    public init(method: StainMethod, reinhard: LabStatistics? = nil, macenko: StainVectors? = nil, source: String? = nil) {
        self.method = method; self.reinhard = reinhard; self.macenko = macenko; self.source = source
    }

    /// The target for `method`, when this reference has one.
    public func target(for method: StainMethod) -> StainStatistics? {
        switch method {
        case .reinhard: reinhard.map { .reinhard($0) }
        case .macenko: macenko.map { .macenko($0) }
        }
    }

    /// The metadata key models declare it under.
    public static let metadataKey = "stain_reference"

    /// Parses the JSON form; the error says which field is wrong.
    public init(json text: String) throws(StainReferenceError) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw StainReferenceError("is not a JSON object")
        }
        guard let name = object["method"] as? String, let method = StainMethod(rawValue: name) else {
            throw StainReferenceError("method must be one of \(StainMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var reference = StainReference(method: method, source: object["source"] as? String)
        if let entry = object["reinhard"] {
            guard let fields = entry as? [String: Any], let mean = Self.triple(fields["lab_mean"]),
                  let std = Self.triple(fields["lab_std"]), std.min() > 0 else {
                throw StainReferenceError("reinhard needs lab_mean and lab_std, three numbers each (std positive)")
            }
            reference.reinhard = LabStatistics(mean: mean, std: std)
        }
        if let entry = object["macenko"] {
            guard let fields = entry as? [String: Any], let rows = fields["stain_matrix"] as? [Any], rows.count == 2,
                  let h = Self.triple(rows[0]), let e = Self.triple(rows[1]),
                  let maxima = fields["max_concentrations"] as? [NSNumber], maxima.count == 2,
                  maxima.allSatisfy({ $0.doubleValue > 0 }) else {
                throw StainReferenceError("macenko needs stain_matrix (two rows of three numbers) and max_concentrations (two positive numbers)")
            }
            guard abs((h * h).sum() - 1) < 1e-3, abs((e * e).sum() - 1) < 1e-3 else {
                throw StainReferenceError("macenko stain_matrix rows must be unit vectors")
            }
            reference.macenko = StainVectors(haematoxylin: h, eosin: e,
                                             maxConcentrations: SIMD2(maxima[0].doubleValue, maxima[1].doubleValue))
        }
        guard reference.target(for: method) != nil else {
            throw StainReferenceError("method is \(method.rawValue) but there is no \(method.rawValue) entry")
        }
        self = reference
    }

    /// The JSON form, keys sorted, numbers to 6 significant digits.
    public var json: String {
        var parts: [String] = []
        if let macenko { parts.append("\"macenko\": \(StainStatistics.macenko(macenko).fieldsJSON)") }
        parts.append("\"method\": \"\(method.rawValue)\"")
        if let reinhard { parts.append("\"reinhard\": \(StainStatistics.reinhard(reinhard).fieldsJSON)") }
        if let source { parts.append("\"source\": \(JSONText.quoted(source))") }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    private static func triple(_ value: Any?) -> SIMD3<Double>? {
        guard let numbers = value as? [NSNumber], numbers.count == 3 else { return nil }
        let values = numbers.map(\.doubleValue)
        guard values.allSatisfy(\.isFinite) else { return nil }
        return SIMD3(values[0], values[1], values[2])
    }
}

/// A `stain_reference` that cannot be used; `message` names the field.
public struct StainReferenceError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "stain_reference \(message)" }
}
