import Foundation

/// What a batch run did, slide by slide: printed by `tessera run --json` and written into pipeline run reports.
public struct RunSummary: Sendable, Codable, Equatable {
    public var runUID: String
    public var resultsDatabase: String
    public var startedAt: Date
    public var finishedAt: Date
    /// True when SIGINT/SIGTERM stopped the run before every slide was processed.
    public var interrupted: Bool
    public var slides: [SlideOutcome]
    /// Per-stage figures: which stage was busy and which waited, i.e. what bounded throughput.
    public var stages: [StageReport]

    public init(runUID: String, resultsDatabase: String, startedAt: Date, finishedAt: Date,
                interrupted: Bool, slides: [SlideOutcome], stages: [StageReport] = []) {
        self.runUID = runUID
        self.resultsDatabase = resultsDatabase
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.interrupted = interrupted
        self.slides = slides
        self.stages = stages
    }

    public var doneCount: Int { slides.filter { $0.status == .done }.count }
    public var skippedCount: Int { slides.filter { $0.status == .skipped }.count }
    public var failedCount: Int { slides.filter { $0.status == .failed }.count }
}

public struct SlideOutcome: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// Processed in this run.
        case done
        /// Already done earlier with the same model, parameters and pipeline: not processed again.
        case skipped
        /// Could not be processed; `error` says why. Other slides went on.
        case failed
        /// Stopped by a signal; committed tiles are kept and the next run continues it.
        case interrupted
    }

    public var path: String
    public var status: Status
    public var error: String?
    public var tilesPlanned: Int
    public var tilesProcessed: Int
    public var seconds: Double
    /// Heatmap files written for this slide.
    public var heatmaps: [String]
    /// Something the slide's results depend on that did not go as configured (it was not stain-normalised).
    public var warning: String? = nil

    public init(path: String, status: Status, error: String? = nil, tilesPlanned: Int = 0, tilesProcessed: Int = 0,
                seconds: Double = 0, heatmaps: [String] = []) {
        self.path = path
        self.status = status
        self.error = error
        self.tilesPlanned = tilesPlanned
        self.tilesProcessed = tilesProcessed
        self.seconds = seconds
        self.heatmaps = heatmaps
    }
}
