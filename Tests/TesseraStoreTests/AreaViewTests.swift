import Foundation
import GRDB
import Testing
import TesseraCore
@testable import TesseraStore

/// The area views against numbers worked out by hand (see each expectation's comment).
@Suite struct AreaViewTests {
    typealias S = StoreTestSupport

    /// Slide a (2000x1000 px at 0.5 µm/px) with two tiles, slide b (at 0.25 µm/px) with one.
    func twoSlideRun() throws -> String {
        let (store, path) = try S.freshStore("views")
        let run = try store.startRun(S.provenance(uid: "run-1")).id
        let a = try store.startSlideRun(run: run, slide: S.slide("a.tiff"),
                                        resolution: SlideResolution(mppX: 0.5, mppY: 0.5, source: .file), tilesPlanned: 2)
        try store.write(tiles: [
            S.tile(0, PixelRect(x: 0, y: 0, width: 1000, height: 1000), tissue: 0.5, [(0.2, 0.3), (0.8, 0.9)],
                   inTissue: [0.1, 0.4]),
            S.tile(1, PixelRect(x: 1000, y: 0, width: 1000, height: 500), tissue: 1.0, [(0.6, 0.5), (0.4, 0.7)],
                   inTissue: [0.6, 0.4]),
        ], slideRun: a.id)
        try store.finishSlideRun(a.id, status: .done, seconds: 2)
        let b = try store.startSlideRun(run: run, slide: S.slide("b.tiff", width: 400, height: 400),
                                        resolution: SlideResolution(mppX: 0.25, mppY: 0.25, source: .userStated),
                                        tilesPlanned: 1)
        try store.write(tiles: [S.tile(0, PixelRect(x: 0, y: 0, width: 400, height: 400), tissue: 0.25, [(1, 0.75), (0, 0.25)],
                                       inTissue: [0.25, 0])],
                        slideRun: b.id)
        try store.finishSlideRun(b.id, status: .failed, error: "read error", seconds: 1)
        try store.finishRun(run, status: .finished)
        return path
    }

    @Test func slideAreas() throws {
        let path = try twoSlideRun()
        let rows = try S.reader(path).read { try Row.fetchAll($0, sql: "SELECT * FROM slide_areas ORDER BY slide_path") }
        #expect(rows.count == 2)
        let a = rows[0]
        #expect(a["tiles"] as Int == 2)
        // 1000*1000 + 1000*500 px
        #expect(a["analysed_px"] as Int == 1_500_000)
        // 1e6*0.5 + 5e5*1.0 px
        #expect(a["tissue_px"] as Double == 1_000_000)
        // 1.5e6 px * 0.5 * 0.5 µm² / 1e6
        #expect(abs(a["analysed_mm2"] as Double - 0.375) < 1e-12)
        #expect(abs(a["tissue_mm2"] as Double - 0.25) < 1e-12)
        // 2000*1000 px * 0.25 µm² / 1e6
        #expect(abs(a["slide_mm2"] as Double - 0.5) < 1e-12)
        let b = rows[1]
        // 400*400*0.25 px * 0.25*0.25 µm² / 1e6
        #expect(abs(b["tissue_mm2"] as Double - 0.0025) < 1e-12)
        #expect(b["status"] as String == "failed")
    }

    @Test func slideClassAreas() throws {
        let path = try twoSlideRun()
        let rows = try S.reader(path).read {
            try Row.fetchAll($0, sql: "SELECT * FROM slide_class_areas ORDER BY slide_path, class_index")
        }
        #expect(rows.count == 4)
        // class 0 on a: 1e6*0.2 + 5e5*0.6 = 5e5 px -> 0.125 mm², a third of 1.5e6 analysed; inside the tissue
        // 1e6*0.1 + 5e5*0.6 = 4e5 px -> 0.1 mm², 0.4 of the 1e6 px of tissue
        #expect(rows[0]["class_name"] as String == "background")
        #expect(abs(rows[0]["class_mm2"] as Double - 0.125) < 1e-12)
        #expect(abs(rows[0]["class_tissue_mm2"] as Double - 0.1) < 1e-12)
        #expect(abs(rows[0]["fraction_of_tissue"] as Double - 0.4) < 1e-12)
        #expect(abs(rows[0]["fraction_of_analysed"] as Double - 1.0 / 3.0) < 1e-12)
        // mean probability weighted by own-window area: (1e6*0.3 + 5e5*0.5) / 1.5e6
        #expect(abs(rows[0]["mean_probability"] as Double - 0.55 / 1.5) < 1e-12)
        // class 1 on a: 1e6*0.8 + 5e5*0.4 = 1e6 px -> 0.25 mm²; inside the tissue 6e5 px, 0.6: a's shares add up to 1
        #expect(abs(rows[1]["class_mm2"] as Double - 0.25) < 1e-12)
        #expect(abs(rows[1]["fraction_of_tissue"] as Double - 0.6) < 1e-12)
        // class 0 on b: 400*400*1 px * 0.0625 / 1e6 = 0.01 mm² over the analysed tile, but only its 40000 px of
        // tissue count for the share of tissue: 1, not the 4 that dividing the whole tile's area gave
        #expect(abs(rows[2]["class_mm2"] as Double - 0.01) < 1e-12)
        #expect(abs(rows[2]["fraction_of_tissue"] as Double - 1.0) < 1e-12)
        #expect(rows[3]["class_mm2"] as Double == 0)
    }

    @Test func runTotals() throws {
        let path = try twoSlideRun()
        let (total, classes) = try S.reader(path).read { db in
            (try Row.fetchOne(db, sql: "SELECT * FROM run_totals")!,
             try Row.fetchAll(db, sql: "SELECT * FROM run_class_totals ORDER BY class_index"))
        }
        #expect(total["run_uid"] as String == "run-1")
        #expect(total["slides"] as Int == 2)
        #expect(total["slides_done"] as Int == 1)
        #expect(total["slides_failed"] as Int == 1)
        #expect(total["tiles"] as Int == 3)
        // 0.25 + 0.0025 mm² of tissue; 0.375 + 400*400*0.0625/1e6 = 0.385 mm² analysed
        #expect(abs(total["tissue_mm2"] as Double - 0.2525) < 1e-12)
        #expect(abs(total["analysed_mm2"] as Double - 0.385) < 1e-12)
        // class 0: 0.125 + 0.01 mm² over the analysed tiles; inside the tissue 0.1 + 40000*0.0625/1e6 = 0.1025 mm²,
        // of 0.2525 mm² of tissue
        #expect(abs(classes[0]["class_mm2"] as Double - 0.135) < 1e-12)
        #expect(abs(classes[0]["class_tissue_mm2"] as Double - 0.1025) < 1e-12)
        #expect(abs(classes[0]["fraction_of_tissue"] as Double - 0.1025 / 0.2525) < 1e-12)
        #expect(classes[1]["slides"] as Int == 2)
    }
}
