import Foundation
import Synchronization

/// Counters for one stage of the graph: how many items it handled, how long it was busy, and how long it sat
/// waiting for input (the stage before it is the bottleneck) or for room in its output queue (a stage after it is).
public final class StageMetrics: Sendable {
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

    public var snapshot: StageReport {
        counters.withLock {
            StageReport(stage: name, items: $0.items, busySeconds: $0.busy.seconds,
                        waitingOnInputSeconds: $0.waitingOnInput.seconds,
                        waitingOnOutputSeconds: $0.waitingOnOutput.seconds)
        }
    }
}

/// A stage's figures at the end of a run; stored with the run and printed in the summary.
public struct StageReport: Sendable, Codable, Equatable {
    public var stage: String
    public var items: Int
    public var busySeconds: Double
    public var waitingOnInputSeconds: Double
    public var waitingOnOutputSeconds: Double
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}
