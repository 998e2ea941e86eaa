import Foundation
import Synchronization

/// Counts slides and tiles as the run goes, and on a terminal redraws one live line on standard error
/// (slides, tiles, tiles/s, ETA). Off a terminal it stays silent: the log lines say what happened.
public final class ProgressReporter: Sendable {
    private struct State {
        var slidesTotal = 0
        var slidesEnded = 0
        var currentSlide = ""
        var tilesPlanned = 0
        var tilesDone = 0
        var lastLineLength = 0
    }

    private let state = Mutex(State())
    private let started = ContinuousClock.now
    public let live: Bool

    /// - Parameter live: draw the live line; by default when standard error is a terminal.
    public init(live: Bool = isatty(STDERR_FILENO) == 1) {
        self.live = live
    }

    func runStarted(slides: Int) { state.withLock { $0.slidesTotal = slides } }

    func slideStarted(name: String, tiles: Int) {
        state.withLock {
            $0.currentSlide = name
            $0.tilesPlanned += tiles
        }
    }

    func slideEnded(_ outcome: SlideOutcome) {
        state.withLock {
            $0.slidesEnded += 1
            // Tiles of a failed or stopped slide will never come: take them out of the ETA.
            if outcome.status != .done { $0.tilesPlanned -= Swift.max(0, outcome.tilesPlanned - outcome.tilesProcessed) }
        }
    }

    func tilesDone(_ count: Int) { state.withLock { $0.tilesDone += count } }

    /// The live line as it would be drawn now.
    public var line: String {
        let elapsed = (ContinuousClock.now - started).seconds
        return state.withLock { s in
            let rate = elapsed > 0 ? Double(s.tilesDone) / elapsed : 0
            let left = Swift.max(0, s.tilesPlanned - s.tilesDone)
            let eta = rate > 0 ? Self.format(seconds: Double(left) / rate) : "--:--"
            return "slides \(s.slidesEnded)/\(s.slidesTotal)  tiles \(s.tilesDone)/\(s.tilesPlanned)  "
                + String(format: "%.2f tiles/s", rate) + "  ETA \(eta)  \(s.currentSlide)"
        }
    }

    /// Redraws the line every `interval` until the task is cancelled, then clears it.
    public func drawUntilCancelled(interval: Duration = .milliseconds(500)) async {
        guard live else { return }
        while !Task.isCancelled {
            draw(line)
            try? await Task.sleep(for: interval)
        }
        draw("")
    }

    private func draw(_ text: String) {
        let padding = state.withLock { s -> Int in
            defer { s.lastLineLength = text.count }
            return Swift.max(0, s.lastLineLength - text.count)
        }
        FileHandle.standardError.write(Data(("\r" + text + String(repeating: " ", count: padding)
                                                + (text.isEmpty ? "\r" : "")).utf8))
    }

    static func format(seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%02d:%02d", total / 60, total % 60)
    }
}
