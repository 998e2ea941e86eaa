import Foundation
import PackagePlugin

/// Records the git commit, whether the tree was dirty, and the build date into the target it is applied to
/// (TesseraCore's `BuildInfo`), at every build. The work is done by scripts/generate-build-info, which rewrites the
/// generated file only when its text changes.
///
/// A prebuild command, because the commit can change without any input file SwiftPM knows of changing. On Linux
/// plugins and their commands are not sandboxed, so the script can read the package's `.git`; on macOS the sandbox
/// lets it read the package directory, which holds `.git` for an ordinary clone.
@main
struct TesseraBuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let packageDirectory = context.package.directoryURL
        let outputDirectory = context.pluginWorkDirectoryURL.appendingPathComponent("GeneratedSources")
        var environment: [String: String] = ["PATH": "/usr/local/bin:/usr/bin:/bin"]
        for name in ["PATH", "TESSERA_GIT_COMMIT", "SOURCE_DATE_EPOCH"] {
            if let value = ProcessInfo.processInfo.environment[name] { environment[name] = value }
        }
        return [
            .prebuildCommand(
                displayName: "Recording the commit and build date for \(target.name)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [
                    packageDirectory.appendingPathComponent("scripts/generate-build-info").path,
                    packageDirectory.path,
                    outputDirectory.appendingPathComponent("GeneratedBuildInfo.swift").path,
                ],
                environment: environment,
                outputFilesDirectory: outputDirectory
            ),
        ]
    }
}
