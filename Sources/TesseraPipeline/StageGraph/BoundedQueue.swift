import Collections
import Foundation
import Synchronization

/// A bounded, multi-producer multi-consumer async queue joining two stages of the graph.
///
/// `send` suspends while the queue is full and `next` while it is empty, so a slow stage holds back the ones before
/// it instead of letting tiles pile up in memory: the queues' capacities bound the graph's memory whatever the
/// slide's size. Time spent suspended is recorded on the stage metrics of the caller (waiting on output for a
/// producer, waiting on input for a consumer), which is how the end-of-run report tells which stage bounds throughput.
public final class BoundedQueue<Element: Sendable>: Sendable {
    private struct State {
        var buffer: Deque<Element> = []
        var producersLeft: Int
        var waitingSenders: Deque<(id: UInt64, element: Element, continuation: CheckedContinuation<Bool, Never>)> = []
        var waitingReceivers: Deque<(id: UInt64, continuation: CheckedContinuation<Element?, Never>)> = []
        var cancelled = false
        var nextWaiterID: UInt64 = 0
    }

    private enum SendAction { case done(Bool), resumeReceiver(CheckedContinuation<Element?, Never>), wait }
    private enum ReceiveAction { case value(Element?), wait }

    public let capacity: Int
    public let name: String
    private let state: Mutex<State>

    /// - Parameter producers: how many producers will call `finish()`; the queue ends when all have.
    public init(name: String, capacity: Int, producers: Int = 1) {
        precondition(capacity > 0 && producers > 0)
        self.name = name
        self.capacity = capacity
        self.state = Mutex(State(producersLeft: producers))
    }

    /// Enqueues `element`, suspending while the queue is full. Returns false when the queue was cancelled
    /// (the consumer is gone), in which case the element was dropped and the producer should stop.
    @discardableResult
    public func send(_ element: Element, metrics: StageMeter? = nil) async -> Bool {
        let action = state.withLock { state -> SendAction in
            if state.cancelled { return .done(false) }
            if let receiver = state.waitingReceivers.popFirst() { return .resumeReceiver(receiver.continuation) }
            if state.buffer.count < capacity {
                state.buffer.append(element)
                return .done(true)
            }
            return .wait
        }
        switch action {
        case .done(let accepted):
            return accepted
        case .resumeReceiver(let continuation):
            continuation.resume(returning: element)
            return true
        case .wait:
            let started = ContinuousClock.now
            let accepted = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let immediate: Bool? = state.withLock { state in
                    if state.cancelled { return false }
                    if state.buffer.count < capacity {
                        state.buffer.append(element)
                        return true
                    }
                    state.nextWaiterID += 1
                    state.waitingSenders.append((state.nextWaiterID, element, continuation))
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
            metrics?.addWaitingOnOutput(ContinuousClock.now - started)
            return accepted
        }
    }

    /// The next element, suspending while the queue is empty; nil once every producer has finished and the
    /// queue is drained, or the queue was cancelled.
    public func next(metrics: StageMeter? = nil) async -> Element? {
        var senderToResume: CheckedContinuation<Bool, Never>?
        let action = state.withLock { state -> ReceiveAction in
            if let element = state.buffer.popFirst() {
                // A slot freed: move one waiting sender's element into the buffer.
                if let sender = state.waitingSenders.popFirst() {
                    state.buffer.append(sender.element)
                    senderToResume = sender.continuation
                }
                return .value(element)
            }
            if let sender = state.waitingSenders.popFirst() {
                senderToResume = sender.continuation
                return .value(sender.element)
            }
            if state.cancelled || state.producersLeft == 0 { return .value(nil) }
            return .wait
        }
        senderToResume?.resume(returning: true)
        switch action {
        case .value(let element):
            return element
        case .wait:
            let started = ContinuousClock.now
            let element = await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                var resumeNow: (Element?, CheckedContinuation<Bool, Never>?)?
                state.withLock { state in
                    if let element = state.buffer.popFirst() {
                        resumeNow = (element, nil)
                    } else if let sender = state.waitingSenders.popFirst() {
                        resumeNow = (sender.element, sender.continuation)
                    } else if state.cancelled || state.producersLeft == 0 {
                        resumeNow = (nil, nil)
                    } else {
                        state.nextWaiterID += 1
                        state.waitingReceivers.append((state.nextWaiterID, continuation))
                    }
                }
                if let (element, sender) = resumeNow {
                    sender?.resume(returning: true)
                    continuation.resume(returning: element)
                }
            }
            metrics?.addWaitingOnInput(ContinuousClock.now - started)
            return element
        }
    }

    /// One producer is done. When the last one is, waiting consumers get nil once the buffer is drained.
    public func finish() {
        let receivers = state.withLock { state -> [CheckedContinuation<Element?, Never>] in
            state.producersLeft = Swift.max(0, state.producersLeft - 1)
            guard state.producersLeft == 0, state.buffer.isEmpty, state.waitingSenders.isEmpty else { return [] }
            let receivers = state.waitingReceivers.map { $0.continuation }
            state.waitingReceivers.removeAll()
            return receivers
        }
        for receiver in receivers { receiver.resume(returning: nil) }
    }

    /// Stops the queue: pending and future sends return false, receivers get nil. Used when a run is stopped.
    public func cancel() {
        let (senders, receivers) = state.withLock {
            state -> ([CheckedContinuation<Bool, Never>], [CheckedContinuation<Element?, Never>]) in
            state.cancelled = true
            state.buffer.removeAll()
            let waiting = (state.waitingSenders.map { $0.continuation }, state.waitingReceivers.map { $0.continuation })
            state.waitingSenders.removeAll()
            state.waitingReceivers.removeAll()
            return waiting
        }
        for sender in senders { sender.resume(returning: false) }
        for receiver in receivers { receiver.resume(returning: nil) }
    }

    /// Elements buffered now (for progress reporting and tests).
    public var count: Int { state.withLock { $0.buffer.count } }
}

extension BoundedQueue: AsyncSequence {
    public struct AsyncIterator: AsyncIteratorProtocol {
        let queue: BoundedQueue
        let metrics: StageMeter?
        public mutating func next() async -> Element? { await queue.next(metrics: metrics) }
    }
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(queue: self, metrics: nil) }
}
