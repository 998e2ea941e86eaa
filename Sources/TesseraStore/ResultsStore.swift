import Foundation
import GRDB
import GRDBSQLite
import Logging
import TesseraCore

/// The writer of one results file. A run has exactly one: every method runs its statements in one transaction on
/// the store's single connection, so a process killed at any moment leaves either all of a call's rows or none.
///
/// The methods block on disk I/O: call them from the runner's writer thread (e.g. a BlockingThreadPool), not from
/// the cooperative pool. The class is Sendable because its connection (a GRDB DatabaseQueue) serialises access.
public final class ResultsStore: Sendable {
    public let path: String
    let queue: DatabaseQueue
    private let logger: Logger

    /// Opens `path`, creating it if needed, and brings its schema up to date (WAL mode, named migrations).
    public init(path: String, logger: Logger) throws {
        self.path = path
        self.logger = logger
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(10)
        configuration.label = "tessera.results"
        configuration.prepareDatabase { db in
            // WAL with synchronous=NORMAL: a committed transaction survives a killed process (the OS holds it); after
            // a power loss the file is still consistent but may lack the last transactions.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: directory) {
            throw StoreError(.cannotOpen, "the directory for the results file does not exist: create it first", path: path)
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch let error as DatabaseError {
            throw StoreError(.cannotOpen, "cannot open the results file: \(error.message ?? "\(error)")", path: path,
                             sqliteCode: error.extendedResultCode.rawValue)
        }
        try StoreError.mapping(path: path, "bringing the schema up to date") {
            try queue.read { db in
                if try db.tableExists("grdb_migrations") { try ResultsSchema.checkCompatible(db, path: path) }
                else if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'") ?? 0 > 0 {
                    throw StoreError(.incompatibleSchema, "the file is an SQLite database but not a Tessera results file",
                                     path: path, context: "Give `tessera run` a new file or an existing results file.")
                }
            }
            try ResultsSchema.migrator().migrate(queue)
        }
        logger.debug("results store open", metadata: ["store.path": "\(path)"])
    }

    // MARK: Runs

    /// Records a run's start. With `resumeUnfinished`, an earlier run with the same model, parameters hash and
    /// quantised model (none at fp32; tiles of two quantisations never share a slide run) that never finished (killed, interrupted) is continued instead: same run row and run_uid, a new run_attempts row,
    /// and its slide runs left 'running' by a crash become 'interrupted'.
    public func startRun(_ provenance: RunProvenance, resumeUnfinished: Bool = true) throws -> RunStart {
        let start = try StoreError.mapping(path: path, "starting the run") {
            try queue.write { db in
                let now = Timestamp.string(provenance.startedAt)
                if resumeUnfinished, let row = try Row.fetchOne(db, sql: """
                    SELECT id, run_uid FROM runs
                    WHERE status IN ('running', 'interrupted') AND model_sha256 = ? AND parameters_hash = ?
                      AND quantized_model_sha256 IS ?
                    ORDER BY started_at DESC, id DESC LIMIT 1
                    """, arguments: [provenance.modelSHA256, provenance.parametersHash, provenance.quantizedModelSHA256]) {
                    let id: Int64 = row["id"]
                    let attempt = (try Int.fetchOne(db, sql: "SELECT MAX(attempt) FROM run_attempts WHERE run_id = ?",
                                                    arguments: [id]) ?? 0) + 1
                    try db.execute(sql: "UPDATE runs SET status = 'running', finished_at = NULL, error = NULL WHERE id = ?",
                                   arguments: [id])
                    try db.execute(sql: "UPDATE slide_runs SET status = 'interrupted' WHERE run_id = ? AND status = 'running'",
                                   arguments: [id])
                    try db.execute(sql: "INSERT INTO run_attempts (run_id, attempt, host, threads, started_at) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [id, attempt, provenance.host, provenance.threads, now])
                    return RunStart(id: RunID(rawValue: id), runUID: row["run_uid"], resumed: true, attempt: attempt)
                }
                let sqliteVersion = try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "unknown"
                try db.execute(sql: """
                    INSERT INTO runs (run_uid, tessera_version, git_commit, pipeline_name, pipeline_hash, pipeline_text,
                        model_name, model_sha256, parameters_json, parameters_hash, host, threads, openslide_version,
                        onednn_version, sqlite_version, started_at, status, precision, quantized_model_sha256,
                        calibration_json, nucleus_class_index)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)
                    """, arguments: [provenance.runUID, provenance.tesseraVersion, provenance.gitCommit,
                                     provenance.pipelineName, provenance.pipelineHash, provenance.pipelineText,
                                     provenance.modelName, provenance.modelSHA256, provenance.parametersJSON,
                                     provenance.parametersHash, provenance.host, provenance.threads,
                                     provenance.openSlideVersion, provenance.oneDNNVersion, sqliteVersion, now,
                                     provenance.precision, provenance.quantizedModelSHA256, provenance.calibrationJSON,
                                     provenance.nucleusClassIndex])
                let id = db.lastInsertedRowID
                for info in provenance.classes {
                    try db.execute(sql: "INSERT INTO classes (run_id, class_index, name, colour) VALUES (?, ?, ?, ?)",
                                   arguments: [id, info.index, info.name, info.colour])
                }
                try db.execute(sql: "INSERT INTO run_attempts (run_id, attempt, host, threads, started_at) VALUES (?, 1, ?, ?, ?)",
                               arguments: [id, provenance.host, provenance.threads, now])
                return RunStart(id: RunID(rawValue: id), runUID: provenance.runUID, resumed: false, attempt: 1)
            }
        }
        logger.info(start.resumed ? "resuming unfinished run" : "recording new run",
                    metadata: ["run.uid": "\(start.runUID)", "run.attempt": "\(start.attempt)", "store.path": "\(path)"])
        return start
    }

    /// Records how the run ended ('finished', 'interrupted' or 'failed' with its error).
    public func finishRun(_ run: RunID, status: RunStatus, error: String? = nil, at date: Date = Date()) throws {
        try StoreError.mapping(path: path, "recording the end of \(run)") {
            try queue.write { db in
                let now = Timestamp.string(date)
                try db.execute(sql: "UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ?",
                               arguments: [status.rawValue, error, status == .running ? nil : now, run.rawValue])
                try Self.requireChange(db, "\(run) does not exist", path: path)
                try db.execute(sql: """
                    UPDATE run_attempts SET ended_at = ?
                    WHERE run_id = ? AND attempt = (SELECT MAX(attempt) FROM run_attempts WHERE run_id = ?)
                    """, arguments: [now, run.rawValue, run.rawValue])
            }
        }
    }

    /// Adds each stage's items and seconds to what the run has recorded for that stage.
    public func recordStageMetrics(_ metrics: [StageMetrics], run: RunID) throws {
        try StoreError.mapping(path: path, "recording stage metrics of \(run)") {
            try queue.write { db in
                for stage in metrics {
                    try db.execute(sql: """
                        INSERT INTO stage_metrics (run_id, stage, items, busy_seconds, waiting_on_input_seconds,
                                                   waiting_on_output_seconds)
                        VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (run_id, stage) DO UPDATE SET
                            items = items + excluded.items,
                            busy_seconds = busy_seconds + excluded.busy_seconds,
                            waiting_on_input_seconds = waiting_on_input_seconds + excluded.waiting_on_input_seconds,
                            waiting_on_output_seconds = waiting_on_output_seconds + excluded.waiting_on_output_seconds
                        """, arguments: [run.rawValue, stage.stage, stage.items, stage.busySeconds,
                                         stage.waitingOnInputSeconds, stage.waitingOnOutputSeconds])
                }
            }
        }
    }

    // MARK: Slides

    /// Whether this slide was already done by some run with the same model and parameters (so it can be skipped).
    public func findCompletedSlideRun(slideFingerprint: String, modelSHA256: String, parametersHash: String) throws -> Bool {
        try StoreError.mapping(path: path, "looking for a completed run of slide \(slideFingerprint)") {
            try queue.read { db in
                try Bool.fetchOne(db, sql: """
                    SELECT EXISTS (
                        SELECT 1 FROM slide_runs sr
                        JOIN slides s ON s.id = sr.slide_id
                        JOIN runs r ON r.id = sr.run_id
                        WHERE s.fingerprint = ? AND r.model_sha256 = ? AND r.parameters_hash = ? AND sr.status = 'done')
                    """, arguments: [slideFingerprint, modelSHA256, parametersHash]) ?? false
            }
        }
    }

    /// Records that the run starts (or resumes) a slide, and returns the tiles an earlier attempt already committed.
    /// `resolution` is nil only for a slide that could not be read (then record its failure with finishSlideRun).
    public func startSlideRun(run: RunID, slide: SlideRecord, resolution: SlideResolution?, tilesPlanned: Int?,
                              at date: Date = Date()) throws -> SlideRunStart {
        try StoreError.mapping(path: path, "starting slide \(slide.path)") {
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO slides (fingerprint, path, size_bytes, mtime, quickhash, vendor, width, height, mpp_x,
                                        mpp_y, objective_power)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (fingerprint) DO NOTHING
                    """, arguments: [slide.fingerprint, slide.path, slide.sizeBytes, Timestamp.string(slide.mtime),
                                     slide.quickhash, slide.vendor, slide.width, slide.height, slide.mppX, slide.mppY,
                                     slide.objectivePower])
                guard let slideID = try Int64.fetchOne(db, sql: "SELECT id FROM slides WHERE fingerprint = ?",
                                                       arguments: [slide.fingerprint]) else {
                    throw StoreError(.invalidInput, "slide \(slide.path) vanished while being recorded", path: path)
                }
                let id = try Int64.fetchOne(db, sql: """
                    INSERT INTO slide_runs (run_id, slide_id, slide_path, status, mpp_x, mpp_y, mpp_source,
                                            tiles_planned, started_at)
                    VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?)
                    ON CONFLICT (run_id, slide_id) DO UPDATE SET
                        status = 'running', error = NULL, finished_at = NULL,
                        tiles_planned = excluded.tiles_planned
                    RETURNING id
                    """, arguments: [run.rawValue, slideID, slide.path, resolution?.mppX, resolution?.mppY,
                                     resolution?.source.rawValue, tilesPlanned, Timestamp.string(date)])!
                let committed = try Int.fetchSet(db, sql: "SELECT tile_index FROM tiles WHERE slide_run_id = ?",
                                                 arguments: [id])
                let changed = resolution == nil ? false
                    : try Self.markCurrentContent(db, path: slide.path, slideID: slideID, at: date)
                return SlideRunStart(id: SlideRunID(rawValue: id), committedTileIndices: committed,
                                     contentChanged: changed)
            }
        }
    }

    /// Records that the file at `path` now holds the slide `fingerprint`: slide runs of that path with other content
    /// become superseded (by the latest slide run of this content), and this content's slide runs current again (a
    /// file put back). Returns true when other content had been analysed at that path: "content changed since the
    /// last analysis".
    @discardableResult
    public func markCurrentContent(path slidePath: String, fingerprint: String, at date: Date = Date()) throws -> Bool {
        try StoreError.mapping(path: path, "recording the content of \(slidePath)") {
            try queue.write { db in
                guard let slideID = try Int64.fetchOne(db, sql: "SELECT id FROM slides WHERE fingerprint = ?",
                                                       arguments: [fingerprint]) else { return false }
                return try Self.markCurrentContent(db, path: slidePath, slideID: slideID, at: date)
            }
        }
    }

    static func markCurrentContent(_ db: Database, path slidePath: String, slideID: Int64, at date: Date) throws -> Bool {
        guard let newest = try Int64.fetchOne(db, sql: """
            SELECT MAX(id) FROM slide_runs WHERE slide_path = ? AND slide_id = ?
            """, arguments: [slidePath, slideID]) else { return false }
        try db.execute(sql: """
            UPDATE slide_runs SET superseded_at = NULL, superseded_by = NULL
            WHERE slide_path = ? AND slide_id = ? AND superseded_at IS NOT NULL
            """, arguments: [slidePath, slideID])
        try db.execute(sql: """
            UPDATE slide_runs SET superseded_at = ?, superseded_by = ?
            WHERE slide_path = ? AND slide_id <> ? AND superseded_at IS NULL AND status <> 'failed'
            """, arguments: [Timestamp.string(date), newest, slidePath, slideID])
        let changedNow = db.changesCount > 0
        // Other content analysed at this path before (now or in an earlier run): the content changed.
        let earlier = try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM slide_runs WHERE slide_path = ? AND slide_id <> ? AND superseded_by = ?)
            """, arguments: [slidePath, slideID, newest]) ?? false
        return changedNow || earlier
    }

    /// The path of the first slide recorded (the lowest id) whose file name is `fileName`, whatever its folder; nil
    /// when there is none. Output files are named after it (see OutputNames).
    public func firstSlidePath(withFileName fileName: String) throws -> String? {
        try StoreError.mapping(path: path, "looking up slides named \(fileName)") {
            try queue.read { db in try OutputNames.firstSlidePath(db, withFileName: fileName) }
        }
    }

    /// Records a warning about a slide run that still goes on (`slide_runs.warning`).
    public func recordWarning(_ warning: String, slideRun: SlideRunID) throws {
        try StoreError.mapping(path: path, "recording a warning for \(slideRun)") {
            try queue.write { db in
                try db.execute(sql: "UPDATE slide_runs SET warning = ? WHERE id = ?", arguments: [warning, slideRun.rawValue])
            }
        }
    }

    /// Slide runs that a later run can still resume (their run is running or interrupted, they are not done or
    /// failed): their heatmap checkpoints must be kept.
    public func resumableSlideRunIDs() throws -> Set<Int64> {
        try StoreError.mapping(path: path, "listing resumable slide runs") {
            try queue.read { db in
                try Int64.fetchSet(db, sql: """
                    SELECT sr.id FROM slide_runs sr JOIN runs r ON r.id = sr.run_id
                    WHERE r.status IN ('running', 'interrupted') AND sr.status NOT IN ('done', 'failed')
                    """)
            }
        }
    }

    /// Marks every run other than `current` that is still 'running', and its 'running' slide runs, 'interrupted':
    /// call it holding the output's lock, when no other process can be writing, so such rows are a dead process's.
    /// Returns how many runs changed.
    @discardableResult
    public func markAbandonedRunsInterrupted(except current: RunID) throws -> Int {
        try StoreError.mapping(path: path, "marking runs a stopped process left as interrupted") {
            try queue.write { db in
                try db.execute(sql: """
                    UPDATE slide_runs SET status = 'interrupted'
                    WHERE status = 'running' AND run_id IN (SELECT id FROM runs WHERE status = 'running' AND id <> ?)
                    """, arguments: [current.rawValue])
                try db.execute(sql: "UPDATE runs SET status = 'interrupted' WHERE status = 'running' AND id <> ?",
                               arguments: [current.rawValue])
                return db.changesCount
            }
        }
    }

    /// The path a run's slide run for this content (fingerprint) read the slide from; nil when the run has none.
    public func slideRunPath(run: RunID, fingerprint: String) throws -> String? {
        try StoreError.mapping(path: path, "looking up the slide run of \(fingerprint)") {
            try queue.read { db in
                try String.fetchOne(db, sql: """
                    SELECT sr.slide_path FROM slide_runs sr JOIN slides s ON s.id = sr.slide_id
                    WHERE sr.run_id = ? AND s.fingerprint = ?
                    """, arguments: [run.rawValue, fingerprint])
            }
        }
    }

    /// The indices of the tiles committed so far for a slide run.
    public func committedTileIndices(slideRun: SlideRunID) throws -> Set<Int> {
        try StoreError.mapping(path: path, "reading committed tiles of \(slideRun)") {
            try queue.read { db in
                try Int.fetchSet(db, sql: "SELECT tile_index FROM tiles WHERE slide_run_id = ?", arguments: [slideRun.rawValue])
            }
        }
    }

    /// Records how a slide run ended: 'done', 'failed' (with its error) or 'interrupted'. `seconds` is this
    /// attempt's time on the slide; it is added to earlier attempts'.
    public func finishSlideRun(_ slideRun: SlideRunID, status: SlideRunStatus, error: String? = nil, seconds: Double,
                               at date: Date = Date()) throws {
        try StoreError.mapping(path: path, "recording the end of \(slideRun)") {
            try queue.write { db in
                try db.execute(sql: """
                    UPDATE slide_runs SET status = ?, error = ?, finished_at = ?, seconds = COALESCE(seconds, 0) + ?
                    WHERE id = ?
                    """, arguments: [status.rawValue, error, Timestamp.string(date), seconds, slideRun.rawValue])
                try Self.requireChange(db, "\(slideRun) does not exist", path: path)
            }
        }
    }

    // MARK: Tiles

    /// Writes a batch of tiles and their per-class predictions in one transaction. A tile already stored for this
    /// slide run (same index) is left as it is, so writing a batch again changes nothing.
    public func write(tiles: [TileResult], slideRun: SlideRunID) throws {
        if tiles.isEmpty { return }
        try StoreError.mapping(path: path, "writing \(tiles.count) tiles of \(slideRun)") {
            try queue.write { db in
                guard let classCount = try Int.fetchOne(db, sql: """
                    SELECT (SELECT COUNT(*) FROM classes c WHERE c.run_id = sr.run_id) FROM slide_runs sr WHERE sr.id = ?
                    """, arguments: [slideRun.rawValue]) else {
                    throw StoreError(.invalidInput, "\(slideRun) does not exist: start it with startSlideRun", path: path)
                }
                let insertTile = try db.cachedStatement(sql: """
                    INSERT INTO tiles (slide_run_id, tile_index, x, y, width, height, tissue_fraction)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """)
                let insertPrediction = try db.cachedStatement(sql: """
                    INSERT INTO tile_predictions (slide_run_id, tile_index, class_index, area_fraction, mean_probability,
                                                  tissue_area_fraction, artefact_area_fraction)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
                let insertNucleus = try db.cachedStatement(sql: """
                    INSERT INTO nuclei (slide_run_id, tile_index, nucleus_index, x, y, area_um2, perimeter_um, diameter_um,
                                        eccentricity, solidity, haematoxylin_od, mean_probability, region_class_index,
                                        in_tissue, outline)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                let slideRunID = slideRun.rawValue
                var inserted = 0
                // The hot loop binds through SQLite's C API on GRDB's prepared statements: building a GRDB
                // StatementArguments per row cost more than the insert itself (see BENCHMARKS.md, results store).
                let tileRow = RawInsert(insertTile, db)
                let predictionRow = RawInsert(insertPrediction, db)
                let nucleusRow = RawInsert(insertNucleus, db)
                for tile in tiles {
                    guard tile.classes.count == classCount else {
                        throw StoreError(.invalidInput, "tile \(tile.index) has \(tile.classes.count) class predictions "
                                         + "but the run has \(classCount) classes", path: path)
                    }
                    let window = tile.ownWindow
                    tileRow.start()
                    try tileRow.bind(1, slideRunID)
                    try tileRow.bind(2, Int64(tile.index))
                    try tileRow.bind(3, Int64(window.x))
                    try tileRow.bind(4, Int64(window.y))
                    try tileRow.bind(5, Int64(window.width))
                    try tileRow.bind(6, Int64(window.height))
                    try tileRow.bind(7, tile.tissueFraction)
                    try tileRow.step()
                    // An existing tile keeps its predictions: nothing of it is written again.
                    if db.changesCount == 0 { continue }
                    inserted += 1
                    for (classIndex, prediction) in tile.classes.enumerated() {
                        predictionRow.start()
                        try predictionRow.bind(1, slideRunID)
                        try predictionRow.bind(2, Int64(tile.index))
                        try predictionRow.bind(3, Int64(classIndex))
                        try predictionRow.bind(4, prediction.areaFraction)
                        try predictionRow.bind(5, prediction.meanProbability)
                        try predictionRow.bind(6, prediction.tissueAreaFraction)
                        try predictionRow.bind(7, prediction.artefactAreaFraction)
                        try predictionRow.step()
                    }
                    for (nucleusIndex, nucleus) in tile.nuclei.enumerated() {
                        nucleusRow.start()
                        try nucleusRow.bind(1, slideRunID)
                        try nucleusRow.bind(2, Int64(tile.index))
                        try nucleusRow.bind(3, Int64(nucleusIndex))
                        try nucleusRow.bind(4, nucleus.x)
                        try nucleusRow.bind(5, nucleus.y)
                        try nucleusRow.bind(6, nucleus.areaMicrons2)
                        try nucleusRow.bind(7, nucleus.perimeterMicrons)
                        try nucleusRow.bind(8, nucleus.equivalentDiameterMicrons)
                        try nucleusRow.bind(9, nucleus.eccentricity)
                        try nucleusRow.bind(10, nucleus.solidity)
                        try nucleusRow.bind(11, nucleus.meanHaematoxylinOD)
                        try nucleusRow.bind(12, nucleus.meanProbability)
                        try nucleusRow.bind(13, nucleus.regionClass.map(Int64.init))
                        try nucleusRow.bind(14, Int64(nucleus.inTissue ? 1 : 0))
                        try nucleusRow.bind(15, nucleus.outlineBytes)
                        try nucleusRow.step()
                    }
                }
                try db.execute(sql: "UPDATE slide_runs SET tiles_written = tiles_written + ? WHERE id = ?",
                               arguments: [inserted, slideRunID])
            }
        }
    }

    /// The store's connection outside any transaction (for ATTACH), for the merge.
    func withWriterConnection<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.writeWithoutTransaction(body)
    }

    private static func requireChange(_ db: Database, _ message: String, path: String) throws {
        if db.changesCount == 0 { throw StoreError(.invalidInput, message, path: path) }
    }
}

/// Binds and steps one prepared INSERT with SQLite's C API. Every SQLite result code of the hot write loop is
/// checked here, and a failure becomes GRDB's DatabaseError (which StoreError.mapping turns into a StoreError naming
/// the file).
private struct RawInsert {
    let statement: Statement
    let db: Database

    init(_ statement: Statement, _ db: Database) {
        self.statement = statement
        self.db = db
    }

    /// sqlite3_reset's result repeats the previous step's error, which was reported then: it is not checked here.
    func start() { sqlite3_reset(statement.sqliteStatement) }

    func bind(_ index: Int32, _ value: Int64) throws {
        try check(sqlite3_bind_int64(statement.sqliteStatement, index, value))
    }

    func bind(_ index: Int32, _ value: Double) throws {
        try check(sqlite3_bind_double(statement.sqliteStatement, index, value))
    }

    func bind(_ index: Int32, _ value: Double?) throws {
        guard let value else { return try check(sqlite3_bind_null(statement.sqliteStatement, index)) }
        try bind(index, value)
    }

    func bind(_ index: Int32, _ value: Int64?) throws {
        guard let value else { return try check(sqlite3_bind_null(statement.sqliteStatement, index)) }
        try bind(index, value)
    }

    /// Bytes copied by SQLite (SQLITE_TRANSIENT), so `value` need not outlive the call.
    func bind(_ index: Int32, _ value: [UInt8]) throws {
        try value.withUnsafeBytes { bytes in
            try check(sqlite3_bind_blob(statement.sqliteStatement, index, bytes.baseAddress, Int32(bytes.count),
                                        unsafeBitCast(-1, to: sqlite3_destructor_type.self)))
        }
    }

    func step() throws { try check(sqlite3_step(statement.sqliteStatement)) }

    private func check(_ code: Int32) throws {
        guard code != SQLITE_OK && code != SQLITE_DONE else { return }
        let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }
}
