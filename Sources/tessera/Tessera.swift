import ArgumentParser
import TesseraCore

@main
struct Tessera: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera",
        abstract: "Whole-slide pathology image analysis: tissue detection, tiled CNN segmentation, SQLite results, heatmaps.",
        version: BuildInfo.versionText,
        subcommands: [
            RunCommand.self,
            InspectCommand.self,
            PlanCommand.self,
            BenchReadCommand.self,
            QueryCommand.self,
            MergeCommand.self,
            PipelineCommand.self,
            DebugWriteStoreCommand.self,
            ModelCommand.self,
        ]
    )
}
