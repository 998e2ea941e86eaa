import Foundation
import Logging
import Synchronization
import Testing
@testable import TesseraPipeline
import TesseraCore
import TesseraSlide
import TesseraStore
import TesseraTestSupport

// The run's graph on fakes: synthetic slides whose tiles are flat colours, and an engine whose probabilities follow
// from each tile's colour, so every row can be checked against a number computed here. No OpenSlide, no oneDNN; the
// results file is real SQLite.

/// A slide of `columns` x `rows` tiles of 32 px at 0.5 µm/px (tile 32, overlap 0: one tile per 32 px square).
/// Tile (c, r) reads as a flat image of value `FakeSlide.value(c, r)`.
struct FakeSlide: SourceSlide {
    let url: URL
    let columns: Int
    let rows: Int
    let counter: ReadCounter
    /// Reads of tiles at or after this index fail (a corrupt region).
    var failingFromTile: Int?
    /// The resolution along y (x is 0.5): some scanners state different figures.
    var mppY = 0.5
    var width: Int { columns * 32 }
    var height: Int { rows * 32 }
    var vendor: String? { "fake" }
    var quickhash: String? { "fake-" + url.lastPathComponent + "-\(columns)x\(rows)" }
    var micronsPerPixel: (x: Double, y: Double)? { (0.5, 0.5) }
    var objectivePower: Double? { nil }

    static func value(_ column: Int, _ row: Int) -> UInt8 { UInt8((column * 37 + row * 11 + 20) % 256) }

    func resolution(userStatedMPP: Double?, overrideMPP: Double?) throws -> SlideResolution {
        SlideResolution(mppX: 0.5, mppY: mppY, source: .file)
    }

    func planTiles(resolution: SlideResolution, targetMPP: Double, tileSize: Int, overlap: Int,
                   tissue: TissueSettings) throws -> TilePlan {
        TilePlan(grid: try TileGrid(slideWidth: width, slideHeight: height, slideMPP: resolution.mpp,
                                    targetMPP: targetMPP, tileSize: tileSize, overlap: overlap),
                 tissueMask: nil, minimumTissueFraction: tissue.minimumTissueFraction)
    }

    func read(level0Window: PixelRect, outputWidth: Int, outputHeight: Int) throws -> RGBImage {
        let column = level0Window.x / 32, row = level0Window.y / 32
        if let failingFromTile, row * columns + column >= failingFromTile {
            throw SlideError(kind: .invalidArgument, message: "corrupt region", path: url.path, context: "reading")
        }
        counter.read()
        return RGBImage(width: outputWidth, height: outputHeight, filledWith: Self.value(column, row))
    }
}

/// Tiles read and tiles inferred so far, and the most read but not yet inferred at any time (backpressure).
final class ReadCounter: Sendable {
    private let state = Mutex<(read: Int, inferred: Int, maxAhead: Int, batches: [Int])>((0, 0, 0, []))
    func read() { state.withLock { $0.read += 1; $0.maxAhead = max($0.maxAhead, $0.read - $0.inferred) } }
    func inferred(_ tiles: [RGBImage]) {
        state.withLock { $0.inferred += tiles.count; $0.batches.append(tiles.count) }
    }
    var reads: Int { state.withLock { $0.read } }
    var tilesInferred: Int { state.withLock { $0.inferred } }
    var maxAhead: Int { state.withLock { $0.maxAhead } }
}

struct FakeSource: SlideSource {
    let slides: [String: FakeSlide]
    func open(_ url: URL) throws -> any SourceSlide {
        guard let slide = slides[url.lastPathComponent] else {
            throw SlideError(kind: .unsupportedFormat, message: "not a slide", path: url.path, context: "opening")
        }
        return slide
    }
}

/// Two classes: p(class 1) = the tile's value / 255. Optionally slow, or failing at a given batch.
final class FakeEngine: SegmentationEngine {
    let tileSize: Int
    let counter: ReadCounter
    let delay: Duration
    let failAtBatch: Int?
    let values: FakeEngines.ValuesBox
    var batches = 0

    init(tileSize: Int, counter: ReadCounter, delay: Duration, failAtBatch: Int?, values: FakeEngines.ValuesBox) {
        self.tileSize = tileSize
        self.counter = counter
        self.delay = delay
        self.failAtBatch = failAtBatch
        self.values = values
    }

    func probabilities(_ tiles: [RGBImage]) throws -> [Float] {
        batches += 1
        if let failAtBatch, batches == failAtBatch { throw RunError.invalidParameter("the engine failed on purpose") }
        if delay > .zero { Thread.sleep(forTimeInterval: delay.seconds) }
        counter.inferred(tiles)
        let plane = tileSize * tileSize
        var output: [Float] = []
        output.reserveCapacity(tiles.count * 2 * plane)
        for tile in tiles {
            values.values.withLock { $0.append(tile.pixels[0]) }
            let p1 = Float(tile.pixels[0]) / 255
            output += [Float](repeating: 1 - p1, count: plane)
            output += [Float](repeating: p1, count: plane)
        }
        return output
    }
}

struct FakeEngines: EngineFactory {
    let counter: ReadCounter
    var delay: Duration = .zero
    var failAtBatch: Int?
    var classNames = ["background", "tissue"]
    let values = ValuesBox()

    final class ValuesBox: Sendable { let values = Mutex<[UInt8]>([]) }

    var model: SegmentationModelIdentity {
        SegmentationModelIdentity(name: "fake", path: "/fake/model.safetensors", sha256: String(repeating: "ab", count: 32),
                                  micronsPerPixel: 0.5, tileSize: 32)
    }
    var identity: EngineIdentity {
        EngineIdentity(precision: "fake", modelName: "fake", modelSHA256: model.sha256,
                       classNames: classNames, classColours: ["#FFFFFF", "#FF0000"])
    }
    func makeEngine(batch: Int, tileSize: Int, threads: Int) throws -> any SegmentationEngine {
        FakeEngine(tileSize: tileSize, counter: counter, delay: delay, failAtBatch: failAtBatch, values: values)
    }
}

private let logger = Logger(label: "test.graph") { _ in SwiftLogNoOpLogHandler() }

/// Settings and a source for fake slides named by `sizes` (file name -> columns x rows).
private func fakeRun(_ sizes: [(String, Int, Int)], failing: [String: Int] = [:], heatmaps: Bool = false)
    throws -> (settings: RunSettings, source: FakeSource, counter: ReadCounter, out: URL) {
    let out = try Fixtures.temporaryDirectory("graph")
    let counter = ReadCounter()
    var slides: [String: FakeSlide] = [:]
    for (name, columns, rows) in sizes {
        slides[name] = FakeSlide(url: URL(fileURLWithPath: "/fake/\(name)"), columns: columns, rows: rows,
                                 counter: counter, failingFromTile: failing[name])
    }
    var settings = RunSettings(inputs: sizes.map { "/fake/\($0.0)" }, outputDirectory: out.path)
    settings.overlap = 0
    settings.batchSize = 2
    settings.readers = 2
    settings.threads = 1
    settings.writeHeatmaps = heatmaps
    settings.heatmapModelPixels = 8
    settings.tissue.minimumTissueFraction = 0
    return (settings, FakeSource(slides: slides), counter, out)
}

private func runner(_ settings: RunSettings, _ source: FakeSource, _ engines: FakeEngines) -> BatchRunner {
    BatchRunner(settings: settings, logger: logger, source: source, engines: { _ in engines })
}

/// Tile rows of the results file: (slide file name, tile index, class-1 mean probability, class-1 area fraction).
private func rows(_ database: String) throws -> [(String, Int, Double, Double)] {
    let result = try ResultsQuery.run(databasePath: database, sql: """
        SELECT sr.slide_path, t.tile_index, p.mean_probability, p.area_fraction
        FROM tiles t JOIN slide_runs sr ON sr.id = t.slide_run_id
        JOIN tile_predictions p ON p.slide_run_id = t.slide_run_id AND p.tile_index = t.tile_index AND p.class_index = 1
        ORDER BY sr.slide_path, t.tile_index
        """)
    return result.rows.map { row in
        guard case .text(let path) = row[0], case .integer(let index) = row[1], case .real(let mean) = row[2],
              case .real(let area) = row[3] else { return ("?", -1, -1, -1) }
        return (URL(fileURLWithPath: path).lastPathComponent, Int(index), mean, area)
    }
}

@Suite(.serialized) struct StageGraphTests {
    /// Class names that share a heatmap file once made file-safe ("α x" and "β x" are both "__x") stop the run
    /// before any slide is read, naming both classes. (Before: each slide was inferred whole, then failed at its
    /// heatmaps; a nightly job repeated that every night.) Without heatmaps the names are no problem.
    @Test func classNamesThatClashAsFileNamesStopTheRunBeforeAnySlide() async throws {
        let (settings, source, counter, out) = try fakeRun([("a.svs", 3, 2)], heatmaps: true)
        defer { try? FileManager.default.removeItem(at: out) }
        var engines = FakeEngines(counter: counter)
        engines.classNames = ["α x", "β x"]
        let error = await #expect(throws: RunError.self) { try await runner(settings, source, engines).run() }
        let message = error.map(String.init(describing:)) ?? ""
        #expect(message.contains("\"α x\"") && message.contains("\"β x\"") && message.contains("--no-heatmaps"), "\(message)")
        #expect(counter.reads == 0)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("results.sqlite").path))

        var withoutHeatmaps = settings
        withoutHeatmaps.writeHeatmaps = false
        let summary = try await runner(withoutHeatmaps, source, engines).run()
        #expect(summary.slides.map(\.status) == [.done] && counter.tilesInferred == 6)
    }

    @Test func everyTileOfEverySlideIsInferredOnceAndItsRowHoldsItsOwnNumbers() async throws {
        let (settings, source, counter, out) = try fakeRun([("b.svs", 5, 3), ("a.svs", 4, 4), ("c.svs", 1, 1)])
        let summary = try await runner(settings, source, FakeEngines(counter: counter)).run()
        // Outcomes in the slides' (sorted) order, each done with all its tiles.
        #expect(summary.slides.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["a.svs", "b.svs", "c.svs"])
        #expect(summary.slides.map(\.status) == [.done, .done, .done])
        #expect(summary.slides.map(\.tilesProcessed) == [16, 15, 1])
        #expect(summary.outcome == .allDone && summary.outcome.exitCode == 0)
        // Every tile read once, plus one read per slide: the slide QC's low-resolution image.
        #expect(counter.reads == 32 + 3 && counter.tilesInferred == 32)
        let stored = try rows(out.appendingPathComponent("results.sqlite").path)
        #expect(stored.count == 32)
        let columns = ["a.svs": 4, "b.svs": 5, "c.svs": 1]
        for (name, index, mean, area) in stored {
            let width = try #require(columns[name])
            let value = Double(FakeSlide.value(index % width, index / width))
            #expect(abs(mean - value / 255) < 1e-6, "\(name) tile \(index)")
            #expect(area == (value / 255 > 0.5 ? 1 : 0), "\(name) tile \(index)")
        }
        // Stage figures: every tile through every stage.
        let items = Dictionary(uniqueKeysWithValues: summary.stages.map { ($0.stage, $0.items) })
        #expect(items["read"] == 32 && items["infer"] == 32 && items["stitch"] == 32 && items["write"] == 32)
        #expect(items["plan"] == 3 && items["qc"] == 3)
    }

    @Test func theStoreRecordsTheResolutionAlongXAndY() async throws {
        var (settings, source, counter, out) = try fakeRun([("a.svs", 2, 2)])
        var slide = try #require(source.slides["a.svs"])
        slide.mppY = 0.52
        let twoAxes = FakeSource(slides: ["a.svs": slide])
        settings.slideMPP = nil
        _ = try await runner(settings, twoAxes, FakeEngines(counter: counter)).run()
        let stored = try ResultsQuery.run(databasePath: out.appendingPathComponent("results.sqlite").path,
                                          sql: "SELECT mpp_x, mpp_y, mpp_source FROM slide_runs")
        #expect(stored.rows == [[.real(0.5), .real(0.52), .text("file")]])
        _ = source
    }

    @Test func aSlowEngineHoldsTheReadersBack() async throws {
        let (settings, source, counter, _) = try fakeRun([("big.svs", 20, 10)])
        let summary = try await runner(settings, source, FakeEngines(counter: counter, delay: .milliseconds(5))).run()
        #expect(summary.slides.first?.tilesProcessed == 200)
        // Tiles read ahead of the engine are bounded by the queues (readers 2, batch 2: read requests 8, tiles
        // read 4, the batch being made 2, batches 2 x 2, the one inferring 2, each reader's tile in hand),
        // nowhere near the slide's 200.
        #expect(counter.maxAhead <= 16, "read ahead: \(counter.maxAhead)")
        let read = try #require(summary.stages.first { $0.stage == "read" })
        #expect(read.waitingOnOutputSeconds > 0)
    }

    @Test func aStoppedRunCommitsWhatWasInferredAndTheNextRunDoesOnlyTheRest() async throws {
        let (settings, source, counter, out) = try fakeRun([("a.svs", 10, 10), ("b.svs", 3, 3)])
        let engines = FakeEngines(counter: counter, delay: .milliseconds(5))
        let first = runner(settings, source, engines)
        let stopper = Task {
            while counter.tilesInferred < 20 { try await Task.sleep(for: .milliseconds(2)) }
            first.requestStop()
        }
        let stopped = try await first.run()
        try await stopper.value
        #expect(stopped.interrupted && stopped.outcome == .interrupted && stopped.outcome.exitCode == 3)
        #expect(stopped.slides.map(\.status) == [.interrupted, .interrupted])
        let database = out.appendingPathComponent("results.sqlite").path
        let committed = try rows(database)
        let processed = stopped.slides[0].tilesProcessed
        #expect(processed >= 20 && processed < 100)
        #expect(committed.count == processed)

        // The next run infers only the tiles not committed, and ends with every tile once.
        let inferredBefore = counter.tilesInferred
        let resumed = try await runner(settings, source, engines).run()
        #expect(resumed.slides.map(\.status) == [.done, .done])
        #expect(counter.tilesInferred - inferredBefore == 100 + 9 - processed)
        let all = try rows(database)
        #expect(all.count == 109)
        #expect(Set(all.map { "\($0.0)#\($0.1)" }).count == 109)
    }

    @Test func aRunResumesFromTheTilesAnEarlierAttemptCommitted() async throws {
        let (settings, source, counter, out) = try fakeRun([("a.svs", 4, 2)])
        let engines = FakeEngines(counter: counter)
        // An earlier attempt of this very run, killed after committing tiles 0, 3 and 5.
        let resolved = try settings.resolve(model: engines.model)
        let store = try ResultsStore(path: resolved.resultsDatabase, logger: logger)
        let run = try store.startRun(RunProvenance(
            gitCommit: nil, modelName: "fake", modelSHA256: engines.model.sha256,
            classes: [ClassInfo(index: 0, name: "background", colour: "#FFFFFF"),
                      ClassInfo(index: 1, name: "tissue", colour: "#FF0000")],
            parametersJSON: resolved.parametersJSON, parametersHash: resolved.parametersHash, threads: 1,
            openSlideVersion: nil, oneDNNVersion: nil))
        let slide = try source.open(URL(fileURLWithPath: "/fake/a.svs"))
        let record = SlideRecord(path: "/fake/a.svs", sizeBytes: 0, mtime: Date(timeIntervalSince1970: 0),
                                 quickhash: slide.quickhash, vendor: "fake", width: slide.width, height: slide.height,
                                 mppX: 0.5, mppY: 0.5, objectivePower: nil)
        let slideRun = try store.startSlideRun(run: run.id, slide: record,
                                               resolution: SlideResolution(mpp: 0.5, source: .file),
                                               tilesPlanned: 8)
        let earlier = [0, 3, 5].map { index in
            TileResult(index: index, ownWindow: PixelRect(x: index % 4 * 32, y: index / 4 * 32, width: 32, height: 32),
                       tissueFraction: 1, classes: [ClassPrediction(areaFraction: 1, meanProbability: 0.9),
                                                    ClassPrediction(areaFraction: 0, meanProbability: 0.1)])
        }
        try store.write(tiles: earlier, slideRun: slideRun.id)
        try store.close()

        let summary = try await runner(settings, source, engines).run()
        #expect(summary.runUID == run.runUID)
        #expect(summary.slides.first?.status == .done)
        #expect(summary.slides.first?.tilesProcessed == 5)
        // Only tiles 1, 2, 4, 6, 7 were read and inferred.
        let inferred = engines.values.values.withLock { $0 }.sorted()
        #expect(inferred == [1, 2, 4, 6, 7].map { FakeSlide.value($0 % 4, $0 / 4) }.sorted())
        let stored = try rows(out.appendingPathComponent("results.sqlite").path)
        #expect(stored.map(\.1) == Array(0..<8))
        #expect(stored[0].2 == 0.1)   // the earlier attempt's row is kept as it was
    }

    @Test func aFailingReadFailsItsSlideAndTheOthersGoOn() async throws {
        let (settings, source, counter, _) = try fakeRun([("a.svs", 3, 3), ("bad.svs", 4, 4), ("c.svs", 2, 2)],
                                                         failing: ["bad.svs": 6])
        let summary = try await runner(settings, source, FakeEngines(counter: counter)).run()
        #expect(summary.slides.map(\.status) == [.done, .failed, .done])
        let error = try #require(summary.slides[1].error)
        // The first tile that failed (readers run in parallel: 6 or a later one) and the source's own message.
        let tile = error.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        #expect(error.hasPrefix("tile ") && (6..<16).contains(tile ?? -1), "\(error)")
        #expect(error.contains("corrupt region") && error.contains("/fake/bad.svs"), "\(error)")
        #expect(summary.slides[1].tilesPlanned == 16 && summary.slides[1].tilesProcessed <= 6)
        #expect(summary.outcome == .someFailed && summary.outcome.exitCode == 1)
        #expect(summary.counts == SlideCounts(slides: 3, done: 2, skipped: 0, failed: 1, interrupted: 0))
    }

    @Test func aFailingEngineEndsTheRunWithItsErrorInsteadOfHanging() async throws {
        let (settings, source, counter, out) = try fakeRun([("a.svs", 10, 10)])
        await #expect(throws: RunError.self) {
            _ = try await runner(settings, source, FakeEngines(counter: counter, failAtBatch: 3)).run()
        }
        let status = try ResultsQuery.run(databasePath: out.appendingPathComponent("results.sqlite").path,
                                          sql: "SELECT status, error FROM runs")
        #expect(status.rows.first?.first == .text("failed"))
        #expect(counter.tilesInferred == 4)
    }

    @Test func aProgressReaderThatNeverKeepsUpDoesNotHoldTheRunUp() async throws {
        let (settings, source, counter, _) = try fakeRun([("a.svs", 8, 8), ("b.svs", 2, 2)])
        let batch = runner(settings, source, FakeEngines(counter: counter))
        let reader = Task { () -> [RunProgress] in
            var seen: [RunProgress] = []
            for await progress in batch.progress.updates {
                seen.append(progress)
                try? await Task.sleep(for: .milliseconds(50))
            }
            return seen
        }
        let summary = try await batch.run()
        let seen = await reader.value
        #expect(summary.slides.map(\.status) == [.done, .done])
        // The reader saw few of the many updates, and the last one is the end of the run.
        #expect(seen.count < 68)
        let last = try #require(seen.last)
        #expect(last.finished && last.tilesDone == 68 && last.slidesEnded == 2 && last.slidesTotal == 2)
    }

    @Test func skippedAndNamedOutputsAcrossRuns() async throws {
        // Two slides with one file name in different folders each keep their own heatmaps; a second run skips both.
        let (base, _, counter, out) = try fakeRun([], heatmaps: true)
        var settings = base
        let first = FakeSlide(url: URL(fileURLWithPath: "/fake/x/s.svs"), columns: 2, rows: 2, counter: counter)
        let second = FakeSlide(url: URL(fileURLWithPath: "/fake/y/s.svs"), columns: 3, rows: 1, counter: counter)
        struct TwoFolders: SlideSource {
            let slides: [String: FakeSlide]
            func open(_ url: URL) throws -> any SourceSlide { slides[url.path]! }
        }
        let source = TwoFolders(slides: ["/fake/x/s.svs": first, "/fake/y/s.svs": second])
        settings.inputs = ["/fake/x/s.svs", "/fake/y/s.svs"]
        let engines = FakeEngines(counter: counter)
        let summary = try await BatchRunner(settings: settings, logger: logger, source: source,
                                            engines: { _ in engines }).run()
        #expect(summary.slides.map(\.status) == [.done, .done])
        let names = summary.slides.map { Set($0.heatmaps.map { URL(fileURLWithPath: $0).lastPathComponent }) }
        #expect(names[0].contains("s.svs.sr1.overlay.tif"), "\(names[0])")
        // The second gets the first 8 hex digits of SHA-256("/fake/y/s.svs") (sha256sum) after its file name.
        #expect(names[1].contains("s.svs.139a0f6b.sr2.overlay.tif"), "\(names[1])")
        // The plain names are links to the latest slide run's files.
        let heatmaps = out.appendingPathComponent("heatmaps")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: heatmaps.appendingPathComponent("s.svs.overlay.tif").path)
                == "s.svs.sr1.overlay.tif")
        #expect(names[0].isDisjoint(with: names[1]))
        for file in summary.slides.flatMap(\.heatmaps) { #expect(FileManager.default.fileExists(atPath: file)) }
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("heatmaps/.partial").path))

        let again = try await BatchRunner(settings: settings, logger: logger, source: source,
                                          engines: { _ in engines }).run()
        #expect(again.slides.map(\.status) == [.skipped, .skipped])
    }

    @Test func aSecondRunIntoTheSameOutputSaysWhoHoldsIt() async throws {
        let (settings, source, counter, out) = try fakeRun([("a.svs", 2, 2)])
        let holder = OutputLock.Holder(pid: 4242, host: "slide-server-1", startedAt: Date(timeIntervalSince1970: 1_800_000_000),
                                       command: "tessera run /slides --out /results")
        let lock = try OutputLock.acquire(path: out.appendingPathComponent(".tessera.lock").path, holder: holder)
        do {
            _ = try await runner(settings, source, FakeEngines(counter: counter)).run()
            Issue.record("a second run went ahead")
        } catch let error as PipelineError {
            #expect(error.kind == .lockHeld)
            #expect(error.description.contains("pid 4242 on slide-server-1, running `tessera run /slides --out /results`"))
        }
        #expect(counter.reads == 0)
        lock.release()
        let summary = try await runner(settings, source, FakeEngines(counter: counter)).run()
        #expect(summary.slides.first?.status == .done)
    }
}

@Suite struct ProgressReporterTests {
    @Test func countsTilesAndSlidesAndTakesFailedSlidesOutOfTheETA() async throws {
        let progress = ProgressReporter()
        progress.runStarted(slides: 3)
        progress.slideStarted(name: "a.svs", tiles: 10)
        progress.slideStarted(name: "b.svs", tiles: 30)
        progress.tilesDone(10)
        progress.slideEnded(SlideOutcome(path: "/s/a.svs", status: .done, tilesPlanned: 10, tilesProcessed: 10))
        progress.tilesDone(5)
        // b fails after 5 of its 30 tiles: its other 25 will never come.
        progress.slideEnded(SlideOutcome(path: "/s/b.svs", status: .failed, tilesPlanned: 30, tilesProcessed: 5))
        let now = progress.current
        #expect(now.slidesTotal == 3 && now.slidesEnded == 2 && now.currentSlide == "b.svs")
        #expect(now.tilesDone == 15 && now.tilesPlanned == 15)
        #expect(now.etaSeconds == 0)
        #expect(!now.finished)
        progress.finish()
        var last: RunProgress?
        for await update in progress.updates { last = update }
        #expect(last?.finished == true && last?.tilesDone == 15)
    }
}
