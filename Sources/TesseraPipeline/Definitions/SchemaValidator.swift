import Foundation

/// Checks a document against a JSON Schema (draft 2020-12), for exactly the keywords pipeline.schema.json uses:
/// `type` (one name or a list), `const`, `enum`, `properties`, `required`, `additionalProperties: false`,
/// `items`, `minItems`, `minLength`, `pattern`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`,
/// `multipleOf`. Annotations (`title`, `description`, `default`, `$schema`, `$id`) are ignored, as the standard says.
///
/// Every keyword is checked on every value (as Python's jsonschema does), so one pass collects all errors.
/// A schema that uses a keyword outside this list is refused when the validator is made, so the schema file
/// cannot quietly grow a rule that Tessera does not enforce.
public struct SchemaValidator: Sendable {
    public let schema: DocumentValue

    static let supportedKeywords: Set<String> = [
        "$schema", "$id", "title", "description", "default",
        "type", "const", "enum", "properties", "required", "additionalProperties", "items", "minItems",
        "minLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    ]

    public init(schema: DocumentValue) throws(PipelineError) {
        self.schema = schema
        var unsupported: [String] = []
        Self.collectUnsupportedKeywords(in: schema, path: "", into: &unsupported)
        if !unsupported.isEmpty {
            throw PipelineError(kind: .schemaUnsupported, file: "schemas/pipeline.schema.json",
                                message: "uses JSON Schema keywords Tessera's validator does not implement: "
                                    + unsupported.joined(separator: ", ")
                                    + "; implement them in SchemaValidator.swift or leave them out of the schema")
        }
    }

    /// All the ways `instance` breaks the schema, in document order.
    public func validate(_ instance: DocumentValue) -> [PipelineDiagnostic] {
        var diagnostics: [PipelineDiagnostic] = []
        check(instance, against: schema, keyPath: "", keyLine: instance.line, into: &diagnostics)
        return diagnostics
    }

    private static func collectUnsupportedKeywords(in schema: DocumentValue, path: String, into names: inout [String]) {
        guard let members = schema.members else { return }
        for member in members {
            if !supportedKeywords.contains(member.key) { names.append(path + member.key) }
            switch member.key {
            case "properties":
                for property in member.value.members ?? [] {
                    collectUnsupportedKeywords(in: property.value, path: "\(path)properties.\(property.key).", into: &names)
                }
            case "items":
                collectUnsupportedKeywords(in: member.value, path: "\(path)items.", into: &names)
            default:
                break
            }
        }
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    /// `keyLine` is the line of the key that holds `value`: missing keys are reported there.
    private func check(_ value: DocumentValue, against schema: DocumentValue, keyPath: String, keyLine: Int,
                       into diagnostics: inout [PipelineDiagnostic]) {
        func report(_ keyword: String, _ message: String, line: Int? = nil, keyPath path: String? = nil) {
            diagnostics.append(PipelineDiagnostic(line: line ?? value.line, keyPath: path ?? keyPath, message: message,
                                                  schemaKeyword: keyword))
        }

        if let typeSchema = schema["type"] {
            let names = typeSchema.stringValue.map { [$0] } ?? (typeSchema.arrayValue ?? []).compactMap(\.stringValue)
            if !names.contains(where: { Self.value(value, hasType: $0) }) {
                report("type", "must be \(Self.describe(types: names)) (got \(Self.render(value)))")
            }
        }
        if let constant = schema["const"], !Self.jsonEqual(value, constant) {
            report("const", "must be \(Self.render(constant)) (got \(Self.render(value)))")
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(where: { Self.jsonEqual(value, $0) }) {
            report("enum", "must be one of \(options.map(Self.render).joined(separator: ", ")) (got \(Self.render(value)))")
        }

        switch value.content {
        case .object(let members):
            let properties = schema["properties"]?.members ?? []
            for name in (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue)
            where !members.contains(where: { $0.key == name }) {
                report("required", "required key missing", line: keyLine,
                       keyPath: keyPath.isEmpty ? name : "\(keyPath).\(name)")
            }
            for member in members {
                let childPath = keyPath.isEmpty ? member.key : "\(keyPath).\(member.key)"
                if let propertySchema = properties.first(where: { $0.key == member.key })?.value {
                    check(member.value, against: propertySchema, keyPath: childPath, keyLine: member.keyLine,
                          into: &diagnostics)
                } else if let valueSchema = schema["additionalProperties"], valueSchema.members != nil {
                    // A map (class name to value): every member's value checked against the one schema.
                    check(member.value, against: valueSchema, keyPath: childPath, keyLine: member.keyLine,
                          into: &diagnostics)
                } else if schema["additionalProperties"]?.boolValue == false {
                    let allowed = properties.map(\.key)
                    var message = "unknown key"
                    // Suggestions cost an edit distance per allowed key: only for as many problems as are shown.
                    if diagnostics.count < PipelineDefinition.shownDiagnostics,
                       let suggestion = Self.closest(to: member.key, among: allowed) {
                        message += " (did you mean \"\(suggestion)\"?)"
                    }
                    message += "; allowed here: \(allowed.joined(separator: ", "))"
                    report("additionalProperties", message, line: member.keyLine, keyPath: childPath)
                }
            }
        case .array(let items):
            if let minimum = schema["minItems"]?.intValue, items.count < minimum {
                report("minItems", "must list at least \(minimum) item\(minimum == 1 ? "" : "s") (got \(items.count))")
            }
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() {
                    check(item, against: itemSchema, keyPath: "\(keyPath)[\(index)]", keyLine: item.line,
                          into: &diagnostics)
                }
            }
        case .string(let string):
            if let minimum = schema["minLength"]?.intValue, string.unicodeScalars.count < minimum {
                report("minLength", minimum == 1 ? "must not be empty"
                                                 : "must be at least \(minimum) characters (got \(Self.render(value)))")
            }
            if let pattern = schema["pattern"]?.stringValue {
                let range = NSRange(string.startIndex..., in: string)
                let regex = try? NSRegularExpression(pattern: pattern)
                if regex?.firstMatch(in: string, range: range) == nil {
                    report("pattern", "must match \(pattern) (got \(Self.render(value)))")
                }
            }
        case .integer, .number:
            guard let number = value.doubleValue else { break }
            let got = Self.render(value)
            if let bound = schema["minimum"]?.doubleValue, number < bound {
                report("minimum", "must be >= \(Self.render(number: bound)) (got \(got))")
            }
            if let bound = schema["maximum"]?.doubleValue, number > bound {
                report("maximum", "must be <= \(Self.render(number: bound)) (got \(got))")
            }
            if let bound = schema["exclusiveMinimum"]?.doubleValue, number <= bound {
                report("exclusiveMinimum", "must be > \(Self.render(number: bound)) (got \(got))")
            }
            if let bound = schema["exclusiveMaximum"]?.doubleValue, number >= bound {
                report("exclusiveMaximum", "must be < \(Self.render(number: bound)) (got \(got))")
            }
            if let divisor = schema["multipleOf"]?.doubleValue, divisor > 0 {
                let quotient = number / divisor
                if !quotient.isFinite || quotient.rounded() != quotient {
                    report("multipleOf", "must be a multiple of \(Self.render(number: divisor)) (got \(got))")
                }
            }
        case .null, .bool:
            break
        }
    }

    static func value(_ value: DocumentValue, hasType name: String) -> Bool {
        switch (name, value.content) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
             ("number", .integer), ("number", .number), ("integer", .integer):
            return true
        case ("integer", .number):
            return value.intValue != nil
        default:
            return false
        }
    }

    /// JSON equality: 1 and 1.0 are equal numbers; booleans are not numbers.
    static func jsonEqual(_ lhs: DocumentValue, _ rhs: DocumentValue) -> Bool {
        switch (lhs.content, rhs.content) {
        case (.integer, .integer), (.integer, .number), (.number, .integer), (.number, .number):
            return lhs.doubleValue == rhs.doubleValue
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { jsonEqual($0, $1) }
        case (.object(let left), .object(let right)):
            return left.count == right.count && left.allSatisfy { member in
                right.first { $0.key == member.key }.map { jsonEqual(member.value, $0.value) } ?? false
            }
        default:
            return lhs.content == rhs.content
        }
    }

    private static func describe(types names: [String]) -> String {
        let words = names.map { name -> String in
            switch name {
            case "integer": return "an integer"
            case "object": return "a mapping of keys to values"
            case "array": return "a list"
            case "null": return "null"
            default: return "a \(name)"
            }
        }
        return words.count <= 1 ? (words.first ?? "nothing") : words.dropLast().joined(separator: ", ") + " or " + words.last!
    }

    /// A short rendering of a value for messages: numbers as written, strings quoted, containers summarised.
    static func render(_ value: DocumentValue) -> String {
        switch value.content {
        case .null: return "null"
        case .bool(let bool): return bool ? "true" : "false"
        case .integer(let integer): return String(integer)
        case .number(let number): return render(number: number)
        case .string(let string): return "\"\(string)\""
        case .array(let items): return "a list of \(items.count)"
        case .object: return "a mapping"
        }
    }

    static func render(number: Double) -> String {
        if number.rounded() == number && abs(number) < 1e15 { return String(Int(number)) }
        return String(number)
    }

    /// The allowed key a mistyped key was most likely meant to be (edit distance at most 2, or a case slip).
    static func closest(to key: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(key.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(1, min(2, key.count / 3)) else { return nil }
        return best.0
    }

    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let left = Array(lhs), right = Array(rhs)
        if left.isEmpty { return right.count }
        var previous = Array(0...right.count)
        for (i, leftCharacter) in left.enumerated() {
            var current = [i + 1]
            for (j, rightCharacter) in right.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (leftCharacter == rightCharacter ? 0 : 1)))
            }
            previous = current
        }
        return previous[right.count]
    }
}

extension DocumentValue {
    public var arrayValue: [DocumentValue]? {
        if case .array(let items) = content { return items }
        return nil
    }
}
