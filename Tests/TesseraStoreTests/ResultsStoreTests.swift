import Foundation
import GRDB
import Testing
import TesseraCore
@testable import TesseraStore
import TesseraTestSupport

@Suite struct ResultsStoreTests {
    typealias S = StoreTestSupport

    @Test func newFileHasTheMigrationsRecordedAndWAL() throws {
        let (store, path) = try S.freshStore()
        func migrationsAndMode() throws -> ([String], String?) {
            try S.reader(path).read { db in
                (try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"),
                 try String.fetchOne(db, sql: "PRAGMA journal_mode"))
            }
        }
        let (applied, mode) = try migrationsAndMode()
        #expect(applied == ResultsSchema.migrations.map(\.name))
        #expect(mode == "wal")
        let run = try store.startRun(S.provenance(uid: "kept"))
        let slideRun = try store.startSlideRun(run: run.id, slide: S.slide("a.tiff"),
                                               resolution: SlideResolution(mppX: 0.5, mppY: 0.5, source: "slide"),
                                               tilesPlanned: 2)
        try store.write(tiles: [S.tile(0, PixelRect(x: 0, y: 0, width: 10, height: 10), tissue: 0.75, [(0.25, 0.4), (0.75, 0.6)]),
                                S.tile(1, PixelRect(x: 10, y: 0, width: 10, height: 10), tissue: 0.5, [(1, 0.9), (0, 0.1)])],
                        slideRun: slideRun.id)
        try store.finishSlideRun(slideRun.id, status: .done, seconds: 1)
        try store.finishRun(run.id, status: .finished)

        // Opening again applies nothing new and keeps the data.
        let reopened = try ResultsStore(path: path, logger: S.logger)
        let (appliedAgain, modeAgain) = try migrationsAndMode()
        #expect(appliedAgain == applied)
        #expect(modeAgain == "wal")
        #expect(try reopened.committedTileIndices(slideRun: slideRun.id) == [0, 1])
        #expect(try reopened.findCompletedSlideRun(slideFingerprint: S.slide("a.tiff").fingerprint,
                                                   modelSHA256: "sha-model", parametersHash: "params-a"))
        let rows = try S.reader(path).read { db in
            try Row.fetchAll(db, sql: """
                SELECT t.tile_index, t.x, t.tissue_fraction, p.class_index, p.area_fraction, p.mean_probability
                FROM tiles t JOIN tile_predictions p USING (slide_run_id, tile_index) ORDER BY t.tile_index, p.class_index
                """).map { row -> [Double] in (0..<6).map { row[$0] as Double } }
        }
        #expect(rows == [[0, 0, 0.75, 0, 0.25, 0.4], [0, 0, 0.75, 1, 0.75, 0.6],
                         [1, 10, 0.5, 0, 1, 0.9], [1, 10, 0.5, 1, 0, 0.1]])
        let runs = try S.reader(path).read { try String.fetchAll($0, sql: "SELECT run_uid || ':' || status FROM runs") }
        #expect(runs == ["kept:finished"])
    }

    @Test func refusesAnSQLiteFileThatIsNotAResultsFile() throws {
        let path = try Fixtures.temporaryDirectory("foreign").appendingPathComponent("other.sqlite").path
        let other = try DatabaseQueue(path: path)
        try other.write { try $0.execute(sql: "CREATE TABLE notes (text TEXT)") }
        #expect(throws: StoreError.self) { try ResultsStore(path: path, logger: S.logger) }
    }

    @Test func runProvenanceIsRecorded() throws {
        let (store, path) = try S.freshStore()
        let start = try store.startRun(S.provenance(uid: "run-1"))
        #expect(start == RunStart(id: start.id, runUID: "run-1", resumed: false, attempt: 1))
        try store.finishRun(start.id, status: .finished, at: Date(timeIntervalSince1970: 1_800_000_060))
        let row = try S.reader(path).read { try Row.fetchOne($0, sql: "SELECT * FROM runs")! }
        #expect(row["run_uid"] as String == "run-1")
        #expect(row["git_commit"] as String == "abc123")
        #expect(row["model_sha256"] as String == "sha-model")
        #expect(row["parameters_json"] as String == #"{"overlap":64}"#)
        #expect(row["threads"] as Int == 2)
        #expect(row["openslide_version"] as String == "4.0.0")
        #expect((row["sqlite_version"] as String).hasPrefix("3."))
        #expect(row["started_at"] as String == "2027-01-15T08:00:00.000Z")
        #expect(row["finished_at"] as String == "2027-01-15T08:01:00.000Z")
        #expect(row["status"] as String == "finished")
        let classes = try S.reader(path).read {
            try Row.fetchAll($0, sql: "SELECT class_index, name, colour FROM classes ORDER BY class_index")
        }
        #expect(classes.map { $0["name"] as String } == ["background", "tumour"])
        #expect(classes.map { $0["colour"] as String } == ["#000000", "#ff0000"])
    }

    @Test func writingTheSameBatchTwiceStoresItOnce() throws {
        let (store, path) = try S.freshStore()
        let run = try store.startRun(S.provenance()).id
        let slideRun = try store.startSlideRun(run: run, slide: S.slide("a.tiff"),
                                               resolution: SlideResolution(mppX: 0.5, mppY: 0.5, source: "slide"),
                                               tilesPlanned: 3)
        #expect(slideRun.committedTileIndices.isEmpty)
        let batch = (0..<3).map { S.tile($0, PixelRect(x: $0 * 100, y: 0, width: 100, height: 100), tissue: 0.5,
                                         [(0.25, 0.4), (0.75, 0.6)]) }
        try store.write(tiles: batch, slideRun: slideRun.id)
        try store.write(tiles: batch, slideRun: slideRun.id)
        let counts = try S.reader(path).read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tiles")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tile_predictions")!,
             try Int.fetchOne(db, sql: "SELECT tiles_written FROM slide_runs")!)
        }
        #expect(counts == (3, 6, 3))
        #expect(try store.committedTileIndices(slideRun: slideRun.id) == [0, 1, 2])
    }

    @Test func aTileWithTheWrongClassCountIsRefusedAndNothingOfTheBatchIsWritten() throws {
        let (store, path) = try S.freshStore()
        let run = try store.startRun(S.provenance()).id
        let slideRun = try store.startSlideRun(run: run, slide: S.slide("a.tiff"),
                                               resolution: SlideResolution(mppX: 0.5, mppY: 0.5, source: "slide"),
                                               tilesPlanned: 2)
        let good = S.tile(0, PixelRect(x: 0, y: 0, width: 10, height: 10), tissue: 1, [(0.5, 0.5), (0.5, 0.5)])
        let bad = S.tile(1, PixelRect(x: 10, y: 0, width: 10, height: 10), tissue: 1, [(1, 1)])
        #expect(throws: StoreError.self) { try store.write(tiles: [good, bad], slideRun: slideRun.id) }
        #expect(try S.reader(path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM tiles") } == 0)
    }

    @Test func sqliteRefusingARowFailsTheWholeBatchWithSQLitesMessage() throws {
        let (store, path) = try S.freshStore()
        let run = try store.startRun(S.provenance()).id
        let slideRun = try store.startSlideRun(run: run, slide: S.slide("a.tiff"),
                                               resolution: SlideResolution(mppX: 0.5, mppY: 0.5, source: "slide"),
                                               tilesPlanned: 2)
        // SQLite stores NaN as NULL, which the NOT NULL column refuses.
        let good = S.tile(0, PixelRect(x: 0, y: 0, width: 10, height: 10), tissue: 1, [(0.5, 0.5), (0.5, 0.5)])
        let nan = S.tile(1, PixelRect(x: 10, y: 0, width: 10, height: 10), tissue: .nan, [(0.5, 0.5), (0.5, 0.5)])
        do {
            try store.write(tiles: [good, nan], slideRun: slideRun.id)
            Issue.record("a NaN tissue fraction was stored")
        } catch let error as StoreError {
            #expect(error.kind == .sqlite)
            #expect(error.message.contains("NOT NULL constraint failed: tiles.tissue_fraction"))
            #expect(error.path == path)
        }
        #expect(try S.reader(path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM tiles") } == 0)
        // The store is still usable after the failed batch.
        try store.write(tiles: [good], slideRun: slideRun.id)
        #expect(try store.committedTileIndices(slideRun: slideRun.id) == [0])
    }

    @Test func aSlideDoneWithTheSameModelAndParametersIsFound() throws {
        let (store, _) = try S.freshStore()
        let run = try store.startRun(S.provenance(parametersHash: "p1")).id
        let slide = S.slide("a.tiff")
        let slideRun = try store.startSlideRun(run: run, slide: slide,
                                               resolution: SlideResolution(mppX: 0.5, mppY: 0.5, source: "slide"),
                                               tilesPlanned: 0)
        #expect(try !store.findCompletedSlideRun(slideFingerprint: slide.fingerprint, modelSHA256: "sha-model", parametersHash: "p1"))
        try store.finishSlideRun(slideRun.id, status: .done, seconds: 1.5)
        #expect(try store.findCompletedSlideRun(slideFingerprint: slide.fingerprint, modelSHA256: "sha-model", parametersHash: "p1"))
        #expect(try !store.findCompletedSlideRun(slideFingerprint: slide.fingerprint, modelSHA256: "sha-model", parametersHash: "p2"))
        #expect(try !store.findCompletedSlideRun(slideFingerprint: slide.fingerprint, modelSHA256: "other", parametersHash: "p1"))
        #expect(try !store.findCompletedSlideRun(slideFingerprint: "quickhash:none", modelSHA256: "sha-model", parametersHash: "p1"))
    }

    @Test func anUnfinishedRunIsResumedWithItsCommittedTiles() throws {
        let (store, path) = try S.freshStore()
        let first = try store.startRun(S.provenance(uid: "first"))
        let resolution = SlideResolution(mppX: 0.5, mppY: 0.5, source: "slide")
        let slideRun = try store.startSlideRun(run: first.id, slide: S.slide("a.tiff"), resolution: resolution,
                                               tilesPlanned: 4)
        try store.write(tiles: [S.tile(0, PixelRect(x: 0, y: 0, width: 10, height: 10), tissue: 1, [(1, 1), (0, 0)]),
                                S.tile(2, PixelRect(x: 20, y: 0, width: 10, height: 10), tissue: 1, [(1, 1), (0, 0)])],
                        slideRun: slideRun.id)
        // The process dies here; a new process opens the file and starts the same run again.
        let reopened = try ResultsStore(path: path, logger: S.logger)
        let second = try reopened.startRun(S.provenance(uid: "second"))
        #expect(second == RunStart(id: first.id, runUID: "first", resumed: true, attempt: 2))
        let status = try S.reader(path).read { try String.fetchOne($0, sql: "SELECT status FROM slide_runs") }
        #expect(status == "interrupted")
        let resumed = try reopened.startSlideRun(run: second.id, slide: S.slide("a.tiff"), resolution: resolution,
                                                 tilesPlanned: 4)
        #expect(resumed == SlideRunStart(id: slideRun.id, committedTileIndices: [0, 2]))
        // A finished run is not resumed; a different parameters hash is a different run.
        try reopened.finishRun(second.id, status: .finished)
        #expect(try reopened.startRun(S.provenance(uid: "third")).resumed == false)
        #expect(try reopened.startRun(S.provenance(uid: "fourth", parametersHash: "other")).runUID == "fourth")
        let attempts = try S.reader(path).read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM run_attempts WHERE run_id = ?", arguments: [first.id.rawValue])
        }
        #expect(attempts == 2)
    }

    @Test func stageMetricsAddUpOverAttempts() throws {
        let (store, path) = try S.freshStore()
        let run = try store.startRun(S.provenance()).id
        try store.recordStageMetrics([StageMetrics(stage: "read", items: 10, busySeconds: 1.5, waitingOnInputSeconds: 0.25,
                                                   waitingOnOutputSeconds: 0.5)], run: run)
        try store.recordStageMetrics([StageMetrics(stage: "read", items: 5, busySeconds: 0.5, waitingOnInputSeconds: 0.25,
                                                   waitingOnOutputSeconds: 0)], run: run)
        let row = try S.reader(path).read { try Row.fetchOne($0, sql: "SELECT * FROM stage_metrics")! }
        #expect(row["items"] as Int == 15)
        #expect(row["busy_seconds"] as Double == 2.0)
        #expect(row["waiting_on_input_seconds"] as Double == 0.5)
        #expect(row["waiting_on_output_seconds"] as Double == 0.5)
    }

    @Test func anUnreadableSlideIsRecordedAsFailedWithItsError() throws {
        let (store, path) = try S.freshStore()
        let run = try store.startRun(S.provenance()).id
        let slide = SlideRecord.unreadable(path: "/slides/broken.svs", sizeBytes: 10,
                                           mtime: Date(timeIntervalSince1970: 1_700_000_000))
        let slideRun = try store.startSlideRun(run: run, slide: slide, resolution: nil, tilesPlanned: nil)
        try store.finishSlideRun(slideRun.id, status: .failed, error: "Not a file that OpenSlide can recognize", seconds: 0.01)
        let row = try S.reader(path).read {
            try Row.fetchOne($0, sql: """
                SELECT sr.status, sr.error, a.tiles, a.tissue_mm2
                FROM slide_runs sr JOIN slide_areas a ON a.slide_run_id = sr.id
                """)!
        }
        #expect(row["status"] as String == "failed")
        #expect(row["error"] as String == "Not a file that OpenSlide can recognize")
        #expect(row["tiles"] as Int == 0)
        #expect(row["tissue_mm2"] as Double? == nil)
        #expect(slide.fingerprint.hasPrefix("file:"))
    }

    @Test func fingerprintPrefersTheQuickhash() {
        let mtime = Date(timeIntervalSince1970: 1_700_000_000.7)
        #expect(SlideRecord.fingerprint(quickhash: "abc", path: "/a", sizeBytes: 1, mtime: mtime) == "quickhash:abc")
        let byFile = SlideRecord.fingerprint(quickhash: nil, path: "/a", sizeBytes: 1, mtime: mtime)
        // sha-256 of "1\n1700000000\n/a"
        #expect(byFile == "file:dab1a9bc3caca65907ee70c04d82212da9d878a8cb5507e5eb32a9521b9f2eb2")
    }
}
