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

/// One reason a slide run's numbers need a person's eye (`review_flags`).
public struct ReviewFlag: Sendable, Equatable, Codable {
    public enum Code: String, Sendable, Codable, CaseIterable {
        case fluorescence
        case noTissue = "no_tissue"
        case stainFarFromReference = "stain_far_from_reference"
        case stainEstimateFailed = "stain_estimate_failed"
        case mppStatedByUser = "mpp_stated_by_user"
        case mppFromObjective = "mpp_from_objective"
        /// The slide QC's verdict is review or fail (schema v8; value: the share of the tissue under artefacts).
        case qcArtefacts = "qc_artefacts"
    }

    public var code: Code
    public var message: String
    /// The figure behind the flag, when there is one (the stain distance).
    public var value: Double?

    public init(_ code: Code, _ message: String, value: Double? = nil) {
        self.code = code
        self.message = message
        self.value = value
    }
}

extension ResultsStore {
    /// Replaces the slide run's review flags with `flags` (a resumed slide run is judged again), and records its
    /// stain distance from the model's reference.
    public func recordReviewFlags(_ flags: [ReviewFlag], stainDistance: Double?, slideRun: SlideRunID) throws {
        try StoreError.mapping(path: path, "recording why slide run \(slideRun.rawValue) needs review") {
            try queue.write { db in
                try db.execute(sql: "UPDATE slide_runs SET stain_distance = ? WHERE id = ?",
                               arguments: [stainDistance, slideRun.rawValue])
                try db.execute(sql: "DELETE FROM review_flags WHERE slide_run_id = ?", arguments: [slideRun.rawValue])
                for flag in flags {
                    try db.execute(sql: "INSERT INTO review_flags (slide_run_id, code, message, value) VALUES (?, ?, ?, ?)",
                                   arguments: [slideRun.rawValue, flag.code.rawValue, flag.message, flag.value])
                }
            }
        }
    }

    /// The slide run's review flags, by code.
    public func reviewFlags(slideRun: SlideRunID) throws -> [ReviewFlag] {
        try StoreError.mapping(path: path, "reading why slide run \(slideRun.rawValue) needs review") {
            try queue.read { db in try Self.reviewFlags(db, slideRun: slideRun.rawValue) }
        }
    }

    /// On an open connection (none in a file without the table); for readers.
    public static func reviewFlags(_ db: Database, slideRun: Int64) throws -> [ReviewFlag] {
        guard try db.tableExists("review_flags") else { return [] }
        return try Row.fetchAll(db, sql: "SELECT code, message, value FROM review_flags WHERE slide_run_id = ? ORDER BY code",
                                arguments: [slideRun]).compactMap { row in
            (row["code"] as String?).flatMap(ReviewFlag.Code.init(rawValue:)).map { ReviewFlag($0, row["message"], value: row["value"]) }
        }
    }
}
