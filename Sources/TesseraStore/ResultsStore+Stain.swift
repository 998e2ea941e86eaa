import Foundation
import GRDB

/// What stain normalisation did to one slide in one run (slide_runs.stain_* columns, migration v2).
public struct SlideStainRecord: Sendable, Equatable {
    /// 'reinhard' or 'macenko'; nil when the slide was not normalised.
    public var method: String?
    /// 'slide' or 'tile'.
    public var estimation: String?
    public var sourceJSON: String?
    public var targetJSON: String?
    /// Why a slide that should have been normalised was not.
    public var warning: String?

    public init(method: String?, estimation: String?, sourceJSON: String?, targetJSON: String?, warning: String?) {
        self.method = method; self.estimation = estimation; self.sourceJSON = sourceJSON
        self.targetJSON = targetJSON; self.warning = warning
    }
}

extension ResultsStore {
    public func recordStain(_ record: SlideStainRecord, slideRun: SlideRunID) throws {
        try StoreError.mapping(path: path, "recording the stain normalisation of slide run \(slideRun.rawValue)") {
            try queue.write { db in
                try db.execute(sql: """
                    UPDATE slide_runs SET stain_method = ?, stain_estimation = ?, stain_source_json = ?,
                        stain_target_json = ?, stain_warning = ? WHERE id = ?
                    """, arguments: [record.method, record.estimation, record.sourceJSON, record.targetJSON,
                                     record.warning, slideRun.rawValue])
            }
        }
    }

    public func stainRecord(slideRun: SlideRunID) throws -> SlideStainRecord? {
        try StoreError.mapping(path: path, "reading the stain normalisation of slide run \(slideRun.rawValue)") {
            try queue.read { db in
                try Row.fetchOne(db, sql: """
                    SELECT stain_method, stain_estimation, stain_source_json, stain_target_json, stain_warning
                    FROM slide_runs WHERE id = ?
                    """, arguments: [slideRun.rawValue]).map {
                    SlideStainRecord(method: $0[0], estimation: $0[1], sourceJSON: $0[2], targetJSON: $0[3], warning: $0[4])
                }
            }
        }
    }
}
