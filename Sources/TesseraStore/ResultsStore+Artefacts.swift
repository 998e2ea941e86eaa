import Foundation
import GRDB
import Logging
import TesseraCore

extension ResultsStore {
    /// Records files a run or slide run wrote (their size and SHA-256 as they are now), with paths relative to the
    /// results file's folder. Recording a path again (a slide run written again after a failure) replaces its record.
    /// `run` may be nil when `slideRun` is given (the slide run's run is used).
    public func recordArtefacts(_ files: [ArtefactFile], run: RunID?, slideRun: SlideRunID?, layout: OutputLayout,
                                at date: Date = Date()) throws {
        if files.isEmpty { return }
        let facts = try files.map { try $0.facts() }
        try StoreError.mapping(path: path, "recording the files of \(slideRun.map { "\($0)" } ?? "\(run)")") {
            try queue.write { db in
                for (file, fact) in zip(files, facts) {
                    try db.execute(sql: """
                        INSERT INTO artefacts (run_id, slide_run_id, kind, class_index, path, size_bytes, sha256,
                                               written_at)
                        VALUES (COALESCE(?1, (SELECT run_id FROM slide_runs WHERE id = ?2)), ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                        ON CONFLICT (path) DO UPDATE SET
                            run_id = excluded.run_id, slide_run_id = excluded.slide_run_id, kind = excluded.kind,
                            class_index = excluded.class_index, size_bytes = excluded.size_bytes,
                            sha256 = excluded.sha256, written_at = excluded.written_at, adopted = 0, removed_at = NULL
                        """, arguments: [run?.rawValue, slideRun?.rawValue, file.kind.rawValue, file.classIndex,
                                         layout.relativePath(of: file.url), fact.size, fact.sha256,
                                         Timestamp.string(date)])
                }
            }
        }
    }

    /// Records files a whole run wrote (its reports), found by the run's uid; false when the file has no such run.
    @discardableResult
    public func recordRunArtefacts(_ files: [ArtefactFile], runUID: String, layout: OutputLayout) throws -> Bool {
        let id = try StoreError.mapping(path: path, "looking up run \(runUID)") {
            try queue.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM runs WHERE run_uid = ?", arguments: [runUID]) }
        }
        guard let id else { return false }
        try recordArtefacts(files, run: RunID(rawValue: id), slideRun: nil, layout: layout)
        return true
    }

    /// The artefacts recorded for a slide run (removed ones too), in kind and class order.
    public func artefacts(slideRun: SlideRunID) throws -> [Artefact] {
        try StoreError.mapping(path: path, "reading the files of \(slideRun)") {
            try queue.read { db in try Self.artefacts(db, slideRun: slideRun.rawValue) }
        }
    }

    /// A slide run's artefact records on an open connection (none in a file without the table); for readers.
    public static func recordedArtefacts(_ db: Database, slideRun: Int64) throws -> [Artefact] {
        guard try db.tableExists("artefacts") else { return [] }
        return try artefacts(db, slideRun: slideRun)
    }

    static func artefacts(_ db: Database, slideRun: Int64) throws -> [Artefact] {
        try Row.fetchAll(db, sql: """
            SELECT \(Artefact.columns) FROM artefacts WHERE slide_run_id = ? ORDER BY kind, class_index, id
            """, arguments: [slideRun]).map { try Artefact(row: $0) }
    }

    /// Superseded slide runs' artefacts that are still on disk: what `tessera prune --superseded` removes.
    public func supersededArtefacts() throws -> [Artefact] {
        try StoreError.mapping(path: path, "listing the files of superseded slide runs") {
            try queue.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT \(Artefact.columns.split(separator: ",").map { "a." + $0.trimmingCharacters(in: .whitespaces) }
                                .joined(separator: ", "))
                    FROM artefacts a JOIN slide_runs sr ON sr.id = a.slide_run_id
                    WHERE sr.superseded_at IS NOT NULL AND a.removed_at IS NULL
                    ORDER BY a.slide_run_id, a.kind, a.class_index
                    """).map { try Artefact(row: $0) }
            }
        }
    }

    /// Records that `tessera prune` removed these artefacts' files (their rows stay).
    public func recordRemoved(_ artefacts: [Artefact], at date: Date = Date()) throws {
        try StoreError.mapping(path: path, "recording removed files") {
            try queue.write { db in
                for artefact in artefacts {
                    try db.execute(sql: "UPDATE artefacts SET removed_at = ? WHERE id = ?",
                                   arguments: [Timestamp.string(date), artefact.id])
                }
            }
        }
    }

    /// Records the files that a Tessera from before artefact records (schema v5) wrote, once, the first time the
    /// results file is opened with its layout. Those files were named after the slide alone (`OutputNames`), and each
    /// run of a slide overwrote the last: they are given to the latest finished slide run of each name. Returns how many files were recorded.
    @discardableResult
    public func adoptLegacyArtefacts(layout: OutputLayout, at date: Date = Date()) throws -> Int {
        try StoreError.mapping(path: path, "recording the files an earlier Tessera wrote") {
            try queue.write { db in
                guard try Bool.fetchOne(db, sql: """
                    SELECT EXISTS (SELECT 1 FROM store_state WHERE key = 'legacy_artefacts' AND value = 'pending')
                    """) ?? false else { return 0 }
                var latest: [String: (id: Int64, run: Int64)] = [:]
                for row in try Row.fetchAll(db, sql: """
                    SELECT id, run_id, slide_path FROM slide_runs WHERE status = 'done' ORDER BY id
                    """) {
                    let stem = try OutputNames.stem(slidePath: row["slide_path"], in: db)
                    latest[stem] = (row["id"], row["run_id"])
                }
                var adopted = 0
                for (stem, slideRun) in latest.sorted(by: { $0.key < $1.key }) {
                    let classes = try String.fetchAll(db, sql: """
                        SELECT name FROM classes WHERE run_id = ? ORDER BY class_index
                        """, arguments: [slideRun.run])
                    // The same names a slide run's files have, with the slide's stem alone (no slide-run number).
                    let named = SlideRunFiles(stem: stem, heatmapDirectory: layout.heatmapDirectory,
                                              geojsonDirectory: layout.geojsonDirectory, classNames: classes)
                    let files = named.heatmapArtefacts + [false, true].map {
                        ArtefactFile(kind: .geojson, url: named.geojson(gzip: $0))
                    }
                    for file in files {
                        // Only plain files: a link is a newer Tessera's "latest" name, not a legacy file.
                        guard let type = try? FileManager.default.attributesOfItem(atPath: file.url.path)[.type]
                                as? FileAttributeType, type == .typeRegular,
                              let facts = StreamingSHA256.file(atPath: file.url.path) else { continue }
                        try db.execute(sql: """
                            INSERT INTO artefacts (run_id, slide_run_id, kind, class_index, path, size_bytes, sha256,
                                                   written_at, adopted)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (path) DO NOTHING
                            """, arguments: [slideRun.run, slideRun.id, file.kind.rawValue, file.classIndex,
                                             layout.relativePath(of: file.url), facts.size, facts.sha256,
                                             Timestamp.string(date)])
                        adopted += db.changesCount
                    }
                }
                try db.execute(sql: "UPDATE store_state SET value = 'done' WHERE key = 'legacy_artefacts'")
                return adopted
            }
        }
    }
}

extension ResultsStore {
    /// Brings a results file written by an earlier Tessera up to date before it is read (`export`, `serve`, `merge`,
    /// `prune`): its schema migrated and its earlier files recorded as artefacts. A file that cannot be written
    /// (read-only storage) is left as it is and read as it is. Returns whether the file was brought up to date.
    @discardableResult
    public static func bringUpToDate(layout: OutputLayout, logger: Logger) -> Bool {
        let path = layout.resultsFile.path
        guard access(path, W_OK) == 0, access(layout.root.path, W_OK) == 0 else { return false }
        guard let store = try? ResultsStore(path: path, logger: logger) else { return false }
        defer { try? store.close() }
        return (try? store.adoptLegacyArtefacts(layout: layout)) != nil
    }
}

/// A slide run's areas as the views give them, for the run summary: one truth with `slide_class_areas`.
public struct SlideRunAreas: Sendable, Equatable, Codable {
    public struct ClassArea: Sendable, Equatable, Codable {
        public var name: String
        /// Over the analysed tiles, and inside the tissue.
        public var mm2: Double
        public var tissueMM2: Double?
        public var fractionOfAnalysed: Double?
        public var fractionOfTissue: Double?
        /// The class's tissue under an artefact the slide QC flagged, mm² (nil without QC). With
        /// `artefactsExcluded`, `mm2`, `tissueMM2` and `fractionOfTissue` already leave it out.
        public var artefactMM2: Double? = nil
    }

    /// Nuclei counted in the tissue (`slide_nuclei`, `slide_nuclei_by_region`); nil when the run counted none.
    public struct NucleusCounts: Sendable, Equatable, Codable {
        public struct Region: Sendable, Equatable, Codable {
            /// The tissue class around the nuclei.
            public var name: String
            public var nuclei: Int
            public var perMM2: Double?
        }

        public var nuclei: Int
        public var perMM2OfTissue: Double?
        public var regions: [Region]
    }

    public var analysedMM2: Double?
    public var tissueMM2: Double?
    public var classes: [ClassArea]
    public var nuclei: NucleusCounts? = nil
    /// The slide's QC (verdict, areas per kind); nil when the run did no QC.
    public var qc: SlideQCRecord? = nil
    /// True when the class areas and shares leave artefact-flagged tissue out (`--exclude-artefacts`); the tissue
    /// area is then the clean tissue's.
    public var artefactsExcluded: Bool = false
}

extension ResultsStore {
    /// The analysed and tissue areas of a slide run and each class's (`slide_areas`, `slide_class_areas`).
    /// With `excludeArtefacts`, the figures of `slide_class_areas_clean`: the tissue the slide QC flagged left out.
    public func areas(slideRun: SlideRunID, excludeArtefacts: Bool = false) throws -> SlideRunAreas {
        try StoreError.mapping(path: path, "reading the areas of \(slideRun)") {
            try queue.read { db in
                let totals = try Row.fetchOne(db, sql: "SELECT analysed_mm2, tissue_mm2 FROM slide_areas WHERE slide_run_id = ?",
                                              arguments: [slideRun.rawValue])
                let qcDone = try Bool.fetchOne(db, sql: """
                    SELECT qc_done FROM slide_class_areas_clean WHERE slide_run_id = ? LIMIT 1
                    """, arguments: [slideRun.rawValue]) ?? false
                let exclude = excludeArtefacts && qcDone
                let classes = try Row.fetchAll(db, sql: """
                    SELECT a.class_name, a.class_mm2, a.class_tissue_mm2, a.fraction_of_analysed, a.fraction_of_tissue,
                           c.class_artefact_mm2, c.class_clean_tissue_mm2, c.clean_fraction_of_tissue, c.clean_tissue_mm2
                    FROM slide_class_areas a
                    JOIN slide_class_areas_clean c ON c.slide_run_id = a.slide_run_id AND c.class_index = a.class_index
                    WHERE a.slide_run_id = ? ORDER BY a.class_index
                    """, arguments: [slideRun.rawValue]).map { row in
                    let artefact: Double? = qcDone ? row["class_artefact_mm2"] : nil
                    return exclude
                        ? SlideRunAreas.ClassArea(name: row["class_name"],
                                                  mm2: (row["class_mm2"] ?? 0) - (artefact ?? 0),
                                                  tissueMM2: row["class_clean_tissue_mm2"],
                                                  fractionOfAnalysed: row["fraction_of_analysed"],
                                                  fractionOfTissue: row["clean_fraction_of_tissue"], artefactMM2: artefact)
                        : SlideRunAreas.ClassArea(name: row["class_name"], mm2: row["class_mm2"] ?? 0,
                                                  tissueMM2: row["class_tissue_mm2"],
                                                  fractionOfAnalysed: row["fraction_of_analysed"],
                                                  fractionOfTissue: row["fraction_of_tissue"], artefactMM2: artefact)
                }
                let cleanTissue = try Double.fetchOne(db, sql: """
                    SELECT clean_tissue_mm2 FROM slide_class_areas_clean WHERE slide_run_id = ? LIMIT 1
                    """, arguments: [slideRun.rawValue])
                var nuclei: SlideRunAreas.NucleusCounts?
                if let counted = try Row.fetchOne(db, sql: """
                    SELECT nuclei, nuclei_per_mm2_tissue FROM slide_nuclei WHERE slide_run_id = ?
                    """, arguments: [slideRun.rawValue]) {
                    let regions = try Row.fetchAll(db, sql: """
                        SELECT region_class, nuclei, nuclei_per_mm2 FROM slide_nuclei_by_region WHERE slide_run_id = ?
                        ORDER BY region_class_index
                        """, arguments: [slideRun.rawValue]).map {
                        SlideRunAreas.NucleusCounts.Region(name: $0["region_class"], nuclei: $0["nuclei"], perMM2: $0["nuclei_per_mm2"])
                    }
                    nuclei = .init(nuclei: counted["nuclei"], perMM2OfTissue: counted["nuclei_per_mm2_tissue"], regions: regions)
                }
                return SlideRunAreas(analysedMM2: totals?["analysed_mm2"],
                                     tissueMM2: exclude ? cleanTissue : totals?["tissue_mm2"], classes: classes,
                                     nuclei: nuclei, qc: try Self.qcRecord(db, slideRun: slideRun.rawValue),
                                     artefactsExcluded: exclude)
            }
        }
    }
}
