import ArgumentParser

/// `tessera-dev`: synthetic workloads and benchmark drivers for the tests, scripts/ and tools/. Built with the
/// package but in no product: scripts/install and scripts/package-deb ship `tessera` only.
@main
struct TesseraDev: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera-dev",
        abstract: "Tessera's development tools: synthetic results and benchmark drivers (not installed).",
        subcommands: [
            WriteStoreCommand.self,
            SyntheticResultsCommand.self,
            BenchReadCommand.self,
            NucleiScaleCommand.self,
        ]
    )
}
