import Foundation
import Synchronization
import Testing
import TesseraCore
import TesseraNetwork
import TesseraTestSupport
@testable import TesseraPipeline

/// `--precision auto`: the rule, the per-machine cache, the pipeline key, what the run records, and one real
/// measurement of the bundled model. `tessera run` with given figures, end to end, is in TesseraCLITests'
/// RunPrecisionTests.
@Suite struct AutomaticPrecisionTests {
    static func measurement(fp32: Double, int8: Double) -> AutomaticPrecision.Measurement {
        AutomaticPrecision.Measurement(fp32TilesPerSecond: fp32, int8TilesPerSecond: int8, measuredAt: "2026-12-07T05:00:00Z")
    }

    @Test func int8OnlyWhereItMeasuredFaster() {
        #expect(AutomaticPrecision.precision(for: Self.measurement(fp32: 13.3, int8: 11.2)) == .fp32)  // issue 29's Zen 3
        #expect(AutomaticPrecision.precision(for: Self.measurement(fp32: 10, int8: 10.4)) == .fp32)    // within the margin
        #expect(AutomaticPrecision.precision(for: Self.measurement(fp32: 10, int8: 10.5)) == .int8)
        #expect(AutomaticPrecision.precision(for: Self.measurement(fp32: 53, int8: 86)) == .int8)      // a VNNI Xeon
    }

    @Test func aForcedSlowerInt8MeasurementChoosesFp32AndIsCachedPerKey() throws {
        let cache = try Fixtures.temporaryDirectory("auto-cache").appendingPathComponent("tessera/precision-auto.json")
        var measured = 0
        let slower = Self.measurement(fp32: 13.31, int8: 11.20)
        let first = AutomaticPrecision.choose(key: "k1", machine: "m", cache: cache) { measured += 1; return slower }
        #expect(first.precision == .fp32 && first.measurement == slower && !first.cached && measured == 1)
        #expect(first.reason.contains("0.84x") && first.reason.contains("fp32"))
        // The next run on the machine kind reads the cache; another key (tile size, threads, model...) measures again.
        let second = AutomaticPrecision.choose(key: "k1", machine: "m", cache: cache) { measured += 1; return nil }
        #expect(second.precision == .fp32 && second.measurement == slower && second.cached && measured == 1)
        let faster = Self.measurement(fp32: 10, int8: 16)
        let other = AutomaticPrecision.choose(key: "k2", machine: "m", cache: cache) { measured += 1; return faster }
        #expect(other.precision == .int8 && measured == 2)
        #expect(AutomaticPrecision.readCache(cache) == ["k1": slower, "k2": faster])
        // An unreadable cache is an empty one: measured again and rewritten.
        try Data("not json".utf8).write(to: cache)
        let again = AutomaticPrecision.choose(key: "k1", machine: "m", cache: cache) { measured += 1; return slower }
        #expect(!again.cached && measured == 3 && AutomaticPrecision.readCache(cache) == ["k1": slower])
        // Nothing to measure on: fp32, not cached.
        let none = AutomaticPrecision.choose(key: "k3", machine: "m", cache: cache) { nil }
        #expect(none.precision == .fp32 && none.measurement == nil && AutomaticPrecision.readCache(cache)["k3"] == nil)
    }

    /// A workflow's parallel jobs starting on one machine: the first measures, the others wait for its measurement and
    /// read it, so every slide of the workflow runs at one precision (issue 29's check-snakemake saw two choices).
    @Test func runsStartingTogetherMeasureOnceAndMakeOneChoice() throws {
        let cache = try Fixtures.temporaryDirectory("auto-together").appendingPathComponent("tessera/precision-auto.json")
        let measurements = Mutex(0)
        let choices = Mutex([AutomaticPrecision.Choice]())
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            let choice = AutomaticPrecision.choose(key: "k", machine: "m", cache: cache) {
                measurements.withLock { $0 += 1 }
                Thread.sleep(forTimeInterval: 0.2)   // long enough that the others ask while this one measures
                return Self.measurement(fp32: 10, int8: Double(11 + index))
            }
            choices.withLock { $0.append(choice) }
        }
        let all = choices.withLock { $0 }
        #expect(measurements.withLock { $0 } == 1)
        #expect(all.count == 4 && all.filter(\.cached).count == 3)
        #expect(Set(all.compactMap { $0.measurement?.int8TilesPerSecond }).count == 1)
    }

    @Test func theCacheLivesUnderXDGCacheHome() {
        #expect(AutomaticPrecision.cacheFile(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/h"]).path == "/c/tessera/precision-auto.json")
        #expect(AutomaticPrecision.cacheFile(environment: ["HOME": "/h"]).path == "/h/.cache/tessera/precision-auto.json")
        #expect(AutomaticPrecision.cacheFile(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"]).path
                == "/h/.cache/tessera/precision-auto.json")
        #expect(AutomaticPrecision.Measurement(given: "fp32=12.5,int8=10") == AutomaticPrecision.Measurement(
            fp32TilesPerSecond: 12.5, int8TilesPerSecond: 10, measuredAt: ""))
        #expect(AutomaticPrecision.Measurement(given: "fp32=12.5") == nil && AutomaticPrecision.Measurement(given: "fp32=1,int8=x") == nil)
    }

    @Test func pipelinesDefaultToAutoAndTheChoiceIsRecordedButNotHashed() throws {
        let (file, base) = (GeoJSONSettingTests.file, GeoJSONSettingTests.base)
        let plain = try PipelineDefinition.parse(text: base, file: file)
        let auto = try PipelineDefinition.parse(text: base + "precision: auto\n", file: file)
        let fp32 = try PipelineDefinition.parse(text: base + "precision: fp32\n", file: file)
        #expect(plain.settings.precisionIsAutomatic && auto.settings.precisionIsAutomatic && !fp32.settings.precisionIsAutomatic)
        #expect(auto.settings.precision == nil && plain.hash == auto.hash)
        #expect(!RunSettings().precisionIsAutomatic)

        let model = SegmentationModelIdentity(name: "m", path: "/models/m.safetensors", sha256: "aa")
        var settings = RunSettings(inputs: ["a.svs"], outputDirectory: "/tmp/out")
        let before = try settings.resolve(model: model)
        settings.automaticPrecision = AutomaticPrecision.choose(key: "k", machine: "AMD EPYC; avx2", cache: URL(fileURLWithPath: "/nonexistent/c.json")) {
            Self.measurement(fp32: 13.31, int8: 11.20)
        }
        let after = try settings.resolve(model: model)
        #expect(after.parametersHash == before.parametersHash)
        let recorded = try JSONSerialization.jsonObject(with: Data(after.parametersJSON.utf8)) as? [String: Any]
        let auto8 = recorded?["precisionAuto"] as? [String: Any]
        #expect(auto8?["precision"] as? String == "fp32" && auto8?["machine"] as? String == "AMD EPYC; avx2")
        #expect((auto8?["measurement"] as? [String: Any])?["int8TilesPerSecond"] as? Double == 11.20)
        #expect(before.parametersJSON.contains("precisionAuto") == false)
    }

    /// The real measurement: both networks of the bundled model on fixture tissue, both figures positive.
    @Test func theMeasurementRunsBothNetworks() throws {
        let model = try SegmentationModel.load(contentsOf: Fixtures.models.appendingPathComponent("default.safetensors"))
        var generator = SystemRandomNumberGenerator()
        // Smooth, tissue-coloured tiles (no denormal-provoking noise): the speed, not the numbers, is measured here.
        let tile = RGBImage(width: 64, height: 64, pixels: (0..<(64 * 64)).flatMap { i -> [UInt8] in
            let v = UInt8(150 + (i % 64) / 2 + Int.random(in: 0...3, using: &generator))
            return [v, UInt8(Int(v) - 60), UInt8(Int(v) - 20)]
        })
        let measurement = try AutomaticPrecision.measure(model: model, tiles: [tile], tileSize: 64, batch: 2, threads: 2)
        print(String(format: "auto on this machine, 64 px tiles: fp32 %.1f, int8 %.1f tiles/s", measurement.fp32TilesPerSecond,
                     measurement.int8TilesPerSecond))
        #expect(measurement.fp32TilesPerSecond > 0 && measurement.int8TilesPerSecond > 0)
        #expect(measurement.fp32TilesPerSecond.isFinite && measurement.int8TilesPerSecond.isFinite)
    }
}
