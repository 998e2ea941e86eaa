import CYaml
import Foundation

/// Limits on what a pipeline file may expand to, checked on libyaml's event stream before the document is built.
///
/// YAML aliases make a small file describe a huge document: nine levels of ten aliases each are 10⁹ values in 1 KB
/// ("billion laughs"), and merge keys (`<<: *a`) do the same. Yams resolves an alias by sharing the anchored node, so
/// composing is cheap, but everything that walks the tree (building `DocumentValue`, hashing a mapping key, the schema
/// check) pays for the expanded size. This check computes the expanded size and depth of every anchored node from the
/// events alone, in time and memory linear in the file, and refuses the file with the line where a limit is crossed.
/// A real pipeline is a few dozen values; the limits are far above any.
public struct YAMLLimits: Sendable, Equatable {
    /// Largest file, in bytes.
    public var maximumBytes = 1 << 20
    /// Most values (scalars, sequences, mappings; each key and each value counts) after expanding every alias.
    public var maximumNodes = 100_000
    /// Most aliases (`*name`) in the file.
    public var maximumAliases = 1_000
    /// Deepest nesting after expanding aliases.
    public var maximumDepth = 64

    public init() {}

    public static let pipeline = YAMLLimits()

    /// The first limit `text` crosses, as a diagnostic; nil when it stays within all of them. Syntax errors are left
    /// to the YAML reader, which reports them with their line (nil here).
    public func check(_ text: String) -> PipelineDiagnostic? {
        let byteCount = text.utf8.count
        if byteCount > maximumBytes {
            return PipelineDiagnostic(line: 0, keyPath: "", message: "the file is \(byteCount) bytes; a pipeline file may "
                                      + "be at most \(maximumBytes) bytes. Is this the right file?")
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            return PipelineDiagnostic(line: 0, keyPath: "", message: "out of memory starting the YAML reader")
        }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer -> PipelineDiagnostic? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            return walk(&parser)
        }
    }

    /// A node being read: its expanded size so far, the depth of its expanded subtree and its anchor.
    private struct Frame {
        var size = 1
        var depth = 1
        var anchor: String?
    }

    private func walk(_ parser: inout yaml_parser_t) -> PipelineDiagnostic? {
        var anchors: [String: (size: Int, depth: Int)] = [:]
        var stack: [Frame] = []
        var aliases = 0
        func tooBig(_ line: Int, _ what: String) -> PipelineDiagnostic {
            PipelineDiagnostic(line: line, keyPath: "", message: "the document \(what); pipeline files are refused past "
                               + "\(maximumNodes) values, \(maximumAliases) aliases or \(maximumDepth) levels "
                               + "(YAML aliases or merge keys that expand exponentially?)")
        }
        /// Adds a finished node to its parent; a diagnostic when the parent crosses a limit.
        func add(size: Int, depth: Int, line: Int) -> PipelineDiagnostic? {
            guard !stack.isEmpty else { return size > maximumNodes ? tooBig(line, "expands to more than \(maximumNodes) values") : nil }
            let (total, overflow) = stack[stack.count - 1].size.addingReportingOverflow(size)
            if overflow || total > maximumNodes { return tooBig(line, "expands to more than \(maximumNodes) values") }
            stack[stack.count - 1].size = total
            stack[stack.count - 1].depth = max(stack[stack.count - 1].depth, depth + 1)
            if stack.count + depth > maximumDepth { return tooBig(line, "nests deeper than \(maximumDepth) levels") }
            return nil
        }
        func anchorName(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return nil
            case YAML_DOCUMENT_END_EVENT:
                return nil  // only the first document is read
            case YAML_SCALAR_EVENT:
                if let anchor = anchorName(event.data.scalar.anchor) { anchors[anchor] = (1, 1) }
                if let problem = add(size: 1, depth: 1, line: line) { return problem }
            case YAML_ALIAS_EVENT:
                aliases += 1
                if aliases > maximumAliases { return tooBig(line, "uses more than \(maximumAliases) aliases") }
                // An unknown anchor is the YAML reader's error to report.
                guard let anchor = anchorName(event.data.alias.anchor), let node = anchors[anchor] else { return nil }
                if let problem = add(size: node.size, depth: node.depth, line: line) { return problem }
            case YAML_SEQUENCE_START_EVENT:
                stack.append(Frame(anchor: anchorName(event.data.sequence_start.anchor)))
                if stack.count > maximumDepth { return tooBig(line, "nests deeper than \(maximumDepth) levels") }
            case YAML_MAPPING_START_EVENT:
                stack.append(Frame(anchor: anchorName(event.data.mapping_start.anchor)))
                if stack.count > maximumDepth { return tooBig(line, "nests deeper than \(maximumDepth) levels") }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { return nil }
                if let anchor = frame.anchor { anchors[anchor] = (frame.size, frame.depth) }
                if let problem = add(size: frame.size, depth: frame.depth, line: line) { return problem }
            default:
                break
            }
        }
    }
}
