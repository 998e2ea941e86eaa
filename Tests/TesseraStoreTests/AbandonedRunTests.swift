import Foundation
import GRDB
import Testing
@testable import TesseraStore

/// A process killed mid-run leaves its run and slide run 'running'. The next run on the output (holding its lock)
/// marks them 'interrupted', so summaries stop listing a run that nothing is running, and keeps them resumable.
@Suite struct AbandonedRunTests {
    typealias S = StoreTestSupport

    @Test func runningRowsOfADeadProcessBecomeInterrupted() throws {
        let (store, path) = try S.freshStore("abandoned")
        let dead = try store.startRun(S.provenance(uid: "dead", parametersHash: "params-a"))
        let slideRun = try store.startSlideRun(run: dead.id, slide: S.slide("a.svs"), resolution: nil, tilesPlanned: 4)
        let live = try store.startRun(S.provenance(uid: "live", parametersHash: "params-b"))
        #expect(try store.resumableSlideRunIDs() == [slideRun.id.rawValue])
        #expect(try store.markAbandonedRunsInterrupted(except: live.id) == 1)
        let statuses = try S.reader(path).read { db in
            try String.fetchAll(db, sql: """
                SELECT r.run_uid || ':' || r.status || ':' || COALESCE(sr.status, '-')
                FROM runs r LEFT JOIN slide_runs sr ON sr.run_id = r.id ORDER BY r.run_uid
                """)
        }
        #expect(statuses == ["dead:interrupted:interrupted", "live:running:-"])
        // Still resumable: its checkpoint is kept, and a run with its parameters continues it.
        #expect(try store.resumableSlideRunIDs() == [slideRun.id.rawValue])
        let resumed = try store.startRun(S.provenance(uid: "again", parametersHash: "params-a"))
        #expect(resumed.resumed && resumed.runUID == "dead")
    }
}
