import ArgumentParser
import Foundation
import Logging
import TesseraPipeline
import TesseraStore

/// `tessera prune OUT --superseded`: removes the files of slide runs whose slide was replaced since, keeping rows.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove the files of superseded slide runs (their slide was rescanned or replaced); rows stay.",
        discussion: """
            A slide run is superseded when a later run found other content at its slide's path. Its heatmaps and \
            GeoJSON stay on disk until you prune them: nothing is removed without this command. Each removal is \
            recorded in the results file (artefacts.removed_at); a file that is no longer the one recorded (another \
            size or SHA-256) is left in place and listed. Holds the output's lock, so it never races a run.
            Exit status: 0 done, 2 the results file or lock could not be used.
            Example:
              tessera prune out --superseded --dry-run
            """)

    @Argument(help: "The output folder of `tessera run` (holding results.sqlite).")
    var output: String

    @Option(help: ArgumentHelp("The results file (default: OUT/results.sqlite).", valueName: "db"))
    var results: String?

    @Flag(help: "Remove the files of superseded slide runs (the default, and today the only kind of pruning).")
    var superseded = false

    @Flag(help: "List what would be removed; change nothing.")
    var dryRun = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let out = URL(fileURLWithPath: output, isDirectory: true)
        let layout = OutputLayout(outputDirectory: out, resultsFile: results)
        var logger = Logger(label: "tessera.prune") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = .warning
        let report: PruneReport
        do {
            guard FileManager.default.fileExists(atPath: layout.resultsFile.path) else {
                throw ValidationError("\(layout.resultsFile.path): no results file (give the --out folder of `tessera run`)")
            }
            let lock = try OutputLock.acquire(path: out.appendingPathComponent(".tessera.lock").path,
                                              holder: .current())
            defer { lock.release() }
            let store = try ResultsStore(path: layout.resultsFile.path, logger: logger)
            defer { try? store.close() }
            try store.adoptLegacyArtefacts(layout: layout)
            report = try store.pruneSuperseded(layout: layout, dryRun: dryRun)
        } catch {
            FileHandle.standardError.write(Data("tessera prune: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if json {
            func list(_ files: [PruneReport.File]) -> [[String: Any]] {
                files.map { ["slide_run_id": $0.slideRunID as Any, "kind": $0.kind, "path": $0.path, "bytes": $0.sizeBytes] }
            }
            let object: [String: Any] = ["dry_run": report.dryRun, "removed": list(report.removed),
                                         "already_gone": list(report.alreadyGone), "left_changed": list(report.leftChanged),
                                         "bytes": report.bytes]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let verb = report.dryRun ? "would remove" : "removed"
        for file in report.removed { print("\(verb): \(file.path) (slide run \(file.slideRunID.map(String.init) ?? "-"), \(file.kind))") }
        for file in report.leftChanged { print("left in place, not the file recorded: \(file.path)") }
        for file in report.alreadyGone { print("already gone: \(file.path)") }
        print("\(verb) \(report.removed.count) files, " + String(format: "%.1f", Double(report.bytes) / 1e6)
              + " MB of superseded slide runs")
    }
}
