import Foundation
import GRDB

/// A slide run's quality control as the store keeps it (schema v8): the verdict, per artefact kind its areas, and
/// per planned tile the share of its own window each kind covers.
public struct SlideQCRecord: Sendable, Equatable, Codable {
    public struct Kind: Sendable, Equatable, Codable {
        /// 'pen', 'blur', 'fold', 'bubble_edge' or a lab's own kind.
        public var kind: String
        /// Area of the kind on glass or tissue, mm².
        public var areaMM2: Double
        /// Area of the kind inside the tissue, mm².
        public var tissueAreaMM2: Double
        /// `tissueAreaMM2` over the slide's tissue area (0 without tissue).
        public var tissueFraction: Double

        public init(kind: String, areaMM2: Double, tissueAreaMM2: Double, tissueFraction: Double) {
            self.kind = kind; self.areaMM2 = areaMM2; self.tissueAreaMM2 = tissueAreaMM2
            self.tissueFraction = tissueFraction
        }
    }

    /// 'pass', 'review' or 'fail'.
    public var verdict: String
    public var reason: String
    /// Share of the tissue under any artefact (the union of the kinds).
    public var artefactTissueFraction: Double
    /// The resolution the checks ran at, µm per pixel.
    public var micronsPerPixel: Double
    public var kinds: [Kind]

    public init(verdict: String, reason: String, artefactTissueFraction: Double, micronsPerPixel: Double, kinds: [Kind]) {
        self.verdict = verdict; self.reason = reason; self.artefactTissueFraction = artefactTissueFraction
        self.micronsPerPixel = micronsPerPixel; self.kinds = kinds
    }

    /// The area of `kind` in mm² (0 when the run did not look for it).
    public func areaMM2(_ kind: String) -> Double { kinds.first { $0.kind == kind }?.areaMM2 ?? 0 }
}

/// One tile's share of its own window under one artefact kind.
public struct TileQCFraction: Sendable, Equatable {
    public var tileIndex: Int
    public var kind: String
    public var fraction: Double

    public init(tileIndex: Int, kind: String, fraction: Double) {
        self.tileIndex = tileIndex; self.kind = kind; self.fraction = fraction
    }
}

extension ResultsStore {
    /// Replaces the slide run's QC records (a resumed slide run is checked again) in one transaction.
    public func recordQC(_ record: SlideQCRecord, tiles: [TileQCFraction], slideRun: SlideRunID) throws {
        try StoreError.mapping(path: path, "recording the quality control of slide run \(slideRun.rawValue)") {
            try queue.write { db in
                let id = slideRun.rawValue
                try db.execute(sql: """
                    UPDATE slide_runs SET qc_verdict = ?, qc_reason = ?, qc_artefact_tissue_fraction = ?, qc_mpp = ?
                    WHERE id = ?
                    """, arguments: [record.verdict, record.reason, record.artefactTissueFraction,
                                     record.micronsPerPixel, id])
                try db.execute(sql: "DELETE FROM slide_qc WHERE slide_run_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM tile_qc WHERE slide_run_id = ?", arguments: [id])
                for kind in record.kinds {
                    try db.execute(sql: """
                        INSERT INTO slide_qc (slide_run_id, kind, area_mm2, tissue_area_mm2, tissue_fraction)
                        VALUES (?, ?, ?, ?, ?)
                        """, arguments: [id, kind.kind, kind.areaMM2, kind.tissueAreaMM2, kind.tissueFraction])
                }
                let insert = try db.cachedStatement(sql: """
                    INSERT INTO tile_qc (slide_run_id, tile_index, kind, fraction) VALUES (?, ?, ?, ?)
                    """)
                for tile in tiles where tile.fraction > 0 {
                    try insert.execute(arguments: [id, tile.tileIndex, tile.kind, tile.fraction])
                }
            }
        }
    }

    /// The slide run's QC record; nil when the run did no QC.
    public func qcRecord(slideRun: SlideRunID) throws -> SlideQCRecord? {
        try StoreError.mapping(path: path, "reading the quality control of slide run \(slideRun.rawValue)") {
            try queue.read { db in try Self.qcRecord(db, slideRun: slideRun.rawValue) }
        }
    }

    /// On an open connection (nil in a file without QC columns); for readers.
    public static func qcRecord(_ db: Database, slideRun: Int64) throws -> SlideQCRecord? {
        guard try db.tableExists("slide_qc"),
              let row = try Row.fetchOne(db, sql: """
                SELECT qc_verdict, qc_reason, qc_artefact_tissue_fraction, qc_mpp FROM slide_runs
                WHERE id = ? AND qc_verdict IS NOT NULL
                """, arguments: [slideRun]) else { return nil }
        let kinds = try Row.fetchAll(db, sql: """
            SELECT kind, area_mm2, tissue_area_mm2, tissue_fraction FROM slide_qc WHERE slide_run_id = ? ORDER BY kind
            """, arguments: [slideRun]).map {
            SlideQCRecord.Kind(kind: $0[0], areaMM2: $0[1], tissueAreaMM2: $0[2], tissueFraction: $0[3])
        }
        return SlideQCRecord(verdict: row[0], reason: row[1] ?? "", artefactTissueFraction: row[2] ?? 0,
                             micronsPerPixel: row[3] ?? 0, kinds: kinds)
    }

    /// The tiles' QC fractions of a slide run, by tile index then kind.
    public func tileQC(slideRun: SlideRunID) throws -> [TileQCFraction] {
        try StoreError.mapping(path: path, "reading the tiles' quality control of slide run \(slideRun.rawValue)") {
            try queue.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT tile_index, kind, fraction FROM tile_qc WHERE slide_run_id = ? ORDER BY tile_index, kind
                    """, arguments: [slideRun.rawValue]).map { TileQCFraction(tileIndex: $0[0], kind: $0[1], fraction: $0[2]) }
            }
        }
    }

    /// Records whether the run reports class areas without artefact-flagged tissue (`--exclude-artefacts`).
    public func recordExcludeArtefacts(_ exclude: Bool, run: RunID) throws {
        try StoreError.mapping(path: path, "recording --exclude-artefacts of \(run)") {
            try queue.write { db in
                try db.execute(sql: "UPDATE runs SET exclude_artefacts = ? WHERE id = ?", arguments: [exclude ? 1 : 0, run.rawValue])
            }
        }
    }
}
