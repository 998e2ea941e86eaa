import Foundation
import Yams

/// A YAML (or JSON) value that remembers the line it was written on, so that every error can point at it.
///
/// Pipeline files are read into this tree (not straight into Codable types) because the schema check needs the
/// document as written: unknown keys, wrong types and out-of-range values are all reported with their line.
public struct DocumentValue: Sendable, Equatable {
    public indirect enum Content: Sendable, Equatable {
        case null
        case bool(Bool)
        case integer(Int)
        case number(Double)
        case string(String)
        case array([DocumentValue])
        /// Members in the order written; keys are unique (duplicates are rejected when the YAML is read).
        case object([Member])
    }

    public struct Member: Sendable, Equatable {
        public var key: String
        /// The line the key is written on (1-based).
        public var keyLine: Int
        public var value: DocumentValue

        public init(key: String, keyLine: Int, value: DocumentValue) {
            self.key = key
            self.keyLine = keyLine
            self.value = value
        }
    }

    public var content: Content
    /// 1-based line of the value in its file; 0 for values that were not read from a file (schema defaults).
    public var line: Int

    public init(_ content: Content, line: Int = 0) {
        self.content = content
        self.line = line
    }

    /// The member named `key`, when this is an object that has one.
    public subscript(key: String) -> DocumentValue? {
        guard case .object(let members) = content else { return nil }
        return members.first { $0.key == key }?.value
    }

    public var members: [Member]? {
        if case .object(let members) = content { return members }
        return nil
    }

    public var stringValue: String? {
        if case .string(let string) = content { return string }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let bool) = content { return bool }
        return nil
    }

    /// Integers, and numbers with no fractional part (JSON Schema counts 64.0 as an integer too).
    public var intValue: Int? {
        switch content {
        case .integer(let integer): return integer
        case .number(let number) where number.rounded() == number && abs(number) < 9.0e15: return Int(number)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch content {
        case .integer(let integer): return Double(integer)
        case .number(let number): return number
        default: return nil
        }
    }

    public var isNull: Bool { content == .null }
}

/// A problem found in a pipeline file, with where it is.
public struct PipelineDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line in the file; 0 when the problem has no single line (an empty file).
    public var line: Int
    /// Dotted key path (`tiling.overlap`, `inputs[2]`); empty for the document itself.
    public var keyPath: String
    public var message: String
    /// The JSON Schema keyword the value breaks (`type`, `minimum`...); nil for checks outside the schema
    /// (YAML syntax, rules that relate two keys).
    public var schemaKeyword: String?

    public init(line: Int, keyPath: String, message: String, schemaKeyword: String? = nil) {
        self.line = line
        self.keyPath = keyPath
        self.message = message
        self.schemaKeyword = schemaKeyword
    }

    /// `12: tiling.overlap: must be a multiple of 2 (got 65)`; the file name is prefixed by whoever prints it.
    public var description: String {
        "\(line): \(keyPath.isEmpty ? "(top level)" : keyPath): \(message)"
    }
}

extension DocumentValue {
    /// Reads the first YAML document of `text`. YAML syntax errors, duplicate keys, numbers that are not finite
    /// (`.nan`, `.inf`) and documents past `limits` (alias bombs) come back as diagnostics.
    ///
    /// Scalars are typed as YAML 1.1 plain scalars are (as PyYAML does, so the Python schema check agrees):
    /// quoted scalars are always strings; `yes`/`no`/`on`/`off` are booleans.
    public static func parseYAML(_ text: String, limits: YAMLLimits = .pipeline) -> Result<DocumentValue, PipelineDiagnostic> {
        if let problem = limits.check(text) { return .failure(problem) }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            return .failure(diagnostic(for: error))
        } catch {
            return .failure(PipelineDiagnostic(line: 0, keyPath: "", message: "not readable as YAML: \(error)"))
        }
        guard let root else {
            return .failure(PipelineDiagnostic(line: 1, keyPath: "", message: "the file is empty"))
        }
        var problems: [PipelineDiagnostic] = []
        let value = DocumentValue(node: root, keyPath: "", problems: &problems)
        if let first = problems.first { return .failure(first) }
        return .success(value)
    }

    private init(node: Node, keyPath: String, problems: inout [PipelineDiagnostic]) {
        let line = node.mark?.line ?? 0
        switch node {
        case .scalar(let scalar):
            let content = Self.content(of: scalar, node: node)
            if case .number(let number) = content, !number.isFinite {
                problems.append(PipelineDiagnostic(line: line, keyPath: keyPath, message: "\(scalar.string) is not a "
                                                   + "finite number; write a number such as 0.5 (or null where allowed)"))
            }
            self.init(content, line: line)
        case .sequence(let sequence):
            let items = sequence.enumerated().map { index, item in
                DocumentValue(node: item, keyPath: "\(keyPath)[\(index)]", problems: &problems)
            }
            self.init(.array(items), line: line)
        case .mapping(let mapping):
            var members: [Member] = []
            var seen = Set<String>()
            for (keyNode, valueNode) in mapping {
                let key = keyNode.string ?? String(describing: keyNode)
                let childPath = keyPath.isEmpty ? key : "\(keyPath).\(key)"
                let keyLine = keyNode.mark?.line ?? line
                guard seen.insert(key).inserted else {
                    problems.append(PipelineDiagnostic(line: keyLine, keyPath: childPath,
                                                       message: "key written twice; keep one"))
                    continue
                }
                members.append(Member(key: key, keyLine: keyLine,
                                      value: DocumentValue(node: valueNode, keyPath: childPath, problems: &problems)))
            }
            self.init(.object(members), line: line)
        case .alias:
            // Yams resolves aliases while composing; an alias node here would be an anchor it could not find.
            self.init(.string(node.string ?? ""), line: line)
        }
    }

    private static func content(of scalar: Node.Scalar, node: Node) -> Content {
        // Quoted and block scalars are strings whatever they look like ("1", 'yes').
        if scalar.style != .plain && scalar.style != .any && scalar.tag.rawValue == Tag.Name.implicit.rawValue {
            return .string(scalar.string)
        }
        switch Tag.Name(rawValue: node.tag.rawValue) {
        case .null: return .null
        case .bool: return node.bool.map(Content.bool) ?? .string(scalar.string)
        case .int:
            if let integer = node.int { return .integer(integer) }
            return node.float.map(Content.number) ?? .string(scalar.string)
        case .float: return node.float.map(Content.number) ?? .string(scalar.string)
        default: return .string(scalar.string)
        }
    }

    private static func diagnostic(for error: YamlError) -> PipelineDiagnostic {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return PipelineDiagnostic(line: mark.line, keyPath: "", message: "YAML syntax error: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return PipelineDiagnostic(line: context.mark.line, keyPath: duplicates.sorted().joined(separator: ", "),
                                      message: "key written more than once in one mapping; keep one")
        default:
            return PipelineDiagnostic(line: 0, keyPath: "", message: "not readable as YAML: \(error)")
        }
    }
}
