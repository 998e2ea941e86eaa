import ArgumentParser
import Foundation
import TesseraDevSupport

/// `tessera-dev synthetic-results`: the results and heatmaps of a slide of any size without running the network,
/// for the GeoJSON export benchmark (tools/bench/geojson-export.sh; see SyntheticSlideResults).
struct SyntheticResultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthetic-results",
        abstract: "Write results and heatmaps of a large slide as a mosaic of a real run's maps (for benchmarks).")

    @Argument(help: "A results file of a finished run (its heatmaps beside it, in heatmaps/).")
    var source: String

    @Option(help: "Output folder: results.sqlite and heatmaps/.") var out: String
    @Option(help: "Slide width in level-0 pixels.") var width: Int
    @Option(help: "Slide height in level-0 pixels.") var height: Int

    func run() throws {
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let source = URL(fileURLWithPath: self.source)
        let name = try SyntheticSlideResults(sourceResults: source.path,
                                             sourceHeatmaps: source.deletingLastPathComponent().appendingPathComponent("heatmaps"),
                                             width: width, height: height)
            .write(to: directory, slideFileName: "synthetic-\(width)x\(height).svs")
        print("\(out)/results.sqlite, \(out)/heatmaps/\(name).*")
    }
}
