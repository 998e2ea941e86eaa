import Foundation
import TesseraCore

/// What a pipeline run did, written as `<output>/reports/<timestamp>-<pipeline>.json` and `.txt`.
public struct PipelineRunReport: Sendable, Codable {
    public typealias Counts = SlideCounts

    public var outcome: RunOutcome
    public var exitCode: Int32
    public var pipelineName: String
    public var pipelineHash: String
    public var pipelineFile: String
    public var tesseraVersion: String
    public var host: String
    public var pid: Int32
    public var startedAt: Date
    public var finishedAt: Date
    /// Why the run could not run (nil otherwise).
    public var error: String?
    public var counts: Counts
    /// The runner's slide-by-slide summary (nil when it never ran).
    public var summary: RunSummary?
    /// The report files written (empty when none could be, e.g. when another run holds the lock).
    public var reportFiles: [String]
    /// Why the report files could not be written (nil when they were, or when none were due).
    public var reportWriteError: String?

    init(definition: PipelineDefinition, startedAt: Date, finishedAt: Date, outcome: RunOutcome,
         error: String?, summary: RunSummary?) {
        self.outcome = outcome
        exitCode = outcome.exitCode
        pipelineName = definition.name
        pipelineHash = definition.hash
        pipelineFile = definition.file.path
        tesseraVersion = TesseraVersion.string
        host = ProcessInfo.processInfo.hostName
        pid = ProcessInfo.processInfo.processIdentifier
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
        counts = SlideCounts(summary?.slides ?? [])
        self.summary = summary
        reportFiles = []
    }

    /// A few lines for people (and for cron's mail): what ran, the counts, each failed slide, the outcome.
    public var humanSummary: String {
        let formatter = ISO8601DateFormatter()
        var lines = [
            "Tessera pipeline \"\(pipelineName)\" (\(pipelineFile), hash \(pipelineHash.prefix(12))) on \(host), pid \(pid)",
            "started \(formatter.string(from: startedAt)), finished \(formatter.string(from: finishedAt)) "
                + "(\(Self.duration(finishedAt.timeIntervalSince(startedAt))))",
        ]
        if let error {
            lines.append("could not run: \(error)")
        } else {
            lines.append("slides: \(counts.slides) found, \(counts.done) processed, \(counts.skipped) already done, "
                         + "\(counts.failed) failed" + (counts.interrupted > 0 ? ", \(counts.interrupted) interrupted" : ""))
            for slide in summary?.slides ?? [] where slide.status == .failed {
                lines.append("FAILED \(slide.path): \(slide.error ?? "no reason given")")
            }
            if let reason = summary?.stopReason {
                lines.append("STOPPED: \(reason); run again once that is fixed: it resumes where it stopped")
            }
            if let report = summary?.calibrationReport { lines.append(report) }
            if let summary { lines.append("results: \(summary.resultsDatabase)") }
        }
        lines.append("outcome: \(outcome.rawValue) (exit \(exitCode))")
        return lines.joined(separator: "\n") + "\n"
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds.rounded())
        if whole < 60 { return String(format: "%.1f s", seconds) }
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }

    /// Writes `<directory>/<UTC timestamp>-<pipeline>.json` and `.txt` and records their paths in `reportFiles`.
    /// Two reports in the same second get `-2`, `-3`... so none is overwritten.
    mutating func write(into directory: String) throws(PipelineError) {
        let fileManager = FileManager.default
        let stampFormatter = DateFormatter()
        stampFormatter.locale = Locale(identifier: "en_US_POSIX")
        stampFormatter.timeZone = TimeZone(identifier: "UTC")
        stampFormatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let stem = "\(stampFormatter.string(from: startedAt))-\(pipelineName)"
        do {
            try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            var base = URL(fileURLWithPath: directory).appendingPathComponent(stem)
            var suffix = 2
            while fileManager.fileExists(atPath: base.path + ".json") {
                base = URL(fileURLWithPath: directory).appendingPathComponent("\(stem)-\(suffix)")
                suffix += 1
            }
            reportFiles = [base.path + ".json", base.path + ".txt"]
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            // Complete or absent under their final names: a full disk leaves no empty report for cron to read.
            try AtomicFile.create(try encoder.encode(self), at: URL(fileURLWithPath: reportFiles[0]))
            try AtomicFile.create(Data(humanSummary.utf8), at: URL(fileURLWithPath: reportFiles[1]))
        } catch {
            throw PipelineError(kind: .outputNotWritable, file: directory,
                                message: "cannot write the run report (\(describe(error))); "
                                    + "check that the output directory is writable and has space")
        }
    }
}
