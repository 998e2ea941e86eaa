import Foundation
import Synchronization
import TesseraStore

/// Counts for one stage of the graph while it runs (`snapshot` is the stage's `StageMetrics`, the one type that is
/// printed, stored and reported): how many items it handled, how long it was busy, and how long it sat
/// waiting for input (the stage before it is the bottleneck) or for room in its output queue (a stage after it is).
public final class StageMeter: Sendable {
    public let name: String
    private struct Counters {
        var items = 0
        var busy: Duration = .zero
        var waitingOnInput: Duration = .zero
        var waitingOnOutput: Duration = .zero
    }
    private let counters = Mutex(Counters())

    public init(name: String) { self.name = name }

    public func addItems(_ count: Int = 1) { counters.withLock { $0.items += count } }
    public func addBusy(_ duration: Duration) { counters.withLock { $0.busy += duration } }
    public func addWaitingOnInput(_ duration: Duration) { counters.withLock { $0.waitingOnInput += duration } }
    public func addWaitingOnOutput(_ duration: Duration) { counters.withLock { $0.waitingOnOutput += duration } }

    /// Runs `body`, counting its time as busy.
    public func measure<T>(_ body: () async throws -> T) async rethrows -> T {
        let started = ContinuousClock.now
        defer { addBusy(ContinuousClock.now - started) }
        return try await body()
    }

    public var snapshot: StageMetrics {
        counters.withLock {
            StageMetrics(stage: name, items: $0.items, busySeconds: $0.busy.seconds,
                        waitingOnInputSeconds: $0.waitingOnInput.seconds,
                        waitingOnOutputSeconds: $0.waitingOnOutput.seconds)
        }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}
