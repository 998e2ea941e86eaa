import Foundation
import Logging
import Testing
import TesseraCore
import TesseraNetwork
import TesseraSlide
import TesseraStore
import TesseraTestSupport
@testable import TesseraPipeline

/// The run's precision: the pipeline key, where the default comes from, what enters the parameters hash, the
/// calibration tiles drawn from a run's first slides, and what BatchRunner records. The real int8 network on a real
/// slide is in TesseraCLITests' RunPrecisionTests; here the slides and engines are the graph tests' fakes.
@Suite struct PrecisionSettingTests {
    /// The smallest pipeline, as GeoJSONSettingTests writes it.
    static let (file, base) = (GeoJSONSettingTests.file, GeoJSONSettingTests.base)
    static let fp32Model = SegmentationModelIdentity(name: "m", path: "/models/m.safetensors", sha256: "aa")
    static let int8Model = SegmentationModelIdentity(name: "m-int8", path: "/models/m-int8.safetensors", sha256: "bb",
                                                     precision: .int8)

    @Test func thePipelineKeyIsReadAndLeftOutOfTheHashAtItsDefault() throws {
        let plain = try PipelineDefinition.parse(text: Self.base, file: Self.file)
        let null = try PipelineDefinition.parse(text: Self.base + "precision: null\n", file: Self.file)
        let int8 = try PipelineDefinition.parse(text: Self.base + "precision: int8\n", file: Self.file)
        let fp32 = try PipelineDefinition.parse(text: Self.base + "precision: fp32\n", file: Self.file)
        #expect(plain.settings.precision == nil && null.settings.precision == nil)
        #expect(int8.settings.precision == .int8 && fp32.settings.precision == .fp32)
        // Pipelines written before the key existed keep their hash; asking for a precision changes it.
        #expect(plain.hash == null.hash)
        #expect(Set([plain.hash, int8.hash, fp32.hash]).count == 3)
    }

    @Test func aBadValueNamesTheFileAndTheKey() {
        do {
            _ = try PipelineDefinition.parse(text: Self.base + "precision: int4\n", file: Self.file)
            Issue.record("precision: int4 was accepted")
        } catch {
            #expect(error.diagnostics.map(\.keyPath) == ["precision"])
            #expect(error.description.hasPrefix("/labs/pathology/pipelines/job.yaml:6: precision:"), "\(error)")
            #expect(error.description.contains("fp32") && error.description.contains("int8"), "\(error)")
        }
    }

    @Test func theDefaultIsTheModelFilesOwnAndFp32OnAnInt8FileIsAnError() throws {
        var settings = RunSettings(inputs: ["a.svs"], outputDirectory: "/tmp/out")
        #expect(try settings.precision(for: Self.fp32Model) == .fp32)
        #expect(try settings.precision(for: Self.int8Model) == .int8)
        #expect(try settings.resolve(model: Self.int8Model).precision == .int8)
        settings.precision = .int8
        #expect(try settings.precision(for: Self.fp32Model) == .int8)
        #expect(try settings.precision(for: Self.int8Model) == .int8)
        settings.precision = .fp32
        do {
            _ = try settings.resolve(model: Self.int8Model)
            Issue.record("fp32 was accepted for an int8 model file")
        } catch {
            #expect(error.description.contains("/models/m-int8.safetensors") && error.description.contains("int8 model"))
        }
    }

    @Test func theHashChangesOnlyWhenThePrecisionIsNotTheModelsOwn() throws {
        var settings = RunSettings(inputs: ["a.svs"], outputDirectory: "/tmp/out")
        let unset = try settings.resolve(model: Self.fp32Model)
        settings.precision = .fp32
        let fp32 = try settings.resolve(model: Self.fp32Model)
        settings.precision = .int8
        let int8 = try settings.resolve(model: Self.fp32Model)
        settings.calibrationTiles = 16
        let int8Fewer = try settings.resolve(model: Self.fp32Model)
        // Results made before the setting existed (no precision key) keep their hash.
        #expect(unset.parametersHash == fp32.parametersHash)
        #expect(!unset.parametersJSON.contains("precision"))
        #expect(int8.parametersHash != fp32.parametersHash)
        #expect(int8.parametersJSON.contains("\"precision\":\"int8\""))
        #expect(int8.parametersJSON.contains("\"calibration\":\"\(Int8Calibration.defaultMethod.rawValue), 64 tiles, seed 7\""))
        #expect(int8Fewer.parametersHash != int8.parametersHash)
        // An int8 file at its own precision hashes as any model file does: by its SHA-256, no precision key.
        settings.precision = nil
        #expect(!(try settings.resolve(model: Self.int8Model).parametersJSON.contains("precision")))
        settings.calibrationTiles = 0
        settings.precision = .int8
        #expect(throws: RunError.self) { try settings.resolve(model: Self.fp32Model) }
    }

    /// Calibration tiles come from the first slides that give them: a slide that will not open or read is passed
    /// over with its reason, and the tiles are spread over up to four slides.
    @Test func calibrationTilesSkipSlidesThatCannotGiveThem() throws {
        let counter = ReadCounter()
        func slide(_ name: String, _ columns: Int, _ rows: Int, failing: Int? = nil) -> (String, FakeSlide) {
            (name, FakeSlide(url: URL(fileURLWithPath: "/fake/\(name)"), columns: columns, rows: rows, counter: counter,
                             failingFromTile: failing))
        }
        let source = FakeSource(slides: Dictionary(uniqueKeysWithValues: [
            slide("corrupt.svs", 4, 4, failing: 0), slide("a.svs", 2, 2), slide("b.svs", 5, 5), slide("c.svs", 5, 5),
            slide("d.svs", 5, 5), slide("e.svs", 5, 5),
        ]))
        var settings = RunSettings(inputs: [], outputDirectory: "/tmp/out")
        settings.overlap = 0
        settings.tissue.minimumTissueFraction = 0
        settings.tileSize = 32
        settings.calibrationTiles = 20
        let resolved = try settings.resolve(model: SegmentationModelIdentity(name: "fake", path: "/fake/m", sha256: "0",
                                                                             micronsPerPixel: 0.5, tileSize: 32))
        let urls = ["missing.svs", "corrupt.svs", "a.svs", "b.svs", "c.svs", "d.svs", "e.svs"]
            .map { URL(fileURLWithPath: "/fake/\($0)") }
        let drawn = CalibrationSlides.draw(from: urls, source: source, settings: resolved, count: 20,
                                           seed: OnTheFlyQuantization.seed, spreadOver: OnTheFlyQuantization.slidesToSpreadOver)
        let (tiles, sources, skipped) = (drawn.tiles, drawn.sources, drawn.skipped)
        #expect(skipped.map(\.path) == ["/fake/missing.svs", "/fake/corrupt.svs"])
        #expect(skipped[0].reason.contains("not a slide") && skipped[1].reason.contains("corrupt region"))
        // 20 over four slides: a.svs has only 4 tiles (of the 5 asked) and gives them all; b, c and d share the other
        // 16 (6, 5, 5); e.svs is not needed.
        #expect(sources.map(\.path) == ["/fake/a.svs", "/fake/b.svs", "/fake/c.svs", "/fake/d.svs"])
        #expect(sources.map(\.tiles) == [4, 6, 5, 5])
        #expect(sources[0].fingerprint == "quickhash-1:fake-a.svs-2x2")
        #expect(tiles.count == 20 && tiles.allSatisfy { $0.width == 32 && $0.height == 32 })
        // The tiles are the slides' pixels: a.svs's four tiles are its whole grid, in plan order.
        #expect(tiles.prefix(4).map { $0.pixels[0] } == [(0, 0), (1, 0), (0, 1), (1, 1)]
            .map { FakeSlide.value($0.0, $0.1) })
    }

    /// BatchRunner hands an engine factory that calibrates on the run's slides those slides, runs what it returns,
    /// and records its precision, quantised model and calibration with the run.
    @Test func aCalibratedEngineIsRecordedWithTheRun() async throws {
        let out = try Fixtures.temporaryDirectory("precision")
        let counter = ReadCounter()
        let slides = ["a.svs": FakeSlide(url: URL(fileURLWithPath: "/fake/a.svs"), columns: 3, rows: 2, counter: counter)]
        var settings = RunSettings(inputs: ["/fake/a.svs"], outputDirectory: out.path)
        settings.overlap = 0
        settings.writeHeatmaps = false
        settings.tissue.minimumTissueFraction = 0
        let engines = CalibratingFakeEngines(engines: FakeEngines(counter: counter))
        let runner = BatchRunner(settings: settings, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                                 source: FakeSource(slides: slides), engines: { _ in engines })
        let summary = try await runner.run()
        #expect(summary.counts.done == 1)
        #expect(summary.precision == "int8" && summary.quantizedModelSHA256 == CalibratingFakeEngines.quantizedSHA256)
        #expect(summary.calibrationReport == "calibrated on a.svs")
        let database = out.appendingPathComponent("results.sqlite").path
        let runs = try ResultsQuery.run(databasePath: database,
                                        sql: "SELECT precision, quantized_model_sha256, calibration_json FROM runs")
        #expect(runs.rows == [[.text("int8"), .text(CalibratingFakeEngines.quantizedSHA256), .text("{\"slides\":[\"a.svs\"]}")]])
        #expect(try ResultsQuery.run(databasePath: database, sql: "SELECT COUNT(*) FROM tiles").rows == [[.integer(6)]])
    }
}

/// A factory that "calibrates" on the run's slides: it records their names and returns the fake engines as int8.
struct CalibratingFakeEngines: SlideCalibratedEngineFactory {
    static let quantizedSHA256 = String(repeating: "cd", count: 32)
    let engines: FakeEngines
    var model: SegmentationModelIdentity { engines.model }
    var identity: EngineIdentity { engines.identity }
    var needsCalibration: Bool { true }
    func makeEngine(batch: Int, tileSize: Int, threads: Int) throws -> any SegmentationEngine {
        throw RunError.invalidParameter("not calibrated")
    }
    func calibrated(on slides: [URL], source: any SlideSource,
                    settings: RunSettings.Resolved) throws -> (engines: any EngineFactory, report: String) {
        (Calibrated(engines: engines, slides: slides.map(\.lastPathComponent)),
         "calibrated on " + slides.map(\.lastPathComponent).joined(separator: ", "))
    }

    struct Calibrated: EngineFactory {
        let engines: FakeEngines
        let slides: [String]
        var model: SegmentationModelIdentity { engines.model }
        var identity: EngineIdentity {
            var identity = engines.identity
            identity.precision = "int8"
            identity.quantizedModelSHA256 = CalibratingFakeEngines.quantizedSHA256
            identity.calibrationJSON = "{\"slides\":[" + slides.map { "\"\($0)\"" }.joined(separator: ",") + "]}"
            return identity
        }
        func makeEngine(batch: Int, tileSize: Int, threads: Int) throws -> any SegmentationEngine {
            try engines.makeEngine(batch: batch, tileSize: tileSize, threads: threads)
        }
    }
}
