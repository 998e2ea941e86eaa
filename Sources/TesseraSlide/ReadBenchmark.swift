import Foundation
import Synchronization
import TesseraCore

/// Times level-0 tile reads from one slide handle on dedicated threads (`tessera bench-read`).
///
/// The tiles are spread over the whole slide in a fixed pattern that tools/bench/bench_read.py repeats exactly for
/// openslide-python: with `columns = width / size`, `rows = height / size`, `total = columns * rows`, tile k of n is
/// grid cell `k * total / n`, row-major.
public enum ReadBenchmark {
    public struct Result: Sendable, Codable {
        public let slide: String
        public let threads: Int
        public let tiles: Int
        public let tileSize: Int
        public let seconds: Double
        public var tilesPerSecond: Double { Double(tiles) / seconds }
        /// Sum of every byte read, so the reads cannot be optimised away and runs can be compared.
        public let checksum: UInt64
    }

    public static func tileOrigins(slideWidth: Int, slideHeight: Int, tileSize: Int, count: Int) -> [(x: Int, y: Int)] {
        let columns = max(1, slideWidth / tileSize), rows = max(1, slideHeight / tileSize)
        let total = columns * rows
        return (0..<count).map { k in
            let cell = (k * total) / count
            return ((cell % columns) * tileSize, (cell / columns) * tileSize)
        }
    }

    public static func run(slide: Slide, threads: Int, tiles: Int, tileSize: Int) throws -> Result {
        let origins = tileOrigins(slideWidth: slide.width, slideHeight: slide.height, tileSize: tileSize, count: tiles)
        let next = Atomic<Int>(0)
        let checksum = Atomic<UInt64>(0)
        let failure = Mutex<SlideError?>(nil)
        let start = ContinuousClock.now
        let finished = DispatchSemaphore(value: 0)
        let work: @Sendable () -> Void = {
            var localSum: UInt64 = 0
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < origins.count else { break }
                do {
                    let image = try slide.readRegion(level0Origin: origins[index], level: 0, width: tileSize,
                                                     height: tileSize)
                    localSum &+= UInt64(image.pixels[image.pixels.count / 2]) &+ UInt64(image.pixels[0])
                } catch let error as SlideError {
                    failure.withLock { $0 = error }
                    break
                } catch {
                    break
                }
            }
            checksum.wrappingAdd(localSum, ordering: .relaxed)
            finished.signal()
        }
        // Dedicated threads, as in the pipeline: reads block in OpenSlide.
        for index in 0..<threads {
            let thread = Thread(block: work)
            thread.name = "bench-read-\(index)"
            thread.start()
        }
        for _ in 0..<threads { finished.wait() }
        let elapsed = ContinuousClock.now - start
        if let error = failure.withLock({ $0 }) { throw error }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Result(slide: slide.url.path, threads: threads, tiles: tiles, tileSize: tileSize, seconds: seconds,
                      checksum: checksum.load(ordering: .relaxed))
    }
}
