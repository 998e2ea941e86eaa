import Foundation
import Logging
import Synchronization
import TesseraCore
import TesseraPipeline

/// What a run needs of the process, owned by the CLI: the OpenMP wait policy and the allocator policy, stop
/// signals turned into `BatchRunner.requestStop()`, and the live progress line on a terminal.
enum RunProcess {
    /// `TESSERA_DEFAULT_MODEL`: the model used when none is given, before the bundled one (the libraries read no
    /// environment; the command line hands it to `DefaultModel.url(override:)`).
    static var defaultModelOverride: String? {
        ProcessInfo.processInfo.environment["TESSERA_DEFAULT_MODEL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Call from `validate()`, before any other work: oneDNN's OpenMP threads must sleep, not spin, while the slide
    /// readers share the cores (this may re-execute the process); and the allocator must give large blocks back, so
    /// memory stays flat from slide to slide.
    static func prepare() {
        OpenMPEnvironment.reexecWithBoundedSpinIfUnset()
        MallocPolicy.useFixedMmapThreshold()
    }

    /// Log lines go to standard error, so that JSON on standard output stays clean; on a terminal they are written
    /// above the live progress line, never onto it (`StandardErrorLine`).
    static func logger(label: String = "tessera", level: Logger.Level) -> Logger {
        var logger = Logger(label: label) { label in
            var handler = LineLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        logger.logLevel = level
        return logger
    }

    /// Runs `body` with SIGINT/SIGTERM asking `runner` to stop (a second signal exits at once) and, when standard
    /// error is a terminal, the live progress line drawn from `runner.progress`.
    static func run<T>(_ runner: BatchRunner, logger: Logger, _ body: () async throws -> T) async throws -> T {
        try await run(progress: runner.progress, logger: logger, stop: { runner.requestStop() }, body)
    }

    static func run<T>(progress: ProgressReporter?, logger: Logger, stop: @escaping @Sendable () -> Void,
                       _ body: () async throws -> T) async throws -> T {
        let signals = StopSignals()
        signals.install { signal in
            logger.notice("stopping: finishing the tiles in flight", metadata: ["signal": "\(signal)"])
            stop()
        }
        defer { signals.uninstall() }
        let drawing = Task { if let progress, isatty(STDERR_FILENO) == 1 { await ProgressLine.draw(progress.updates) } }
        // The line is cleared before anything else is printed.
        do {
            let result = try await body()
            drawing.cancel()
            await drawing.value
            return result
        } catch {
            drawing.cancel()
            await drawing.value
            throw error
        }
    }

    /// Messages for people go to standard error; standard output carries results.
    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

/// A batch runner that is made later (inside a pipeline run), for the signal handler to stop: a stop asked for
/// before the runner exists reaches it when it is registered.
final class LateStopTarget: Sendable {
    private let state = Mutex<(runner: BatchRunner?, stopRequested: Bool)>((nil, false))

    func register(_ runner: BatchRunner) {
        let stop = state.withLock { state -> Bool in
            state.runner = runner
            return state.stopRequested
        }
        if stop { runner.requestStop() }
    }

    func requestStop() {
        let runner = state.withLock { state -> BatchRunner? in
            state.stopRequested = true
            return state.runner
        }
        runner?.requestStop()
    }
}

/// The live line on a terminal: slides, tiles, tiles/s, ETA and the slide being planned, redrawn at most twice a
/// second and cleared at the end.
/// Standard error on a terminal, shared by the live progress line and log lines: a log line clears the progress
/// line, is written on a line of its own, and the progress line is drawn again below it, so the two never share a
/// line. Without a progress line, writes are plain.
final class StandardErrorLine: Sendable {
    static let shared = StandardErrorLine()
    /// The progress text now on the terminal's last line ("" when none).
    private let progress = Mutex("")

    /// Writes a whole line (a log line) above the progress line.
    func writeLine(_ text: String) {
        progress.withLock { current in
            let output = current.isEmpty ? text + "\n" : "\r\u{1B}[K" + text + "\n" + current
            FileHandle.standardError.write(Data(output.utf8))
        }
    }

    /// Replaces the progress line with `text` ("" clears it).
    func showProgress(_ text: String) {
        progress.withLock { current in
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
            current = text
        }
    }
}

/// swift-log's stream handler's format (time, level, label, metadata, source, message), written through
/// `StandardErrorLine` so that log lines never land on the progress line.
struct LineLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        let merged = metadata.merging(explicit ?? [:]) { $1 }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let time = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false)
            .timeZone(separator: .omitted).dateTimeSeparator(.standard))
        StandardErrorLine.shared.writeLine("\(time) \(level) \(label):" + (fields.isEmpty ? "" : " \(fields)")
                                           + " [\(source)] \(message)")
    }
}

enum ProgressLine {
    static func draw(_ updates: AsyncStream<RunProgress>, interval: Duration = .milliseconds(500)) async {
        var lastDrawn = ContinuousClock.now - interval
        for await progress in updates {
            if progress.finished || Task.isCancelled { break }
            guard ContinuousClock.now - lastDrawn >= interval else { continue }
            lastDrawn = .now
            StandardErrorLine.shared.showProgress(line(progress))
        }
        StandardErrorLine.shared.showProgress("")
    }

    static func line(_ progress: RunProgress) -> String {
        let eta = progress.etaSeconds.map(format(seconds:)) ?? "--:--"
        return "slides \(progress.slidesEnded)/\(progress.slidesTotal)  tiles \(progress.tilesDone)/\(progress.tilesPlanned)  "
            + String(format: "%.2f tiles/s", progress.tilesPerSecond) + "  ETA \(eta)  \(progress.currentSlide)"
    }

    static func format(seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%02d:%02d", total / 60, total % 60)
    }
}
