import ArgumentParser
import Foundation
import Logging
import TesseraStore

/// `tessera merge OUT IN...`: combines results files written on separate machines or shards.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge results files from separate machines or shards into one.",
        discussion: """
            OUT is created when missing. Runs match on their run_uid, slides on their fingerprint, tiles on (run, \
            slide, tile index); every run keeps its provenance. Rows present in both with different values are \
            refused with an error and nothing of that input is merged; merging the same input again adds nothing.
            Example:
              tessera merge all.sqlite machine-a/results.sqlite machine-b/results.sqlite
            """)

    @Argument(help: "The results file to merge into (created when missing).")
    var output: String

    @Argument(help: "Results files to merge from (only read).")
    var inputs: [String]

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one input file: tessera merge OUT IN...") }
    }

    func run() throws {
        do {
            // Every input is opened and checked before the output is created or touched.
            try ResultsStore.checkMergeInputs(inputs)
            let store = try ResultsStore(path: output, logger: Logger(label: "tessera.merge"))
            for input in inputs {
                let report = try store.merge(from: input)
                print("\(input): \(report.runsAdded) runs added, \(report.runsAdvanced) runs updated, "
                      + "\(report.slideRunsAdded) slide runs added, \(report.slideRunsAdvanced) updated, "
                      + "\(report.tilesAdded) tiles and \(report.predictionsAdded) predictions added")
            }
            // Fold the write-ahead log in, so that OUT alone holds everything (it is copied or archived on its own).
            try store.close()
        } catch let error as StoreError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
