import Foundation

/// Why a pipeline could not be validated or run. `description` is what the CLI prints: every problem on its own
/// line as `FILE:LINE: KEY.PATH: message`, or one sentence that names the file and says what to do.
public struct PipelineError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        /// The file could not be read (missing, not UTF-8).
        case unreadableFile
        /// The file is not valid YAML or breaks the schema; `diagnostics` lists every problem.
        case invalidPipeline
        /// The schema uses a keyword the built-in validator does not implement (a programming error).
        case schemaUnsupported
        /// Another run holds the lock; the message names it.
        case lockHeld
        /// The lock file could not be created or locked.
        case lockUnavailable
        /// The directory an input pattern starts from does not exist (an unmounted share, a typo).
        case inputMissing
        /// The model file named by the pipeline does not exist.
        case modelMissing
        /// The output directory or the report could not be written.
        case outputNotWritable
        /// The runner stopped before processing slides (its error is in the message).
        case runnerFailed
    }

    public var kind: Kind
    /// The file the problem is about (the pipeline file, the lock, the model...).
    public var file: String
    public var message: String
    public var diagnostics: [PipelineDiagnostic]

    public init(kind: Kind, file: String, message: String, diagnostics: [PipelineDiagnostic] = []) {
        self.kind = kind
        self.file = file
        self.message = message
        self.diagnostics = diagnostics
    }

    public var description: String {
        if diagnostics.isEmpty { return "\(file): \(message)" }
        return diagnostics.map { "\(file):\($0)" }.joined(separator: "\n")
    }
}
