import Foundation
import Synchronization
import TesseraCore
import TesseraSlide

/// Times level-0 tile reads from one slide handle on dedicated threads (`tessera-dev bench-read`).
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
        /// CPU time of the whole process (user + system) during the reads: on a loaded machine wall time
        /// measures the scheduler as much as the reader, CPU time does not.
        public let cpuSeconds: Double
        public var tilesPerSecond: Double { Double(tiles) / seconds }
        public var tilesPerCPUSecond: Double { Double(tiles) / cpuSeconds }
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

    /// `windowScale` 1 reads each tile with `readRegion` (what openslide-python is compared with); any other value
    /// reads a level-0 window of `tileSize * windowScale` pixels resampled to `tileSize` with `read(level0Window:)`,
    /// as the pipeline does when the slide's resolution differs from the target (0.499 vs 0.5 µm/px: 1.002).
    public static func run(slide: Slide, threads: Int, tiles: Int, tileSize: Int,
                           windowScale: Double = 1) throws -> Result {
        let windowSize = Int((Double(tileSize) * windowScale).rounded())
        let origins = tileOrigins(slideWidth: slide.width, slideHeight: slide.height, tileSize: tileSize, count: tiles)
        let next = Atomic<Int>(0)
        let checksum = Atomic<UInt64>(0)
        let failure = Mutex<SlideError?>(nil)
        let cpuStart = processCPUSeconds()
        let start = ContinuousClock.now
        let finished = DispatchSemaphore(value: 0)
        let work: @Sendable () -> Void = {
            var localSum: UInt64 = 0
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < origins.count else { break }
                do {
                    let image = windowScale == 1
                        ? try slide.readRegion(level0Origin: origins[index], level: 0, width: tileSize,
                                               height: tileSize)
                        : try slide.read(level0Window: PixelRect(x: origins[index].x, y: origins[index].y,
                                                                 width: windowSize, height: windowSize),
                                         outputWidth: tileSize, outputHeight: tileSize)
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
        let cpuSeconds = processCPUSeconds() - cpuStart
        if let error = failure.withLock({ $0 }) { throw error }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Result(slide: slide.url.path, threads: threads, tiles: tiles, tileSize: tileSize, seconds: seconds,
                      cpuSeconds: cpuSeconds, checksum: checksum.load(ordering: .relaxed))
    }

    private static func processCPUSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
        return user + system
    }
}
