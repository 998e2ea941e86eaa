import Foundation
import Synchronization

/// Where a run stands: slides and tiles so far. The CLI draws it as a live line; anything else may show it its way.
public struct RunProgress: Sendable, Equatable {
    public var slidesTotal = 0
    public var slidesEnded = 0
    /// The file name of the slide planned last.
    public var currentSlide = ""
    /// Tiles still expected in this run (those of failed or stopped slides are taken out).
    public var tilesPlanned = 0
    public var tilesDone = 0
    /// Seconds since the run started.
    public var elapsedSeconds = 0.0
    /// True once the run has ended: the last value of `updates`.
    public var finished = false

    public init() {}

    public var tilesPerSecond: Double { elapsedSeconds > 0 ? Double(tilesDone) / elapsedSeconds : 0 }
    /// Seconds left at the rate so far; nil until a tile is done.
    public var etaSeconds: Double? {
        tilesPerSecond > 0 ? Double(Swift.max(0, tilesPlanned - tilesDone)) / tilesPerSecond : nil
    }
}

/// Counts slides and tiles as the run goes, and publishes each change on `updates` (newest value only, so a slow
/// reader never holds the run up). It draws nothing: the library does not write to the terminal.
public final class ProgressReporter: Sendable {
    private let state = Mutex(RunProgress())
    private let started = ContinuousClock.now
    private let continuation: AsyncStream<RunProgress>.Continuation
    /// Every change of `current`, newest first when the reader falls behind; ends when the run ends.
    public let updates: AsyncStream<RunProgress>

    public init() {
        (updates, continuation) = AsyncStream.makeStream(of: RunProgress.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The progress now.
    public var current: RunProgress {
        let elapsed = (ContinuousClock.now - started).seconds
        return state.withLock { var progress = $0; progress.elapsedSeconds = elapsed; return progress }
    }

    func runStarted(slides: Int) { update { $0.slidesTotal = slides } }

    func slideStarted(name: String, tiles: Int) {
        update {
            $0.currentSlide = name
            $0.tilesPlanned += tiles
        }
    }

    func slideEnded(_ outcome: SlideOutcome) {
        update {
            $0.slidesEnded += 1
            // Tiles of a failed or stopped slide will never come: take them out of the ETA.
            if outcome.status != .done { $0.tilesPlanned -= Swift.max(0, outcome.tilesPlanned - outcome.tilesProcessed) }
        }
    }

    func tilesDone(_ count: Int) { update { $0.tilesDone += count } }

    func finish() {
        update { $0.finished = true }
        continuation.finish()
    }

    private func update(_ change: (inout RunProgress) -> Void) {
        state.withLock { change(&$0) }
        continuation.yield(current)
    }
}
