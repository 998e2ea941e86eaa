import Foundation

/// A model's metadata: the safetensors `__metadata__` strings, overlaid by the sidecar JSON next to the model.
///
/// Every key is read through one of the typed accessors below, and they all follow one rule: an absent key gives nil
/// (the caller's default applies); a present key must parse completely and lie in its range, otherwise loading fails
/// with an error naming the file, the key, the value written and what is accepted. Nothing is silently ignored or
/// half-parsed. A new key is one accessor call in `SegmentationModel.load` and a row in the README's table.
public struct ModelMetadata: Sendable {
    /// Each key's text as stored (sidecar values that are not strings are kept as their JSON text).
    public let values: [String: String]
    /// The weights file, for errors.
    public let file: String

    public init(values: [String: String], file: String) {
        self.values = values
        self.file = file
    }

    public func string(_ key: String) -> String? { values[key] }

    /// A whole number in `range` ("16"; "16.0" too, as JSON writers may put it).
    public func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = values[key] else { return nil }
        guard let value = Self.parseInteger(text) else { throw invalid(key, text, "must be a whole number in \(range)") }
        guard range.contains(value) else { throw invalid(key, text, "must be in \(range)") }
        return value
    }

    /// A finite number in `range`.
    public func number(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let text = values[key] else { return nil }
        guard let value = Self.parseNumber(text) else { throw invalid(key, text, "must be a number in \(range)") }
        guard range.contains(value) else { throw invalid(key, text, "must be in \(range)") }
        return value
    }

    /// Exactly `count` whole numbers in `range`, written "1,2,3", "1 2 3" or "[1, 2, 3]".
    public func integers(_ key: String, count: Int, in range: ClosedRange<Int>) throws -> [Int]? {
        try list(key, count: count, in: range, "whole numbers", Self.parseInteger)
    }

    /// Exactly `count` finite numbers in `range`, written as for `integers`.
    public func numbers(_ key: String, count: Int, in range: ClosedRange<Double>) throws -> [Double]? {
        try list(key, count: count, in: range, "numbers", Self.parseNumber)
    }

    private func list<Value: Comparable>(_ key: String, count: Int, in range: ClosedRange<Value>, _ what: String,
                                         _ parse: (String) -> Value?) throws -> [Value]? {
        guard let text = values[key] else { return nil }
        let items = Self.listItems(text) ?? []
        let parsed = items.compactMap(parse)
        guard !items.isEmpty, parsed.count == items.count, parsed.count == count, parsed.allSatisfy(range.contains) else {
            throw invalid(key, text, "must be \(count) \(what) in \(range)")
        }
        return parsed
    }

    /// Exactly `count` strings: a JSON array of strings, or a comma-separated list.
    public func strings(_ key: String, count: Int) throws -> [String]? {
        guard let text = values[key] else { return nil }
        let parsed: [String]
        if text.trimmingCharacters(in: .whitespaces).hasPrefix("[") {
            guard let data = text.data(using: .utf8),
                  let array = try? JSONSerialization.jsonObject(with: data) as? [String] else {
                throw invalid(key, text, "must be a JSON array of \(count) strings")
            }
            parsed = array
        } else {
            parsed = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        guard parsed.count == count else { throw invalid(key, text, "has \(parsed.count) names for \(count) classes") }
        return parsed
    }

    /// A JSON object from class names to strings (`{"nuclei": "detection"}`): each key one of `classNames`, each
    /// value non-empty and, when `allowed` is given, one of them.
    public func classMap(_ key: String, classNames: [String], allowed: [String]? = nil) throws -> [String: String]? {
        guard let text = values[key] else { return nil }
        guard let data = text.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw invalid(key, text, "must be a JSON object from class names to strings")
        }
        var map: [String: String] = [:]
        for (name, value) in object {
            guard classNames.contains(name) else {
                throw invalid(key, text, "names \"\(name)\", which is not one of the classes (\(classNames.joined(separator: ", ")))")
            }
            guard let string = value as? String, !string.trimmingCharacters(in: .whitespaces).isEmpty,
                  allowed?.contains(string) ?? true else {
                throw invalid(key, text, "gives \(name) a value that is not " + (allowed.map { $0.joined(separator: " or ") } ?? "a name"))
            }
            map[name] = string
        }
        return map
    }

    /// Exactly `count` colours: a JSON array of `[r, g, b]` (each 0...255) or `"#rrggbb"` items.
    public func colours(_ key: String, count: Int) throws -> [(UInt8, UInt8, UInt8)]? {
        guard let text = values[key] else { return nil }
        let expected = "must be a JSON array of \(count) colours, each [r, g, b] (0 to 255) or \"#rrggbb\""
        guard let data = text.data(using: .utf8), let array = try? JSONSerialization.jsonObject(with: data) as? [Any] else {
            throw invalid(key, text, expected)
        }
        let parsed = array.compactMap { item -> (UInt8, UInt8, UInt8)? in
            if let triple = item as? [Any], triple.count == 3 {
                let channels = triple.compactMap { ($0 as? NSNumber).flatMap { Self.parseInteger($0.stringValue) } }
                guard channels.count == 3, channels.allSatisfy((0...255).contains) else { return nil }
                return (UInt8(channels[0]), UInt8(channels[1]), UInt8(channels[2]))
            }
            if let hex = item as? String, hex.hasPrefix("#"), hex.count == 7,
               hex.dropFirst().allSatisfy(\.isHexDigit), let value = UInt32(hex.dropFirst(), radix: 16) {
                return (UInt8(value >> 16), UInt8((value >> 8) & 0xff), UInt8(value & 0xff))
            }
            return nil
        }
        guard parsed.count == array.count, parsed.count == count else { throw invalid(key, text, expected) }
        return parsed
    }

    public func invalid(_ key: String, _ text: String, _ rule: String) -> WeightsError {
        let shown = text.count > 80 ? String(text.prefix(80)) + "…" : text
        return WeightsError(.badMetadata, "metadata \(key) \(rule) (got \"\(shown)\"); fix the model's metadata or its sidecar JSON",
                            file: file)
    }

    static func parseInteger(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let integer = Int(trimmed) { return integer }
        guard let number = Double(trimmed), number.isFinite, number.rounded() == number, abs(number) < 9.0e15 else { return nil }
        return Int(number)
    }

    static func parseNumber(_ text: String) -> Double? {
        guard let number = Double(text.trimmingCharacters(in: .whitespaces)), number.isFinite else { return nil }
        return number
    }

    /// The items of "1,2,3", "1 2 3" or "[1, 2, 3]"; nil for unbalanced brackets.
    static func listItems(_ text: String) -> [String]? {
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        if body.hasPrefix("[") {
            guard body.hasSuffix("]") else { return nil }
            body = body.dropFirst().dropLast()
        }
        guard !body.contains("["), !body.contains("]") else { return nil }
        return body.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
    }
}
