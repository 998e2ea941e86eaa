import Foundation
import TesseraStore

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
    public var stages: [StageMetrics]
    /// The network's arithmetic ("fp32", "int8"); nil in summaries written before it was recorded.
    public var precision: String?
    /// SHA-256 of the int8 model that produced the numbers; nil at fp32.
    public var quantizedModelSHA256: String?
    /// What quantising an fp32 model on the fly did (tiles, slides, time), for people; nil when nothing was quantised.
    public var calibrationReport: String?
    /// Why the run stopped before its end when nobody asked it to (a full disk, an I/O error); nil otherwise. The
    /// run is interrupted and resumes where it stopped once the cause is fixed.
    public var stopReason: String?

    public init(runUID: String, resultsDatabase: String, startedAt: Date, finishedAt: Date,
                interrupted: Bool, slides: [SlideOutcome], stages: [StageMetrics] = []) {
        self.runUID = runUID
        self.resultsDatabase = resultsDatabase
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.interrupted = interrupted
        self.slides = slides
        self.stages = stages
    }

    public var counts: SlideCounts { SlideCounts(slides) }
    /// How the run ended, and so its exit status: the same for `tessera run` and `tessera pipeline run`.
    public var outcome: RunOutcome { RunOutcome(summary: self) }
}

/// How many slides ended each way.
public struct SlideCounts: Sendable, Codable, Equatable {
    public var slides: Int
    public var done: Int
    public var skipped: Int
    public var failed: Int
    public var interrupted: Int
    /// Paths whose content another path of the run already holds.
    public var duplicates: Int

    public init(slides: Int, done: Int, skipped: Int, failed: Int, interrupted: Int, duplicates: Int = 0) {
        self.slides = slides
        self.done = done
        self.skipped = skipped
        self.failed = failed
        self.interrupted = interrupted
        self.duplicates = duplicates
    }

    public init(_ outcomes: [SlideOutcome]) {
        func count(_ status: SlideOutcome.Status) -> Int { outcomes.filter { $0.status == status }.count }
        self.init(slides: outcomes.count, done: count(.done), skipped: count(.skipped), failed: count(.failed),
                  interrupted: count(.interrupted), duplicates: count(.duplicate))
    }
}

/// How a run ended; `exitCode` is what `tessera run` and `tessera pipeline run` exit with.
public enum RunOutcome: String, Sendable, Codable {
    /// Every slide is done: processed now or skipped as already done (also when no slide matched a pipeline's
    /// inputs). Exit 0.
    case allDone = "all-done"
    /// At least one slide failed; the others were processed. Exit 1.
    case someFailed = "some-failed"
    /// Could not run at all: a bad option or pipeline, the lock held, the model missing or invalid, no slides, the
    /// output not writable. Exit 2.
    case couldNotRun = "could-not-run"
    /// Stopped (SIGINT/SIGTERM, `requestStop()`, a full disk) before every slide was done; the next run continues.
    /// Exit 3.
    case interrupted = "interrupted"

    public var exitCode: Int32 {
        switch self {
        case .allDone: 0
        case .someFailed: 1
        case .couldNotRun: 2
        case .interrupted: 3
        }
    }

    public init(summary: RunSummary) {
        // An interrupted run says so first: its failed slides may be retried by the run that continues it.
        if summary.interrupted || summary.slides.contains(where: { $0.status == .interrupted }) {
            self = .interrupted
        } else if summary.slides.contains(where: { $0.status == .failed }) {
            self = .someFailed
        } else {
            self = .allDone
        }
    }
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
        /// The same content (fingerprint) as another path of this run, `duplicateOf`, which was analysed; this path
        /// gets no rows or heatmaps of its own.
        case duplicate
    }

    public var path: String
    public var status: Status
    public var error: String?
    public var tilesPlanned: Int
    public var tilesProcessed: Int
    public var seconds: Double
    /// The heatmap TIFFs written for this slide (the GeoJSON is in `artefacts`, with every file by kind).
    public var heatmaps: [String]
    /// Every file written for this slide, by kind, as the results file records it.
    public var artefacts: [OutcomeArtefact] = []
    /// The slide run in the results file, and the slide's content fingerprint.
    public var slideRunID: Int64? = nil
    public var fingerprint: String? = nil
    /// True when other content was analysed at this path before: those results are now superseded.
    public var contentChanged: Bool = false
    /// The slide run's areas, as `slide_class_areas` gives them (done slides only).
    public var areas: SlideRunAreas? = nil
    /// Why the slide's numbers need a person's eye (`review_flags`); empty when they do not.
    public var review: [ReviewFlag] = []
    public var needsReview: Bool { !review.isEmpty }
    /// Something the slide's results depend on that did not go as configured (it was not stain-normalised).
    public var warning: String? = nil
    /// For a `duplicate`: the path whose analysis stands for this one.
    public var duplicateOf: String?

    public init(path: String, status: Status, error: String? = nil, tilesPlanned: Int = 0, tilesProcessed: Int = 0,
                seconds: Double = 0, heatmaps: [String] = [], duplicateOf: String? = nil) {
        self.path = path
        self.status = status
        self.error = error
        self.tilesPlanned = tilesPlanned
        self.tilesProcessed = tilesProcessed
        self.seconds = seconds
        self.heatmaps = heatmaps
        self.duplicateOf = duplicateOf
    }
}

/// One file of a slide's outcome: its kind (`Artefact.Kind`'s raw value), class for a probability map, and path.
public struct OutcomeArtefact: Sendable, Codable, Equatable {
    public var kind: String
    public var classIndex: Int?
    public var path: String

    public init(kind: String, classIndex: Int? = nil, path: String) {
        self.kind = kind
        self.classIndex = classIndex
        self.path = path
    }
}
