import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TesseraServe
import TesseraStore

/// `tessera serve OUT`: the output folder of a run in a browser (slides, heatmaps, numbers). Read-only.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Browse a run's slides, heatmaps and results in a web browser (read-only).",
        discussion: """
            Serves OUT's results file and heatmaps: an index of runs and slides (status, tiles, tissue and class \
            areas) and, per slide, a deep-zoom viewer with the heatmaps as layers. Only slides and heatmaps the \
            results file records are served. Binds to 127.0.0.1 unless --host says otherwise; stops cleanly on \
            SIGINT or SIGTERM. A run may write into OUT at the same time.
            Example:
              tessera serve tessera-out            # then open http://127.0.0.1:8642/
            """)

    @Argument(help: "The output folder of `tessera run` (results.sqlite, heatmaps/).")
    var output: String

    @Option(help: "The results file (default: OUT/results.sqlite).")
    var results: String?

    @Option(help: "Address to listen on; 0.0.0.0 opens the server to the network.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8642

    @Option(name: .customLong("cache-mb"), help: "Memory for encoded tiles, in MiB.")
    var cacheMiB = 256

    @Option(help: "Threads that read slides and heatmaps (default: the CPU count, at least 2).")
    var readers: Int?

    @Option(name: .customLong("jpeg-quality"), help: "JPEG quality of slide tiles (1-100).")
    var jpegQuality = 75

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535 (got \(port))") }
        guard cacheMiB >= 0 else { throw ValidationError("--cache-mb must be 0 or more") }
        guard (1...100).contains(jpegQuality) else { throw ValidationError("--jpeg-quality must be 1-100") }
        if let readers, readers < 1 { throw ValidationError("--readers must be 1 or more") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(output): no such folder (give the --out folder of `tessera run`)")
        }
    }

    func run() async throws {
        var logger = Logger(label: "tessera.serve") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = .notice
        let options = ViewerOptions(outputDirectory: URL(fileURLWithPath: output), resultsPath: results, host: host,
                                    port: port, cacheBytes: cacheMiB << 20, readerThreads: readers,
                                    jpegQuality: jpegQuality)
        let viewer: SlideViewer
        do {
            // A results file of an earlier Tessera gets its files recorded first: the viewer serves only recorded files.
            ResultsStore.bringUpToDate(layout: OutputLayout(resultsFile: options.resultsPath), logger: logger)
            viewer = try SlideViewer(options: options, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let host = host.contains(":") ? "[\(host)]" : host
        let server = viewer.service { port in
            // Written unbuffered: scripts wait for this line to learn the port.
            FileHandle.standardOutput.write(Data("serving \(options.resultsPath) at http://\(host):\(port)/ (Ctrl-C stops)\n".utf8))
        }
        // The command, not the library, owns the process's signals: SIGINT or SIGTERM shuts the server down
        // gracefully (requests in progress finish, then the command returns and exits 0).
        let group = ServiceGroup(configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger))
        try await group.run()
    }
}
