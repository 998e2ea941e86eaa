import Foundation
import GRDB

extension ResultsStore {
    /// Records a slide that failed before any of its tiles could be planned (it would not open, states no
    /// resolution, its thumbnail could not be read...), so that the failure and its reason are in the results
    /// file like every other slide's outcome. Takes what is known of the file: `slide` may have no quickhash,
    /// vendor or dimensions.
    public func recordFailedSlide(run: RunID, slide: SlideRecord, error: String, at date: Date = Date()) throws {
        try StoreError.mapping(path: path, "recording the failure of slide \(slide.path)") {
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO slides (fingerprint, path, size_bytes, mtime, quickhash, vendor, width, height, mpp_x,
                                        mpp_y, objective_power)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (fingerprint) DO NOTHING
                    """, arguments: [slide.fingerprint, slide.path, slide.sizeBytes, Timestamp.string(slide.mtime),
                                     slide.quickhash, slide.vendor, slide.width, slide.height, slide.mppX, slide.mppY,
                                     slide.objectivePower])
                let stamp = Timestamp.string(date)
                try db.execute(sql: """
                    INSERT INTO slide_runs (run_id, slide_id, slide_path, status, error, started_at, finished_at, seconds)
                    SELECT ?, id, ?, 'failed', ?, ?, ?, 0 FROM slides WHERE fingerprint = ?
                    ON CONFLICT (run_id, slide_id) DO UPDATE SET
                        status = 'failed', error = excluded.error, finished_at = excluded.finished_at
                    """, arguments: [run.rawValue, slide.path, error, stamp, stamp, slide.fingerprint])
            }
        }
    }
}
