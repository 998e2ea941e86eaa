import Foundation

/// schemas/pipeline.schema.json as built into this binary: the file lives in this target's Schemas folder (the root's
/// schemas/ links to it) and the TesseraEmbeddedFiles build-tool plugin compiles it in at every build
/// (`EmbeddedPipelineSchemaFiles`), so no generated copy can drift from it.
enum PipelineSchemaText {
    static let json: String = {
        let base64 = EmbeddedPipelineSchemaFiles.files.first { $0.path == "pipeline.schema.json" }?.base64 ?? ""
        return String(decoding: Data(base64Encoded: base64, options: .ignoreUnknownCharacters) ?? Data(), as: UTF8.self)
    }()
}
