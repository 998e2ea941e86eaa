import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TesseraCore
import TesseraNetwork
import TesseraSlide

/// `--precision auto`, the default for `tessera run` and pipelines: an fp32 model runs at int8 only where int8 measured
/// faster on this machine. int8 is not faster everywhere: on AVX2 machines without VNNI (AMD EPYC up to Zen 3), oneDNN
/// 2.6's int8 convolutions are no faster than its fp32 ones (issue 29), while VNNI and AMX Xeons run int8 at 1.4-1.7x.
///
/// The measurement (a few seconds: both networks on a batch of the run's own tissue tiles, in alternating rounds) is
/// cached per machine kind and setting in `$XDG_CACHE_HOME/tessera/precision-auto.json` (else `~/.cache/...`), keyed
/// on `MachineKind.description` (CPU model, the ISA oneDNN dispatches, oneDNN's version, Tessera's int8 kernels and
/// build), the model's SHA-256, the tile size, batch and threads. The choice and its figures are recorded with the run
/// (`runs.parameters_json`, key `precisionAuto`, not part of the parameters hash).
public enum AutomaticPrecision {
    /// int8 is chosen only at least this much faster than fp32: within the measurement's noise fp32 (the reference
    /// arithmetic) is kept.
    public static let margin = 1.05
    /// Figures that stand in for the measurement, "fp32=TILES_PER_S,int8=TILES_PER_S": for tests, which must not
    /// depend on the machine they run on, and to pin a choice measured elsewhere. Neither read from nor stored in the cache.
    public static let measurementVariable = "TESSERA_PRECISION_AUTO_MEASUREMENT"
    /// Alternating rounds of each precision, and the least time each round measures.
    public static let rounds = 3
    public static let roundSeconds = 0.6

    /// Both precisions' speed on this machine, in the same run.
    public struct Measurement: Codable, Sendable, Equatable {
        public var fp32TilesPerSecond: Double
        public var int8TilesPerSecond: Double
        /// ISO 8601, UTC.
        public var measuredAt: String

        public init(fp32TilesPerSecond: Double, int8TilesPerSecond: Double, measuredAt: String) {
            self.fp32TilesPerSecond = fp32TilesPerSecond
            self.int8TilesPerSecond = int8TilesPerSecond
            self.measuredAt = measuredAt
        }

        /// Figures given by `measurementVariable` ("fp32=12.5,int8=10.1"), in place of a measurement.
        init?(given: String) {
            var figures: [String: Double] = [:]
            for part in given.split(separator: ",") {
                let pair = part.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, let value = Double(pair[1].trimmingCharacters(in: .whitespaces)), value > 0 else { return nil }
                figures[pair[0].trimmingCharacters(in: .whitespaces)] = value
            }
            guard let fp32 = figures["fp32"], let int8 = figures["int8"], figures.count == 2 else { return nil }
            self.init(fp32TilesPerSecond: fp32, int8TilesPerSecond: int8, measuredAt: "")
        }

        /// int8's speed over fp32's.
        public var ratio: Double { int8TilesPerSecond / fp32TilesPerSecond }
    }

    /// What auto chose for a run, and from what.
    public struct Choice: Codable, Sendable, Equatable {
        public var precision: Precision
        /// `MachineKind.description` where it was measured.
        public var machine: String
        /// The measurement it follows from; nil when there was none (no tissue tile to measure on).
        public var measurement: Measurement?
        /// Whether the measurement came from the cache (measured by an earlier run on this machine kind).
        public var cached: Bool
        /// Why, in words.
        public var reason: String
    }

    /// fp32 unless int8 measured at least `margin` times as fast.
    public static func precision(for measurement: Measurement) -> Precision {
        measurement.int8TilesPerSecond >= margin * measurement.fp32TilesPerSecond ? .int8 : .fp32
    }

    /// `$XDG_CACHE_HOME/tessera/precision-auto.json`, else `$HOME/.cache/tessera/precision-auto.json`.
    public static func cacheFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let base: URL
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            base = URL(fileURLWithPath: xdg)
        } else {
            base = URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".cache")
        }
        return base.appendingPathComponent("tessera").appendingPathComponent("precision-auto.json")
    }

    /// The cache key: the machine kind and everything of the run that changes the two speeds' ratio.
    public static func key(machine: String, modelSHA256: String, tileSize: Int, batch: Int, threads: Int) -> String {
        "\(machine) | model \(modelSHA256) | tile \(tileSize) | batch \(batch) | threads \(threads)"
    }

    /// The cached measurements by key. A missing or unreadable file is an empty cache (it is measured again).
    static func readCache(_ url: URL) -> [String: Measurement] {
        guard let data = try? Data(contentsOf: url) else { return [:] }
        return (try? JSONDecoder().decode([String: Measurement].self, from: data)) ?? [:]
    }

    /// Stores `measurement` under `key`; false when the cache cannot be written (the run goes on, measured again next time).
    @discardableResult
    static func store(_ measurement: Measurement, key: String, in url: URL) -> Bool {
        var entries = readCache(url)
        entries[key] = measurement
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try encoder.encode(entries).write(to: url, options: .atomic)
            return true
        } catch {
            return false
        }
    }

    /// The choice for `key`: from the cache, else from `measure()` (stored in the cache). `measure` returns nil when
    /// there is nothing to measure on: fp32 then, and nothing is cached.
    /// Runs starting together on one machine (a workflow's parallel jobs) take turns: the first measures while the
    /// others wait on `<cache>.lock` and then read its measurement, so they make one choice, measured on an otherwise idle
    /// machine rather than against each other.
    public static func choose(key: String, machine: String, cache: URL, measure: () throws -> Measurement?) rethrows -> Choice {
        let lock = MeasurementLock(path: cache.path + ".lock")
        defer { lock.release() }
        if let cached = readCache(cache)[key] {
            return Choice(precision: precision(for: cached), machine: machine, measurement: cached, cached: true,
                          reason: reason(cached, source: "cached, measured on this machine kind at \(cached.measuredAt)"))
        }
        guard let measured = try measure() else {
            return Choice(precision: .fp32, machine: machine, measurement: nil, cached: false,
                          reason: "no tissue tile to measure int8 on: fp32")
        }
        store(measured, key: key, in: cache)
        return Choice(precision: precision(for: measured), machine: machine, measurement: measured, cached: false,
                      reason: reason(measured, source: "measured now on this machine"))
    }

    static func reason(_ m: Measurement, source: String) -> String {
        String(format: "int8 %.2f tiles/s, fp32 %.2f (%.2fx; %@): %@", m.int8TilesPerSecond, m.fp32TilesPerSecond, m.ratio, source,
               precision(for: m) == .int8 ? "int8" : String(format: "fp32 (int8 must be %.2fx)", margin))
    }

    /// The choice for an fp32 `model` in a run with `settings`: measured on a batch of tissue tiles from the run's
    /// first slides (drawn as calibration tiles are), unless the cache holds it.
    public static func choose(for model: SegmentationModel, slides: [URL], source: any SlideSource, settings: RunSettings.Resolved,
                              cache: URL = cacheFile()) throws -> Choice {
        let machine = MachineKind.description
        if let given = ProcessInfo.processInfo.environment[measurementVariable] {
            guard let measurement = Measurement(given: given) else {
                throw RunError.invalidParameter("\(measurementVariable) must read fp32=TILES_PER_S,int8=TILES_PER_S, not \"\(given)\"")
            }
            return Choice(precision: precision(for: measurement), machine: machine, measurement: measurement, cached: false,
                          reason: reason(measurement, source: "given by \(measurementVariable)"))
        }
        let key = key(machine: machine, modelSHA256: model.sha256, tileSize: settings.tileSize, batch: settings.batchSize,
                      threads: settings.threads)
        return try choose(key: key, machine: machine, cache: cache) {
            let drawn = CalibrationSlides.draw(from: slides, source: source, settings: settings, count: settings.batchSize,
                                               seed: OnTheFlyQuantization.seed, spreadOver: 1)
            guard !drawn.tiles.isEmpty else { return nil }
            return try measure(model: model, tiles: drawn.tiles, tileSize: settings.tileSize, batch: settings.batchSize,
                               threads: settings.threads)
        }
    }

    /// Both precisions' tiles/s on `tiles` (repeated to fill a batch): int8 quantised from these tiles (the speed does
    /// not depend on the calibration), after one warm-up batch each, in `rounds` alternating rounds; the best round each.
    public static func measure(model: SegmentationModel, tiles: [RGBImage], tileSize: Int, batch: Int, threads: Int) throws -> Measurement {
        let batchTiles = (0..<batch).map { tiles[$0 % tiles.count] }
        let quantized = try Int8Calibration.quantize(model, tiles: tiles, threads: threads)
        let networks = [try Segmenter(model: model, batch: batch, height: tileSize, width: tileSize, threads: threads),
                        try Segmenter(model: quantized, batch: batch, height: tileSize, width: tileSize, threads: threads)]
        for network in networks { _ = try network.logits(batchTiles) }
        // Each precision's best round: the one least slowed by other work on the machine (a shared machine's load
        // comes and goes within seconds, and the choice is cached).
        var best = [0.0, 0.0]
        for _ in 0..<rounds {
            for (index, network) in networks.enumerated() {
                let start = ContinuousClock.now
                var tiles = 0
                repeat {
                    _ = try network.logits(batchTiles)
                    tiles += batch
                } while (ContinuousClock.now - start).seconds < roundSeconds
                best[index] = max(best[index], Double(tiles) / (ContinuousClock.now - start).seconds)
            }
        }
        let formatter = ISO8601DateFormatter()
        return Measurement(fp32TilesPerSecond: best[0], int8TilesPerSecond: best[1], measuredAt: formatter.string(from: Date()))
    }
}

/// A blocking exclusive flock(2) on the precision cache's lock file, held while one run reads, measures and stores.
/// Best effort: where the file cannot be created or locked (a read-only home), runs measure without it.
/// The kernel releases the lock when the holder exits, so a killed run leaves none behind.
private final class MeasurementLock {
    private var descriptor: Int32

    init(path: String) {
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if descriptor >= 0 {
            var result: Int32
            repeat { result = flock(descriptor, LOCK_EX) } while result != 0 && errno == EINTR
            if result != 0 { release() }
        }
    }

    deinit { release() }

    func release() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }
}
