import ArgumentParser
import Foundation
import TesseraCore

@main
struct Tessera: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera",
        abstract: "Whole-slide pathology image analysis: tissue detection, tiled CNN segmentation, SQLite results, heatmaps.",
        version: BuildInfo.versionText,
        subcommands: [
            RunCommand.self,
            QCCommand.self,
            InspectCommand.self,
            PlanCommand.self,
            QueryCommand.self,
            MergeCommand.self,
            PipelineCommand.self,
            ModelCommand.self,
            ExportCommand.self,
            ServeCommand.self,
            PruneCommand.self,
        ]
    )
    /// ArgumentParser's own `main`, except that a Foundation error no command turned into words (which would print as
    /// `Error Domain=NSCocoaErrorDomain Code=512 "(null)"`) is said plainly: what failed, on which file, what to do.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // A bad option or argument exits 2, as the README says (ArgumentParser's own code is EX_USAGE, 64).
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: SystemErrorText.isFoundationError(error) ? PlainError(SystemErrorText.describe(error)) : error)
        }
    }
}

/// An error already in plain words.
struct PlainError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
