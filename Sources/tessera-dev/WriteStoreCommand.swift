import ArgumentParser
import Foundation
import Logging
import TesseraDevSupport
import TesseraStore

/// `tessera-dev write-store DB`: writes a deterministic synthetic run the way the runner would (resuming an
/// unfinished one). The crash-safety tests kill it mid-write, and the write benchmark (scripts/bench-store) times it.
struct WriteStoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write-store",
        abstract: "Write a synthetic run into a results file (for tests and the write benchmark).")

    @Argument(help: "The results file; created when missing.")
    var database: String

    @Option(help: "Slides in the run.") var slides = 3
    @Option(help: "Tiles per slide.") var tiles = 100
    @Option(help: "Classes per tile.") var classes = 3
    @Option(help: "Tiles per write transaction.") var batch = 16
    @Flag(help: "Print one line per committed step (the crash tests wait for these).") var progress = false

    func run() throws {
        var logger = Logger(label: "tessera-dev.write-store")
        logger.logLevel = .warning
        let store = try ResultsStore(path: database, logger: logger)
        let synthetic = SyntheticRun(slides: slides, tilesPerSlide: tiles, classes: classes, batchSize: batch)
        let report = progress
        let summary = try synthetic.run(store: store) { line in
            if report { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        }
        try store.close()
        let rate = summary.writeSeconds > 0 ? Double(summary.predictionRowsWritten) / summary.writeSeconds : 0
        print("wrote \(summary.tilesWritten) tiles and \(summary.predictionRowsWritten) prediction rows "
              + "(\(summary.slidesSkipped) slides already done) in \(String(format: "%.3f", summary.writeSeconds)) s "
              + "of writes: \(Int(rate)) prediction rows/s")
    }
}
