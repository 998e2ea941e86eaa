import Foundation
import GRDB
import Testing
import TesseraCore
@testable import TesseraStore
import TesseraTestSupport

@Suite struct MergeTests {
    typealias S = StoreTestSupport
    static let resolution = SlideResolution(mppX: 0.5, mppY: 0.5, source: .file)

    /// A results file holding run `uid` with tiles `tiles` of each named slide; finished when `finished`.
    func shard(uid: String, slides: [String], tiles: Range<Int>, finished: Bool, tissue: Double = 0.5) throws -> String {
        let (store, path) = try S.freshStore("shard")
        let run = try store.startRun(S.provenance(uid: uid)).id
        for name in slides {
            let slideRun = try store.startSlideRun(run: run, slide: S.slide(name), resolution: Self.resolution,
                                                   tilesPlanned: 4, at: Date(timeIntervalSince1970: 1_800_000_000))
            try store.write(tiles: tiles.map { S.tile($0, PixelRect(x: $0 * 100, y: 0, width: 100, height: 100),
                                                      tissue: tissue, [(0.25, 0.5), (0.75, 0.5)]) },
                            slideRun: slideRun.id)
            if finished {
                try store.finishSlideRun(slideRun.id, status: .done, seconds: 1, at: Date(timeIntervalSince1970: 1_800_000_010))
            }
        }
        if finished { try store.finishRun(run, status: .finished, at: Date(timeIntervalSince1970: 1_800_000_020)) }
        return path
    }

    func counts(_ path: String) throws -> [Int] {
        try S.reader(path).read { db in
            try ["runs", "classes", "run_attempts", "slides", "slide_runs", "tiles", "tile_predictions"].map {
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)")!
            }
        }
    }

    @Test func shardsFromTwoMachinesMergeWithTheirProvenanceAndMergingAgainAddsNothing() throws {
        let a = try shard(uid: "run-a", slides: ["1.tiff", "2.tiff"], tiles: 0..<4, finished: true)
        let b = try shard(uid: "run-b", slides: ["2.tiff", "3.tiff"], tiles: 0..<3, finished: true)
        let (out, outPath) = try S.freshStore("merged")
        let first = try out.merge(from: a)
        #expect(first.runsAdded == 1 && first.slideRunsAdded == 2 && first.tilesAdded == 8 && first.predictionsAdded == 16)
        let second = try out.merge(from: b)
        #expect(second.runsAdded == 1 && second.slideRunsAdded == 2 && second.tilesAdded == 6)
        // runs, classes, attempts, slides (2.tiff shared), slide runs, tiles, predictions
        #expect(try counts(outPath) == [2, 4, 2, 3, 4, 14, 28])
        let again = try out.merge(from: a)
        #expect(again == MergeReport(input: a))
        #expect(try counts(outPath) == [2, 4, 2, 3, 4, 14, 28])

        let runs = try S.reader(outPath).read {
            try Row.fetchAll($0, sql: "SELECT run_uid, status, started_at, finished_at, model_sha256 FROM runs ORDER BY run_uid")
        }
        #expect(runs.map { $0["run_uid"] as String } == ["run-a", "run-b"])
        #expect(runs.allSatisfy { ($0["status"] as String) == "finished" && ($0["finished_at"] as String) == "2027-01-15T08:00:20.000Z" })
        // The views give the same numbers as in the shards: 4 tiles of 100x100 px at half tissue, 0.25 µm² a pixel.
        let tissue = try S.reader(outPath).read {
            try Double.fetchAll($0, sql: "SELECT tissue_mm2 FROM slide_areas WHERE run_uid = 'run-a' ORDER BY slide_path")
        }
        #expect(tissue.map { abs($0 - 4 * 10_000 * 0.5 * 0.25 / 1e6) < 1e-15 } == [true, true])
    }

    @Test func stainRecordsReviewFlagsAndTheDensityGridComeAlong() throws {
        let (store, path) = try S.freshStore("shard-review")
        let run = try store.startRun(S.provenance(uid: "run-r")).id
        let slideRun = try store.startSlideRun(run: run, slide: S.slide("r.tiff"), resolution: Self.resolution,
                                               tilesPlanned: 2, at: Date(timeIntervalSince1970: 1_800_000_000))
        try store.write(tiles: (0..<2).map { S.tile($0, PixelRect(x: $0 * 100, y: 0, width: 100, height: 100),
                                                    tissue: 1, [(0.25, 0.5), (0.75, 0.5)]) }, slideRun: slideRun.id)
        try store.recordStain(SlideStainRecord(method: "reinhard", estimation: "slide", sourceJSON: #"{"l":[50,10]}"#,
                                               targetJSON: #"{"l":[40,12]}"#, warning: nil), slideRun: slideRun.id)
        try store.recordReviewFlags([ReviewFlag(.stainFarFromReference, "far from the reference", value: 3.25),
                                     ReviewFlag(.mppStatedByUser, "stated by a person")],
                                    stainDistance: 3.25, slideRun: slideRun.id)
        try store.recordNucleusDensity(cellMicrons: 100, tissue: [DensityCellTissue(cellX: 0, cellY: 0, tissueMicrons2: 5_000)],
                                       slideRun: slideRun.id)
        try store.finishSlideRun(slideRun.id, status: .done, seconds: 1, at: Date(timeIntervalSince1970: 1_800_000_010))
        try store.finishRun(run, status: .finished, at: Date(timeIntervalSince1970: 1_800_000_020))

        let (out, outPath) = try S.freshStore("merged-review")
        _ = try out.merge(from: path)
        let sql = [
            "SELECT stain_method, stain_estimation, stain_source_json, stain_target_json, stain_distance, nuclei_density_cell_um FROM slide_runs",
            "SELECT code, message, value FROM review_flags ORDER BY code",
            "SELECT needs_review, review_reasons FROM slide_review",
            "SELECT cell_x, cell_y, nuclei, tissue_um2 FROM nuclei_density",
        ]
        for query in sql {
            let merged = try S.reader(outPath).read { try Row.fetchAll($0, sql: query) }
            let original = try S.reader(path).read { try Row.fetchAll($0, sql: query) }
            #expect(merged == original && !merged.isEmpty, "\(query)")
        }
        #expect(try S.reader(outPath).read { try String.fetchOne($0, sql: "SELECT review_reasons FROM slide_review") }
                == "mpp_stated_by_user,stain_far_from_reference")
    }

    @Test func aRunMergedWhileRunningAndAgainWhenFinishedTakesTheFinishedState() throws {
        let partial = try shard(uid: "run-x", slides: ["1.tiff"], tiles: 0..<2, finished: false)
        let complete = try shard(uid: "run-x", slides: ["1.tiff"], tiles: 0..<4, finished: true)
        let (out, outPath) = try S.freshStore("merged")
        _ = try out.merge(from: partial)
        let report = try out.merge(from: complete)
        #expect(report.runsAdvanced == 1 && report.slideRunsAdvanced == 1 && report.tilesAdded == 2)
        let row = try S.reader(outPath).read {
            try Row.fetchOne($0, sql: "SELECT r.status AS run, sr.status AS slide, sr.tiles_written FROM runs r JOIN slide_runs sr ON sr.run_id = r.id")!
        }
        #expect(row["run"] as String == "finished")
        #expect(row["slide"] as String == "done")
        #expect(row["tiles_written"] as Int == 4)
        // The older, partial file merged afterwards changes nothing.
        #expect(try out.merge(from: partial) == MergeReport(input: partial))
    }

    @Test func conflictingTilesAreRefusedAndNothingOfThatInputIsMerged() throws {
        let a = try shard(uid: "run-x", slides: ["1.tiff"], tiles: 0..<4, finished: true, tissue: 0.5)
        let b = try shard(uid: "run-x", slides: ["1.tiff", "2.tiff"], tiles: 0..<4, finished: true, tissue: 0.75)
        let (out, outPath) = try S.freshStore("merged")
        _ = try out.merge(from: a)
        let before = try counts(outPath)
        do {
            _ = try out.merge(from: b)
            Issue.record("a conflicting merge was accepted")
        } catch let error as StoreError {
            #expect(error.kind == .mergeConflict)
            #expect(error.message.contains("tile 0 of slide /slides/1.tiff in run run-x"))
            #expect(error.path == b)
        }
        #expect(try counts(outPath) == before)
    }

    @Test func differentProvenanceUnderOneRunUIDIsAConflict() throws {
        let a = try shard(uid: "run-x", slides: [], tiles: 0..<0, finished: false)
        let (other, otherPath) = try S.freshStore("other")
        var provenance = S.provenance(uid: "run-x")
        provenance.modelSHA256 = "another-model"
        _ = try other.startRun(provenance)
        let (out, _) = try S.freshStore("merged")
        _ = try out.merge(from: a)
        #expect { try out.merge(from: otherPath) } throws: { ($0 as? StoreError)?.kind == .mergeConflict }
    }

    @Test func refusesItselfAndFilesThatAreNotResults() throws {
        let (out, outPath) = try S.freshStore("merged")
        #expect { try out.merge(from: outPath) } throws: { ($0 as? StoreError)?.kind == .invalidInput }
        let foreign = try Fixtures.temporaryDirectory("foreign").appendingPathComponent("x.sqlite").path
        try DatabaseQueue(path: foreign).write { try $0.execute(sql: "CREATE TABLE t (a)") }
        #expect { try out.merge(from: foreign) } throws: { ($0 as? StoreError)?.kind == .incompatibleSchema }
        #expect { try out.merge(from: foreign + ".missing") } throws: { ($0 as? StoreError)?.kind == .cannotOpen }
    }
}
