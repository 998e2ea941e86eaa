import Foundation
import PackagePlugin

/// Compiles a folder of data files inside a target (excluded from its sources) into it: at build time
/// scripts/generate-embedded-files writes the folder's files as base64 into a generated Swift enum in the plugin's
/// work folder. No generated copy is checked in, so none can drift from the files.
///
/// The files are the build command's inputs, so SwiftPM runs it again when one changes. The folder is inside the
/// target because SwiftPM plans the build again (and so asks this plugin for its commands again) when files are
/// added to or removed from a target's folder, never for a folder elsewhere: a file added elsewhere would be left
/// out, and one removed would stop the build as a missing input.
@main
struct TesseraEmbeddedFiles: BuildToolPlugin {
    /// What each target embeds: a folder inside the target's own folder, from the package's root (every file under
    /// it), and the enum for them.
    static let embeddings: [String: (folder: String, enumName: String)] = [
        // The viewer's pages, scripts and the vendored OpenSeadragon, which `tessera serve` serves from memory.
        "TesseraServe": ("Sources/TesseraServe/Viewer", "EmbeddedViewerFiles"),
        // The results schema and the named queries (schemas/ at the root links to them).
        "TesseraStore": ("Sources/TesseraStore/Schemas", "EmbeddedSchemaFiles"),
        // The pipeline files' JSON Schema.
        "TesseraPipeline": ("Sources/TesseraPipeline/Schemas", "EmbeddedPipelineSchemaFiles"),
    ]

    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        guard let embedding = Self.embeddings[target.name] else {
            Diagnostics.error("TesseraEmbeddedFiles lists nothing to embed into target \(target.name)")
            return []
        }
        let script = context.package.directoryURL.appendingPathComponent("scripts/generate-embedded-files")
        let folder = context.package.directoryURL.appendingPathComponent(embedding.folder)
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("\(embedding.enumName).swift")
        return [
            .buildCommand(
                displayName: "Embedding \(embedding.folder) into \(target.name)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [script.path, folder.path, embedding.enumName, output.path],
                environment: ["PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C"],
                inputFiles: [script] + (try Self.files(under: folder)),
                outputFiles: [output]
            ),
        ]
    }

    /// Every regular file under `folder`.
    static func files(under folder: URL) throws -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw EmbeddingError(description: "TesseraEmbeddedFiles cannot list \(folder.path)")
        }
        var files: [URL] = []
        for case let url as URL in enumerator where try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
            files.append(url)
        }
        return files.sorted { $0.path < $1.path }
    }

    struct EmbeddingError: Error, CustomStringConvertible {
        var description: String
    }
}
