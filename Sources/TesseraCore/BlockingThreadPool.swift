import DequeModule
import Foundation
import Synchronization

/// A fixed set of dedicated threads for long blocking C calls (OpenSlide reads, oneDNN execution).
///
/// Swift Concurrency's cooperative pool has one thread per core; a blocking call parked on it stalls every task
/// scheduled there. Work submitted here runs on threads of its own, and the awaiting task is resumed when it ends.
public final class BlockingThreadPool: Sendable {
    private struct State: ~Copyable {
        /// Jobs not yet started. A job leaves the queue when a thread takes it, so what its closure captured (a
        /// batch of tiles, say) is released as soon as it has run.
        var jobs = Deque<@Sendable () -> Void>()
        var shuttingDown = false
    }

    private let state = Mutex(State())
    private let condition = NSCondition()
    public let threadCount: Int
    public let name: String

    public init(name: String, threads: Int) {
        precondition(threads > 0, "a thread pool needs at least one thread")
        self.name = name
        self.threadCount = threads
        for index in 0..<threads {
            let thread = Thread { [self] in self.workerLoop() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on one of the pool's threads and returns its result to the awaiting task.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            submit { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Non-throwing variant of `run`.
    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            submit { continuation.resume(returning: body()) }
        }
    }

    /// Lets the threads finish the queued jobs and exit.
    public func shutdown() {
        condition.lock()
        state.withLock { $0.shuttingDown = true }
        condition.broadcast()
        condition.unlock()
    }

    private func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        state.withLock { $0.jobs.append(job) }
        condition.signal()
        condition.unlock()
    }

    private func workerLoop() {
        while true {
            condition.lock()
            var job: (@Sendable () -> Void)?
            while true {
                let (next, done) = state.withLock { state -> ((@Sendable () -> Void)?, Bool) in
                    if let next = state.jobs.popFirst() { return (next, false) }
                    return (nil, state.shuttingDown)
                }
                if let next { job = next; break }
                if done { condition.unlock(); return }
                condition.wait()
            }
            condition.unlock()
            job?()
        }
    }
}
