import Foundation

/// Finds the bundled default model: the weights Tessera runs when no `--model` is given.
///
/// The model ships as a SwiftPM resource of this module (Sources/TesseraPipeline/Resources), copied next to the
/// binary at build time. The generated `Bundle.module` accessor traps when the bundle is missing, so the places
/// are looked up by hand and a missing model is an error that says where it was looked for.
public enum DefaultModel {
    public static let fileName = "default.safetensors"
    static let resourceBundleName = "Tessera_TesseraPipeline.resources"

    public struct NotFound: Error, CustomStringConvertible {
        public let searched: [String]
        public var description: String {
            "the default model was not found (looked in: \(searched.joined(separator: ", "))); "
                + "pass --model MODEL.safetensors or set TESSERA_DEFAULT_MODEL"
        }
    }

    /// The default model's file: `override` first (the command line passes `TESSERA_DEFAULT_MODEL`: the library
    /// reads nothing of the process's environment), then beside the binary, then the installed layout.
    public static func url(override: String? = nil) throws -> URL {
        var candidates: [URL] = []
        if let override, !override.isEmpty {
            candidates.append(URL(fileURLWithPath: override))
        }
        let executableDirectory = Bundle.main.executableURL?.deletingLastPathComponent() ?? Bundle.main.bundleURL
        candidates.append(executableDirectory.appendingPathComponent(resourceBundleName)
            .appendingPathComponent("Resources").appendingPathComponent(fileName))
        candidates.append(executableDirectory.appendingPathComponent(resourceBundleName).appendingPathComponent(fileName))
        // An installed layout: <prefix>/bin/tessera and <prefix>/share/tessera/default.safetensors.
        candidates.append(executableDirectory.deletingLastPathComponent()
            .appendingPathComponent("share/tessera").appendingPathComponent(fileName))
        if let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0.path) }) {
            return found
        }
        throw NotFound(searched: candidates.map(\.path))
    }
}
