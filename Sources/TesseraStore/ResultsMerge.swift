import Foundation
import GRDB

/// What merging one input file added to the output.
public struct MergeReport: Sendable, Equatable {
    public var input: String
    public var runsAdded = 0
    /// Runs already in the output whose state (status, finish time) advanced from the input's, e.g. a run merged
    /// while still running and again after it finished.
    public var runsAdvanced = 0
    public var slideRunsAdded = 0
    public var slideRunsAdvanced = 0
    public var tilesAdded = 0
    public var predictionsAdded = 0
    /// Files the input records, now recorded in the output with paths from the output's folder.
    public var artefactsAdded = 0
}

extension ResultsStore {
    /// Opens every input read-only and checks that it is a results file with this build's schema, so that `tessera
    /// merge` stops before creating or changing its output when an input is missing, unreadable or foreign.
    public static func checkMergeInputs(_ inputPaths: [String]) throws {
        for inputPath in inputPaths {
            let queue = try ReadOnlyResultsFile(path: inputPath).open(checkingSchema: false)
            try StoreError.mapping(path: inputPath, "reading \(inputPath)") {
                try queue.read { db in try checkInputSchema(db, schema: "main", inputPath: inputPath) }
            }
        }
    }

    /// Copies every run, slide, slide run, tile and prediction of the results file at `inputPath` that this file
    /// lacks, in one transaction. Runs match on run_uid, slides on fingerprint, tiles on (run, slide, tile index).
    ///
    /// A row present in both with different values is a conflict: nothing of the input is merged and the error names
    /// the run, slide and tile. Rows present in both with equal values are skipped, so merging again changes nothing.
    /// A run or slide run that is unfinished here ('running', 'interrupted', 'pending') and finished in the input
    /// takes the input's state.
    public func merge(from inputPath: String) throws -> MergeReport {
        let input = try ReadOnlyResultsFile(path: inputPath)
        let inputURL = URL(fileURLWithPath: inputPath).resolvingSymlinksInPath().standardizedFileURL
        let outputURL = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL
        if inputURL.path == outputURL.path {
            throw StoreError(.invalidInput, "cannot merge a results file into itself", path: inputPath)
        }
        return try StoreError.mapping(path: inputPath, "merging \(inputPath) into \(path)") {
            try withWriterConnection { db in
                // ATTACH cannot run inside a transaction; the input is only ever read.
                // On read-only storage the input is attached as an immutable URI (see ReadOnlyResultsFile).
                try db.execute(sql: "ATTACH DATABASE ? AS input", arguments: [input.sqliteName])
                defer { try? db.execute(sql: "DETACH DATABASE input") }
                var report = MergeReport(input: inputPath)
                try db.inTransaction {
                    try Self.checkInputSchema(db, schema: "input", inputPath: inputPath)
                    try Self.mergeRuns(db, inputPath: inputPath, report: &report)
                    try Self.mergeSlidesAndSlideRuns(db, inputPath: inputPath, report: &report)
                    try Self.mergeTiles(db, inputPath: inputPath, report: &report)
                    try Self.mergeArtefacts(db, inputFolder: inputURL.deletingLastPathComponent(),
                                            outputFolder: outputURL.deletingLastPathComponent(), report: &report)
                    try db.execute(sql: "DROP TABLE temp.merge_runs; DROP TABLE temp.merge_slide_runs")
                    return .commit
                }
                return report
            }
        }
    }

    private static let runProvenanceColumns = [
        "tessera_version", "git_commit", "pipeline_name", "pipeline_hash", "pipeline_text", "model_name",
        "model_sha256", "parameters_json", "parameters_hash", "host", "threads", "openslide_version", "onednn_version",
        "sqlite_version", "started_at", "precision", "quantized_model_sha256", "calibration_json", "nucleus_class_index",
        "exclude_artefacts",
    ]
    private static let runStateColumns = ["status", "finished_at", "error"]
    private static let slideRunFixedColumns = ["slide_path", "mpp_x", "mpp_y", "mpp_source"]
    private static let slideRunStateColumns = ["status", "error", "tiles_planned", "started_at", "finished_at", "seconds",
                                               "warning", "qc_verdict", "qc_reason", "qc_artefact_tissue_fraction", "qc_mpp",
                                               "nuclei_density_cell_um", "stain_method", "stain_estimation",
                                               "stain_source_json", "stain_target_json", "stain_warning",
                                               "stain_distance"]
    private static let finalRunStatuses = "('finished', 'failed')"
    private static let finalSlideRunStatuses = "('done', 'failed')"

    private static func columns(_ names: [String], _ alias: String) -> String {
        "(" + names.map { "\(alias).\($0)" }.joined(separator: ", ") + ")"
    }

    /// Checks that the database `schema` ("input" when attached) has exactly this build's migrations.
    private static func checkInputSchema(_ db: Database, schema: String, inputPath: String) throws {
        guard try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM \(schema).sqlite_master WHERE type = 'table' AND name = 'grdb_migrations')
            """) == true else {
            throw StoreError(.incompatibleSchema, "not a Tessera results file (no grdb_migrations table)", path: inputPath)
        }
        let applied = try String.fetchAll(db, sql: "SELECT identifier FROM \(schema).grdb_migrations ORDER BY identifier")
        let known = ResultsSchema.migrations.map(\.name).sorted()
        if applied != known {
            throw StoreError(.incompatibleSchema, "the file's schema (migrations \(applied.joined(separator: ", "))) "
                             + "differs from this Tessera's (\(known.joined(separator: ", "))): open it once with this "
                             + "version's `tessera run`, or merge with the Tessera that wrote it", path: inputPath)
        }
    }

    private static func mergeRuns(_ db: Database, inputPath: String, report: inout MergeReport) throws {
        if let uid = try String.fetchOne(db, sql: """
            SELECT i.run_uid FROM input.runs i JOIN main.runs m ON m.run_uid = i.run_uid
            WHERE \(columns(runProvenanceColumns, "i")) IS NOT \(columns(runProvenanceColumns, "m"))
            LIMIT 1
            """) {
            throw StoreError(.mergeConflict, "run \(uid) is in both files with different provenance (model, "
                             + "parameters, versions or start time); nothing of the input was merged", path: inputPath)
        }
        if let uid = try String.fetchOne(db, sql: """
            SELECT i.run_uid FROM input.runs i JOIN main.runs m ON m.run_uid = i.run_uid
            JOIN input.classes ic ON ic.run_id = i.id
            LEFT JOIN main.classes mc ON mc.run_id = m.id AND mc.class_index = ic.class_index
            WHERE (ic.name, ic.colour) IS NOT (mc.name, mc.colour)
            LIMIT 1
            """) {
            throw StoreError(.mergeConflict, "run \(uid) is in both files with different classes; nothing of the "
                             + "input was merged", path: inputPath)
        }
        if let row = try Row.fetchOne(db, sql: """
            SELECT i.run_uid, i.status AS input_status, m.status AS output_status
            FROM input.runs i JOIN main.runs m ON m.run_uid = i.run_uid
            WHERE m.status IN \(finalRunStatuses) AND i.status IN \(finalRunStatuses)
              AND \(columns(runStateColumns, "i")) IS NOT \(columns(runStateColumns, "m"))
            LIMIT 1
            """) {
            throw StoreError(.mergeConflict, "run \(row["run_uid"] as String) ended differently in the two files "
                             + "(\(row["input_status"] as String) in the input, \(row["output_status"] as String) in "
                             + "the output); nothing of the input was merged", path: inputPath)
        }

        let provenance = runProvenanceColumns.joined(separator: ", ")
        let state = runStateColumns.joined(separator: ", ")
        try db.execute(sql: """
            INSERT INTO main.runs (run_uid, \(provenance), \(state))
            SELECT run_uid, \(provenance), \(state) FROM input.runs i
            WHERE NOT EXISTS (SELECT 1 FROM main.runs m WHERE m.run_uid = i.run_uid)
            """)
        report.runsAdded = db.changesCount
        try db.execute(sql: """
            CREATE TEMP TABLE merge_runs AS
            SELECT i.id AS input_id, m.id AS output_id,
                   (m.status NOT IN \(finalRunStatuses) AND i.status IN \(finalRunStatuses)) AS advanced
            FROM input.runs i JOIN main.runs m ON m.run_uid = i.run_uid
            """)
        try db.execute(sql: """
            UPDATE main.runs SET status = i.status, finished_at = i.finished_at, error = i.error
            FROM temp.merge_runs mr JOIN input.runs i ON i.id = mr.input_id
            WHERE main.runs.id = mr.output_id AND mr.advanced
            """)
        report.runsAdvanced = db.changesCount
        try db.execute(sql: """
            INSERT INTO main.classes (run_id, class_index, name, colour)
            SELECT mr.output_id, c.class_index, c.name, c.colour
            FROM input.classes c JOIN temp.merge_runs mr ON mr.input_id = c.run_id
            WHERE true ON CONFLICT DO NOTHING;

            INSERT INTO main.run_attempts (run_id, attempt, host, threads, started_at, ended_at)
            SELECT mr.output_id, a.attempt, a.host, a.threads, a.started_at, a.ended_at
            FROM input.run_attempts a JOIN temp.merge_runs mr ON mr.input_id = a.run_id
            WHERE true ON CONFLICT DO UPDATE SET ended_at = COALESCE(ended_at, excluded.ended_at);

            -- Stage metrics are a run's totals: the input's replace the output's when the input's run is further on.
            DELETE FROM main.stage_metrics
            WHERE run_id IN (SELECT output_id FROM temp.merge_runs WHERE advanced);
            INSERT INTO main.stage_metrics (run_id, stage, items, busy_seconds, waiting_on_input_seconds,
                                            waiting_on_output_seconds)
            SELECT mr.output_id, s.stage, s.items, s.busy_seconds, s.waiting_on_input_seconds, s.waiting_on_output_seconds
            FROM input.stage_metrics s JOIN temp.merge_runs mr ON mr.input_id = s.run_id
            WHERE true ON CONFLICT DO NOTHING;
            """)
    }

    private static func mergeSlidesAndSlideRuns(_ db: Database, inputPath: String, report: inout MergeReport) throws {
        // A slide keeps the path, size and mtime it was first seen with; each slide run keeps its own path.
        try db.execute(sql: """
            INSERT INTO main.slides (fingerprint, path, size_bytes, mtime, quickhash, vendor, width, height, mpp_x,
                                     mpp_y, objective_power)
            SELECT fingerprint, path, size_bytes, mtime, quickhash, vendor, width, height, mpp_x, mpp_y, objective_power
            FROM input.slides WHERE true ON CONFLICT (fingerprint) DO NOTHING
            """)
        let pairing = """
            FROM input.slide_runs i
            JOIN temp.merge_runs mr ON mr.input_id = i.run_id
            JOIN input.slides isl ON isl.id = i.slide_id
            JOIN main.slides ms ON ms.fingerprint = isl.fingerprint
            """
        let conflict = """
            SELECT r.run_uid, i.slide_path \(pairing)
            JOIN main.runs r ON r.id = mr.output_id
            JOIN main.slide_runs m ON m.run_id = mr.output_id AND m.slide_id = ms.id
            WHERE \(columns(slideRunFixedColumns, "i")) IS NOT \(columns(slideRunFixedColumns, "m"))
               OR (m.status IN \(finalSlideRunStatuses) AND i.status IN \(finalSlideRunStatuses)
                   AND \(columns(slideRunStateColumns, "i")) IS NOT \(columns(slideRunStateColumns, "m")))
            LIMIT 1
            """
        if let row = try Row.fetchOne(db, sql: conflict) {
            throw StoreError(.mergeConflict, "slide \(row["slide_path"] as String) of run \(row["run_uid"] as String) "
                             + "is in both files with different resolution, path or outcome; nothing of the input "
                             + "was merged", path: inputPath)
        }
        let fixed = slideRunFixedColumns.joined(separator: ", ")
        let state = slideRunStateColumns.joined(separator: ", ")
        try db.execute(sql: """
            INSERT INTO main.slide_runs (run_id, slide_id, \(fixed), \(state))
            SELECT mr.output_id, ms.id, \(columns(slideRunFixedColumns, "i").dropFirst().dropLast()),
                   \(columns(slideRunStateColumns, "i").dropFirst().dropLast())
            \(pairing)
            WHERE true ON CONFLICT (run_id, slide_id) DO NOTHING
            """)
        report.slideRunsAdded = db.changesCount
        try db.execute(sql: """
            CREATE TEMP TABLE merge_slide_runs AS
            SELECT i.id AS input_id, m.id AS output_id,
                   (m.status NOT IN \(finalSlideRunStatuses) AND i.status IN \(finalSlideRunStatuses)) AS advanced
            \(pairing)
            JOIN main.slide_runs m ON m.run_id = mr.output_id AND m.slide_id = ms.id
            """)
        try db.execute(sql: """
            UPDATE main.slide_runs SET
                \(slideRunStateColumns.map { "\($0) = i.\($0)" }.joined(separator: ", "))
            FROM temp.merge_slide_runs msr JOIN input.slide_runs i ON i.id = msr.input_id
            WHERE main.slide_runs.id = msr.output_id AND msr.advanced
            """)
        report.slideRunsAdvanced = db.changesCount
    }

    private static func mergeTiles(_ db: Database, inputPath: String, report: inout MergeReport) throws {
        let tileValues = ["x", "y", "width", "height", "tissue_fraction"]
        if let row = try Row.fetchOne(db, sql: """
            SELECT r.run_uid, sr.slide_path, it.tile_index
            FROM input.tiles it
            JOIN temp.merge_slide_runs msr ON msr.input_id = it.slide_run_id
            JOIN main.tiles mt ON mt.slide_run_id = msr.output_id AND mt.tile_index = it.tile_index
            JOIN main.slide_runs sr ON sr.id = msr.output_id
            JOIN main.runs r ON r.id = sr.run_id
            WHERE \(columns(tileValues, "it")) IS NOT \(columns(tileValues, "mt"))
            LIMIT 1
            """) ?? Row.fetchOne(db, sql: """
            SELECT r.run_uid, sr.slide_path, ip.tile_index, ip.class_index
            FROM input.tile_predictions ip
            JOIN temp.merge_slide_runs msr ON msr.input_id = ip.slide_run_id
            JOIN main.tile_predictions mp ON mp.slide_run_id = msr.output_id AND mp.tile_index = ip.tile_index
                                          AND mp.class_index = ip.class_index
            JOIN main.slide_runs sr ON sr.id = msr.output_id
            JOIN main.runs r ON r.id = sr.run_id
            WHERE (ip.area_fraction, ip.mean_probability, ip.tissue_area_fraction, ip.artefact_area_fraction)
                  IS NOT (mp.area_fraction, mp.mean_probability, mp.tissue_area_fraction, mp.artefact_area_fraction)
            LIMIT 1
            """) {
            throw StoreError(.mergeConflict, "tile \(row["tile_index"] as Int) of slide \(row["slide_path"] as String) "
                             + "in run \(row["run_uid"] as String) has different values in the two files; nothing of "
                             + "the input was merged", path: inputPath)
        }
        try db.execute(sql: """
            INSERT INTO main.tiles (slide_run_id, tile_index, x, y, width, height, tissue_fraction)
            SELECT msr.output_id, it.tile_index, it.x, it.y, it.width, it.height, it.tissue_fraction
            FROM input.tiles it JOIN temp.merge_slide_runs msr ON msr.input_id = it.slide_run_id
            WHERE true ON CONFLICT DO NOTHING
            """)
        report.tilesAdded = db.changesCount
        try db.execute(sql: """
            INSERT INTO main.tile_predictions (slide_run_id, tile_index, class_index, area_fraction, mean_probability,
                                               tissue_area_fraction, artefact_area_fraction)
            SELECT msr.output_id, ip.tile_index, ip.class_index, ip.area_fraction, ip.mean_probability,
                   ip.tissue_area_fraction, ip.artefact_area_fraction
            FROM input.tile_predictions ip JOIN temp.merge_slide_runs msr ON msr.input_id = ip.slide_run_id
            WHERE true ON CONFLICT DO NOTHING
            """)
        report.predictionsAdded = db.changesCount
        // A tile's nuclei come with it: those of tiles the output already held are the same (the tiles' values are).
        try db.execute(sql: """
            INSERT INTO main.nuclei (slide_run_id, tile_index, nucleus_index, x, y, area_um2, perimeter_um, diameter_um,
                                     eccentricity, solidity, haematoxylin_od, mean_probability, region_class_index,
                                     in_tissue, outline)
            SELECT msr.output_id, n.tile_index, n.nucleus_index, n.x, n.y, n.area_um2, n.perimeter_um, n.diameter_um,
                   n.eccentricity, n.solidity, n.haematoxylin_od, n.mean_probability, n.region_class_index,
                   n.in_tissue, n.outline
            FROM input.nuclei n JOIN temp.merge_slide_runs msr ON msr.input_id = n.slide_run_id
            WHERE true ON CONFLICT DO NOTHING
            """)
        // The slide runs' QC (schema v8): areas per kind and the tiles' fractions, as the input recorded them.
        try db.execute(sql: """
            INSERT INTO main.slide_qc (slide_run_id, kind, area_mm2, tissue_area_mm2, tissue_fraction)
            SELECT msr.output_id, q.kind, q.area_mm2, q.tissue_area_mm2, q.tissue_fraction
            FROM input.slide_qc q JOIN temp.merge_slide_runs msr ON msr.input_id = q.slide_run_id
            WHERE true ON CONFLICT DO NOTHING
            """)
        try db.execute(sql: """
            INSERT INTO main.tile_qc (slide_run_id, tile_index, kind, fraction)
            SELECT msr.output_id, q.tile_index, q.kind, q.fraction
            FROM input.tile_qc q JOIN temp.merge_slide_runs msr ON msr.input_id = q.slide_run_id
            WHERE true ON CONFLICT DO NOTHING
            """)
        // Why the slide runs need review (schema v5), as the input recorded it.
        try db.execute(sql: """
            INSERT INTO main.review_flags (slide_run_id, code, message, value)
            SELECT msr.output_id, f.code, f.message, f.value
            FROM input.review_flags f JOIN temp.merge_slide_runs msr ON msr.input_id = f.slide_run_id
            WHERE true ON CONFLICT DO NOTHING
            """)
        // The density grid (schema v9) is the slide run's, counted when it finished: copied as recorded.
        try db.execute(sql: """
            INSERT INTO main.nuclei_density (slide_run_id, cell_x, cell_y, nuclei, tissue_um2)
            SELECT msr.output_id, d.cell_x, d.cell_y, d.nuclei, d.tissue_um2
            FROM input.nuclei_density d JOIN temp.merge_slide_runs msr ON msr.input_id = d.slide_run_id
            WHERE true ON CONFLICT DO NOTHING
            """)
        try db.execute(sql: """
            UPDATE main.slide_runs SET tiles_written = (SELECT COUNT(*) FROM main.tiles t WHERE t.slide_run_id = main.slide_runs.id)
            WHERE id IN (SELECT output_id FROM temp.merge_slide_runs)
            """)
    }

    /// Copies the input's artefact records, their paths rewritten from the output's folder (a merged file's records
    /// point into its inputs' folders), and which slide runs the input found superseded.
    private static func mergeArtefacts(_ db: Database, inputFolder: URL, outputFolder: URL,
                                       report: inout MergeReport) throws {
        guard try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM input.sqlite_master WHERE type = 'table' AND name = 'artefacts')
            """) ?? false else { return }
        try db.execute(sql: """
            UPDATE main.slide_runs SET
                superseded_at = COALESCE(main.slide_runs.superseded_at, i.superseded_at),
                superseded_by = COALESCE(main.slide_runs.superseded_by,
                                         (SELECT b.output_id FROM temp.merge_slide_runs b WHERE b.input_id = i.superseded_by))
            FROM temp.merge_slide_runs msr JOIN input.slide_runs i ON i.id = msr.input_id
            WHERE main.slide_runs.id = msr.output_id AND i.superseded_at IS NOT NULL
            """)
        let rows = try Row.fetchAll(db, sql: """
            SELECT mr.output_id AS run_id, msr.output_id AS slide_run_id, a.kind, a.class_index, a.path, a.size_bytes,
                   a.sha256, a.written_at, a.adopted, a.removed_at
            FROM input.artefacts a
            JOIN temp.merge_runs mr ON mr.input_id = a.run_id
            LEFT JOIN temp.merge_slide_runs msr ON msr.input_id = a.slide_run_id
            WHERE a.slide_run_id IS NULL OR msr.output_id IS NOT NULL
            """)
        for row in rows {
            let recorded: String = row["path"]
            let file = recorded.hasPrefix("/") ? recorded
                : inputFolder.appendingPathComponent(recorded).standardizedFileURL.path
            try db.execute(sql: """
                INSERT INTO main.artefacts (run_id, slide_run_id, kind, class_index, path, size_bytes, sha256,
                                            written_at, adopted, removed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO NOTHING
                """, arguments: [row["run_id"], row["slide_run_id"], row["kind"], row["class_index"],
                                 OutputLayout.relativePath(of: file, from: outputFolder.standardizedFileURL.path),
                                 row["size_bytes"], row["sha256"], row["written_at"], row["adopted"], row["removed_at"]])
            report.artefactsAdded += db.changesCount
        }
    }
}
