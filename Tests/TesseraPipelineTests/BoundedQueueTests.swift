import Foundation
import Testing
@testable import TesseraPipeline

@Suite struct BoundedQueueTests {
    @Test func deliversEveryElementOnceInOrderFromOneProducer() async {
        let queue = BoundedQueue<Int>(name: "q", capacity: 3)
        let producer = Task {
            for i in 0..<100 { await queue.send(i) }
            queue.finish()
        }
        var received: [Int] = []
        for await value in queue { received.append(value) }
        await producer.value
        #expect(received == Array(0..<100))
    }

    @Test func neverHoldsMoreThanItsCapacity() async {
        let queue = BoundedQueue<Int>(name: "q", capacity: 4)
        let metrics = StageMeter(name: "producer")
        let producer = Task {
            for i in 0..<50 { await queue.send(i, metrics: metrics) }
            queue.finish()
        }
        var maximum = 0
        var total = 0
        while let value = await queue.next() {
            maximum = max(maximum, queue.count)
            total += value
            // A slow consumer: the producer must wait for room rather than buffer ahead.
            try? await Task.sleep(for: .milliseconds(1))
        }
        await producer.value
        #expect(maximum <= 4)
        #expect(total == (0..<50).reduce(0, +))
        #expect(metrics.snapshot.waitingOnOutputSeconds > 0)
    }

    @Test func endsOnlyWhenEveryProducerHasFinished() async {
        let queue = BoundedQueue<Int>(name: "q", capacity: 2, producers: 3)
        let producers = (0..<3).map { p in
            Task {
                for i in 0..<20 { await queue.send(p * 100 + i) }
                queue.finish()
            }
        }
        var received: [Int] = []
        for await value in queue { received.append(value) }
        for producer in producers { await producer.value }
        #expect(received.count == 60)
        let sent: Set<Int> = Set((0..<3).flatMap { (p: Int) -> [Int] in (0..<20).map { p * 100 + $0 } })
        #expect(Set(received) == sent)
    }

    @Test func cancelReleasesBlockedProducersAndConsumers() async {
        let queue = BoundedQueue<Int>(name: "q", capacity: 1)
        await queue.send(1)
        let blockedSender = Task { await queue.send(2) }
        try? await Task.sleep(for: .milliseconds(20))
        queue.cancel()
        #expect(await blockedSender.value == false)
        #expect(await queue.next() == nil)
        #expect(await queue.send(3) == false)
    }
}
