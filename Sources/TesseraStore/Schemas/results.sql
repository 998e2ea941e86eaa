-- Tessera results database schema.
--
-- This file IS the schema: the TesseraEmbeddedFiles build-tool plugin compiles it into the binary at every build
-- (schemas/results.sql at the root links here), and Tessera applies it through GRDB's DatabaseMigrator. Each "-- migration: NAME" line starts a named migration; the names applied to a file are recorded
-- in its grdb_migrations table. A migration that has shipped is never edited: change the schema by appending a new
-- migration at the end of this file.
--
-- Conventions: times are ISO-8601 UTC text ("2026-11-29T02:30:00.000Z"); geometry is in level-0 pixels of the slide;
-- areas in mm² use the resolution recorded for the slide in that run (slide_runs.mpp_x, mpp_y, in µm per pixel).
-- A tile's x, y, width and height are its OWN window: the part of the slide the tile answers for. Own windows of one
-- slide do not overlap, so sums over tiles count every pixel once.

-- migration: v1-initial-schema

-- One row per `tessera run` invocation (a resumed run keeps its row and adds a row to run_attempts).
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    run_uid TEXT NOT NULL UNIQUE,                 -- UUID: identifies the run across machines and merged files
    tessera_version TEXT NOT NULL,
    git_commit TEXT,                              -- NULL when the build did not know its commit
    pipeline_name TEXT,                           -- NULL when the run did not come from a pipeline file
    pipeline_hash TEXT,
    pipeline_text TEXT,
    model_name TEXT NOT NULL,
    model_sha256 TEXT NOT NULL,
    parameters_json TEXT NOT NULL,                -- the full run configuration plus the values resolved from it
    parameters_hash TEXT NOT NULL,                -- hash of the parameters that change results (decides resume/skip)
    host TEXT NOT NULL,
    threads INTEGER NOT NULL,
    openslide_version TEXT,
    onednn_version TEXT,
    sqlite_version TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'interrupted', 'failed')),
    error TEXT
) STRICT;

-- Each start of a run: the first, and every resume after an interruption or a crash.
CREATE TABLE run_attempts (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    host TEXT NOT NULL,
    threads INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    PRIMARY KEY (run_id, attempt)
) STRICT;

-- The model's output classes, per run (two runs may use different models).
CREATE TABLE classes (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    class_index INTEGER NOT NULL,
    name TEXT NOT NULL,
    colour TEXT NOT NULL,                         -- "#rrggbb"
    PRIMARY KEY (run_id, class_index)
) STRICT;

-- Work done by each pipeline stage, summed over the run's attempts.
CREATE TABLE stage_metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    stage TEXT NOT NULL,
    items INTEGER NOT NULL,
    busy_seconds REAL NOT NULL,
    waiting_on_input_seconds REAL NOT NULL,
    waiting_on_output_seconds REAL NOT NULL,
    PRIMARY KEY (run_id, stage)
) STRICT;

-- Slide files, identified by fingerprint: "quickhash:<OpenSlide quickhash-1>" when OpenSlide gives one, else
-- "file:<sha-256 of size, mtime and path>". Path, size and mtime are as first seen.
CREATE TABLE slides (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    mtime TEXT NOT NULL,
    quickhash TEXT,
    vendor TEXT,
    width INTEGER NOT NULL,                       -- level-0 pixels
    height INTEGER NOT NULL,
    mpp_x REAL,                                   -- as the file says; NULL when it says nothing
    mpp_y REAL,
    objective_power REAL
) STRICT;

-- One slide in one run.
CREATE TABLE slide_runs (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    slide_id INTEGER NOT NULL REFERENCES slides(id),
    slide_path TEXT NOT NULL,                     -- the path this run read the slide from
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'interrupted')),
    error TEXT,                                   -- set when status is 'failed'
    mpp_x REAL,                                   -- resolution used for this run, µm per level-0 pixel;
    mpp_y REAL,                                   -- NULL when the slide could not be read
    mpp_source TEXT,                              -- where mpp_x/mpp_y came from, e.g. 'slide' or 'configuration'
    tiles_planned INTEGER,
    tiles_written INTEGER NOT NULL DEFAULT 0,
    started_at TEXT,
    finished_at TEXT,
    seconds REAL,                                 -- time spent on the slide, summed over attempts
    UNIQUE (run_id, slide_id)
) STRICT;

-- Tiles, keyed by their index in the slide's deterministic tile plan.
CREATE TABLE tiles (
    slide_run_id INTEGER NOT NULL REFERENCES slide_runs(id) ON DELETE CASCADE,
    tile_index INTEGER NOT NULL,
    x INTEGER NOT NULL,                           -- own window, level-0 pixels
    y INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    tissue_fraction REAL NOT NULL,                -- fraction of the own window that is tissue
    PRIMARY KEY (slide_run_id, tile_index)
) STRICT, WITHOUT ROWID;

-- Per tile and class: the fraction of the own window assigned to the class, and the class's mean probability there.
CREATE TABLE tile_predictions (
    slide_run_id INTEGER NOT NULL,
    tile_index INTEGER NOT NULL,
    class_index INTEGER NOT NULL,
    area_fraction REAL NOT NULL,
    mean_probability REAL NOT NULL,
    PRIMARY KEY (slide_run_id, tile_index, class_index),
    FOREIGN KEY (slide_run_id, tile_index) REFERENCES tiles(slide_run_id, tile_index) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE INDEX slide_runs_by_slide ON slide_runs(slide_id);

-- Per slide and run: what was analysed and how much tissue it held.
CREATE VIEW slide_areas AS
SELECT
    r.run_uid,
    sr.id AS slide_run_id,
    s.fingerprint,
    sr.slide_path,
    sr.status,
    sr.mpp_x,
    sr.mpp_y,
    COUNT(t.tile_index) AS tiles,
    COALESCE(SUM(t.width * t.height), 0) AS analysed_px,
    COALESCE(SUM(t.width * t.height * t.tissue_fraction), 0.0) AS tissue_px,
    COALESCE(SUM(t.width * t.height), 0) * sr.mpp_x * sr.mpp_y / 1e6 AS analysed_mm2,
    COALESCE(SUM(t.width * t.height * t.tissue_fraction), 0.0) * sr.mpp_x * sr.mpp_y / 1e6 AS tissue_mm2,
    s.width * s.height * sr.mpp_x * sr.mpp_y / 1e6 AS slide_mm2
FROM slide_runs sr
JOIN runs r ON r.id = sr.run_id
JOIN slides s ON s.id = sr.slide_id
LEFT JOIN tiles t ON t.slide_run_id = sr.id
GROUP BY sr.id;

-- Per slide, run and class: area in mm², as a fraction of the tissue and of the analysed area, mean probability.
CREATE VIEW slide_class_areas AS
SELECT
    a.run_uid,
    a.slide_run_id,
    a.fingerprint,
    a.slide_path,
    a.tissue_mm2,
    c.class_index,
    c.name AS class_name,
    COALESCE(p.class_px, 0.0) AS class_px,
    COALESCE(p.class_px, 0.0) * a.mpp_x * a.mpp_y / 1e6 AS class_mm2,
    CASE WHEN a.tissue_px > 0 THEN COALESCE(p.class_px, 0.0) / a.tissue_px END AS fraction_of_tissue,
    CASE WHEN a.analysed_px > 0 THEN COALESCE(p.class_px, 0.0) / a.analysed_px END AS fraction_of_analysed,
    p.mean_probability
FROM slide_areas a
JOIN slide_runs sr ON sr.id = a.slide_run_id
JOIN classes c ON c.run_id = sr.run_id
LEFT JOIN (
    SELECT tp.slide_run_id, tp.class_index,
           SUM(t.width * t.height * tp.area_fraction) AS class_px,
           -- weighted by each tile's own-window area, so large and edge tiles count for what they cover
           SUM(t.width * t.height * tp.mean_probability) / SUM(t.width * t.height) AS mean_probability
    FROM tile_predictions tp
    JOIN tiles t ON t.slide_run_id = tp.slide_run_id AND t.tile_index = tp.tile_index
    GROUP BY tp.slide_run_id, tp.class_index
) p ON p.slide_run_id = a.slide_run_id AND p.class_index = c.class_index;

-- Per run: slides by status, tiles, analysed and tissue area.
CREATE VIEW run_totals AS
SELECT
    r.run_uid,
    r.status,
    r.model_name,
    r.started_at,
    r.finished_at,
    COUNT(a.slide_run_id) AS slides,
    COALESCE(SUM(a.status = 'done'), 0) AS slides_done,
    COALESCE(SUM(a.status = 'failed'), 0) AS slides_failed,
    COALESCE(SUM(a.tiles), 0) AS tiles,
    COALESCE(SUM(a.analysed_mm2), 0.0) AS analysed_mm2,
    COALESCE(SUM(a.tissue_mm2), 0.0) AS tissue_mm2
FROM runs r
LEFT JOIN slide_areas a ON a.run_uid = r.run_uid
GROUP BY r.id;

-- Per run and class: area summed over the run's slides.
CREATE VIEW run_class_totals AS
SELECT
    run_uid,
    class_index,
    class_name,
    SUM(class_mm2) AS class_mm2,
    CASE WHEN SUM(tissue_mm2) > 0 THEN SUM(class_mm2) / SUM(tissue_mm2) END AS fraction_of_tissue,
    COUNT(*) AS slides
FROM slide_class_areas
GROUP BY run_uid, class_index;

-- migration: v2-stain-normalisation

-- Stain normalisation of each slide in each run (issue 15). stain_method is what was applied: 'reinhard',
-- 'macenko', or NULL when the run did not normalise, or this slide fell back (then stain_warning says why:
-- a fluorescence slide, too little tissue). stain_source_json is the slide's estimated statistics
-- ({"method": ..., "lab_mean"/"lab_std" or "stain_matrix"/"max_concentrations"}), stain_target_json the model's
-- reference it was normalised to, stain_estimation 'slide' (one estimate per slide) or 'tile' (per tile).
ALTER TABLE slide_runs ADD COLUMN stain_method TEXT CHECK (stain_method IN ('reinhard', 'macenko'));
ALTER TABLE slide_runs ADD COLUMN stain_estimation TEXT CHECK (stain_estimation IN ('slide', 'tile'));
ALTER TABLE slide_runs ADD COLUMN stain_source_json TEXT;
ALTER TABLE slide_runs ADD COLUMN stain_target_json TEXT;
ALTER TABLE slide_runs ADD COLUMN stain_warning TEXT;

-- migration: v3-slide-run-warning

-- A warning about a slide that was still analysed (issue 16): e.g. it looks like a fluorescence scan while the model
-- is a bright-field one. NULL when there is none.
ALTER TABLE slide_runs ADD COLUMN warning TEXT;

-- migration: v4-run-precision

-- The arithmetic each run's network used (issue 10). precision is 'fp32' or 'int8' (runs recorded before this
-- migration were all fp32; no CHECK, so that another precision needs no rebuild of the table).
-- quantized_model_sha256 is the SHA-256 of the int8 model that produced the numbers: the int8 model file's own, or
-- that of the model quantised on the fly from the run's slides (then model_sha256 is the fp32 file's); NULL at fp32.
-- calibration_json says how a model quantised on the fly was calibrated
-- ({"method", "tiles", "seed", "slides": [{"path", "fingerprint", "tiles"}]}); NULL otherwise.
ALTER TABLE runs ADD COLUMN precision TEXT NOT NULL DEFAULT 'fp32';
ALTER TABLE runs ADD COLUMN quantized_model_sha256 TEXT;
ALTER TABLE runs ADD COLUMN calibration_json TEXT;

-- migration: v5-outputs-shares-review

-- Every file a slide run (or a run) wrote: heatmaps, GeoJSON, reports (issue 23). The records are the one contract
-- for where a run's outputs are: `tessera export`, `serve`, `merge` and `prune` read them, never a naming rule.
-- kind is 'class_map', 'overlay', 'probability' (class_index says which class), 'geojson' or 'report' (a run's JSON
-- report; slide_run_id NULL). path is relative to the folder of the results file that records it (a merged file's
-- records point into its shards' folders, e.g. '../shards/a/heatmaps/...'). size_bytes and sha256 are the file's as
-- written; removed_at is set when `tessera prune` deleted the file (the row stays, so the record of what existed does).
-- Files written before this migration are recorded when a results file is first opened by a Tessera that has it
-- (written_at is then that time, and adopted is 1).
CREATE TABLE artefacts (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    slide_run_id INTEGER REFERENCES slide_runs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('class_map', 'overlay', 'probability', 'geojson', 'report')),
    class_index INTEGER,
    path TEXT NOT NULL UNIQUE,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    written_at TEXT NOT NULL,
    adopted INTEGER NOT NULL DEFAULT 0,
    removed_at TEXT
) STRICT;
CREATE INDEX artefacts_by_slide_run ON artefacts(slide_run_id);

-- A slide run is superseded when the file at its path was later found with other content (a rescan, a replaced
-- file): superseded_at is when that was noticed and superseded_by the slide run of the new content. Superseded runs
-- keep their rows and files (until `tessera prune --superseded`); views mark them not current.
ALTER TABLE slide_runs ADD COLUMN superseded_at TEXT;
ALTER TABLE slide_runs ADD COLUMN superseded_by INTEGER REFERENCES slide_runs(id);

-- Slide runs of a path whose content changed before this migration: superseded by the first later content.
UPDATE slide_runs SET
    superseded_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
    superseded_by = (SELECT MIN(n.id) FROM slide_runs n
                     WHERE n.slide_path = slide_runs.slide_path AND n.slide_id <> slide_runs.slide_id AND n.id > slide_runs.id)
WHERE EXISTS (SELECT 1 FROM slide_runs n
              WHERE n.slide_path = slide_runs.slide_path AND n.slide_id <> slide_runs.slide_id AND n.id > slide_runs.id);

-- Facts about the file itself. 'legacy_artefacts' is 'pending' in a file that had slide runs before this migration,
-- until Tessera has recorded their files (ResultsStore.adoptLegacyArtefacts), then 'done'.
CREATE TABLE store_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
INSERT INTO store_state (key, value) SELECT 'legacy_artefacts', 'pending' WHERE EXISTS (SELECT 1 FROM slide_runs);

-- slide_areas gains whether the slide run is current (not superseded). The views that read it pick the new column
-- up, as SQLite resolves views when they are queried.
DROP VIEW slide_areas;
CREATE VIEW slide_areas AS
SELECT
    r.run_uid,
    sr.id AS slide_run_id,
    s.fingerprint,
    sr.slide_path,
    sr.status,
    sr.mpp_x,
    sr.mpp_y,
    COUNT(t.tile_index) AS tiles,
    COALESCE(SUM(t.width * t.height), 0) AS analysed_px,
    COALESCE(SUM(t.width * t.height * t.tissue_fraction), 0.0) AS tissue_px,
    COALESCE(SUM(t.width * t.height), 0) * sr.mpp_x * sr.mpp_y / 1e6 AS analysed_mm2,
    COALESCE(SUM(t.width * t.height * t.tissue_fraction), 0.0) * sr.mpp_x * sr.mpp_y / 1e6 AS tissue_mm2,
    s.width * s.height * sr.mpp_x * sr.mpp_y / 1e6 AS slide_mm2,
    sr.superseded_at IS NULL AS is_current
FROM slide_runs sr
JOIN runs r ON r.id = sr.run_id
JOIN slides s ON s.id = sr.slide_id
LEFT JOIN tiles t ON t.slide_run_id = sr.id
GROUP BY sr.id;

-- Shares of the tissue (issue 24). tile_predictions.tissue_area_fraction is the fraction of the tile's own window
-- that is tissue (the tissue mask under each model pixel's centre) AND assigned to the class, so a class's share of
-- the tissue counts only the class inside the tissue; the classes' add up to the tile's tissue_fraction, counted on
-- the same pixels. NULL for rows written before this migration (their shares of tissue are unknown, not guessed).
ALTER TABLE tile_predictions ADD COLUMN tissue_area_fraction REAL;

-- Per slide, run and class: two shares, each of one denominator, each adding up to 1 over the classes of a slide run:
--   fraction_of_analysed = class area / analysed area (the tiles' own windows, glass included);
--   fraction_of_tissue   = class area inside the tissue / tissue area.
-- class_mm2 is the class's area over the analysed area; class_tissue_mm2 its area inside the tissue.
DROP VIEW slide_class_areas;
CREATE VIEW slide_class_areas AS
SELECT
    a.run_uid,
    a.slide_run_id,
    a.fingerprint,
    a.slide_path,
    a.tissue_mm2,
    c.class_index,
    c.name AS class_name,
    COALESCE(p.class_px, 0.0) AS class_px,
    COALESCE(p.class_px, 0.0) * a.mpp_x * a.mpp_y / 1e6 AS class_mm2,
    p.class_tissue_px,
    p.class_tissue_px * a.mpp_x * a.mpp_y / 1e6 AS class_tissue_mm2,
    CASE WHEN a.tissue_px > 0 THEN p.class_tissue_px / a.tissue_px END AS fraction_of_tissue,
    CASE WHEN a.analysed_px > 0 THEN COALESCE(p.class_px, 0.0) / a.analysed_px END AS fraction_of_analysed,
    p.mean_probability
FROM slide_areas a
JOIN slide_runs sr ON sr.id = a.slide_run_id
JOIN classes c ON c.run_id = sr.run_id
LEFT JOIN (
    SELECT tp.slide_run_id, tp.class_index,
           SUM(t.width * t.height * tp.area_fraction) AS class_px,
           -- NULL when any row lacks it (written before schema v5): SUM skips NULLs, so count them
           CASE WHEN COUNT(tp.tissue_area_fraction) = COUNT(*)
                THEN SUM(t.width * t.height * tp.tissue_area_fraction) END AS class_tissue_px,
           -- weighted by each tile's own-window area, so large and edge tiles count for what they cover
           SUM(t.width * t.height * tp.mean_probability) / SUM(t.width * t.height) AS mean_probability
    FROM tile_predictions tp
    JOIN tiles t ON t.slide_run_id = tp.slide_run_id AND t.tile_index = tp.tile_index
    GROUP BY tp.slide_run_id, tp.class_index
) p ON p.slide_run_id = a.slide_run_id AND p.class_index = c.class_index;

-- Per run and class: areas over the run's slides, and the class's share of the run's tissue (class inside tissue).
DROP VIEW run_class_totals;
CREATE VIEW run_class_totals AS
SELECT
    run_uid,
    class_index,
    class_name,
    SUM(class_mm2) AS class_mm2,
    SUM(class_tissue_mm2) AS class_tissue_mm2,
    CASE WHEN SUM(tissue_mm2) > 0 AND COUNT(class_tissue_mm2) = COUNT(*)
         THEN SUM(class_tissue_mm2) / SUM(tissue_mm2) END AS fraction_of_tissue,
    COUNT(*) AS slides
FROM slide_class_areas
GROUP BY run_uid, class_index;

-- Why a slide run's numbers need a person's eye (issue 24), as data: one row per reason. code is one of
-- 'fluorescence' (the slide does not look like bright-field H&E), 'no_tissue' (no tile had enough tissue),
-- 'stain_far_from_reference' (value: the slide's Reinhard distance from the model's reference, see README),
-- 'stain_estimate_failed' (normalisation was asked for and fell back), 'mpp_stated_by_user' (the resolution came
-- from --slide-mpp or --override-slide-mpp, not the file) and 'mpp_from_objective' (10 / objective power).
-- The slide's Reinhard distance from the model's stain reference (README, "Slides that need review"), measured for
-- every slide of a model that states a Reinhard reference, whatever the run applies; NULL otherwise.
ALTER TABLE slide_runs ADD COLUMN stain_distance REAL;

CREATE TABLE review_flags (
    slide_run_id INTEGER NOT NULL REFERENCES slide_runs(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    value REAL,
    PRIMARY KEY (slide_run_id, code)
) STRICT, WITHOUT ROWID;

-- Per slide run: whether it needs review, and why (codes, comma-separated, sorted).
CREATE VIEW slide_review AS
SELECT
    sr.id AS slide_run_id,
    EXISTS (SELECT 1 FROM review_flags f WHERE f.slide_run_id = sr.id) AS needs_review,
    (SELECT group_concat(code, ',') FROM (SELECT code FROM review_flags f WHERE f.slide_run_id = sr.id ORDER BY code))
        AS review_reasons
FROM slide_runs sr;

-- The latest attempt at each slide path: the slide run with the highest id among those that read that path.
CREATE INDEX slide_runs_by_path ON slide_runs(slide_path);
CREATE VIEW latest_slide_runs AS
SELECT sr.* FROM slide_runs sr
WHERE sr.id = (SELECT MAX(other.id) FROM slide_runs other WHERE other.slide_path = sr.slide_path);

-- migration: v6-model-class-map

-- Artefacts gain the kind 'model_class_map': the class map at the model's own resolution (one pixel per model pixel,
-- to the nearest whole level-0 pixel), which `tessera export` traces regions from, so that the regions' areas are the
-- tile table's (issue 24). The coarser 'class_map' stays for looking (the overlay and probabilities share its grid).
-- SQLite cannot change a CHECK constraint in place: the table is made again and its rows copied.
CREATE TABLE artefacts_v6 (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    slide_run_id INTEGER REFERENCES slide_runs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('class_map', 'model_class_map', 'overlay', 'probability', 'geojson', 'report')),
    class_index INTEGER,
    path TEXT NOT NULL UNIQUE,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    written_at TEXT NOT NULL,
    adopted INTEGER NOT NULL DEFAULT 0,
    removed_at TEXT
) STRICT;
INSERT INTO artefacts_v6 (id, run_id, slide_run_id, kind, class_index, path, size_bytes, sha256, written_at, adopted,
                          removed_at)
SELECT id, run_id, slide_run_id, kind, class_index, path, size_bytes, sha256, written_at, adopted, removed_at
FROM artefacts;
DROP TABLE artefacts;
ALTER TABLE artefacts_v6 RENAME TO artefacts;
CREATE INDEX artefacts_by_slide_run ON artefacts(slide_run_id);

-- migration: v7-nuclei

-- Nuclei as objects (issue 27). The class a run segments into nuclei (NULL: the run did not count nuclei, so its
-- slides have no nuclei rows and no counts, as opposed to counts of zero).
ALTER TABLE runs ADD COLUMN nucleus_class_index INTEGER;

-- One row per nucleus, written with its tile in the same transaction (a resumed slide run never counts a tile's
-- nuclei twice or loses them). A nucleus belongs to the tile whose own window holds its centroid, the rule the tile
-- table's areas follow, so each is counted once whatever the tiling.
CREATE TABLE nuclei (
    slide_run_id INTEGER NOT NULL,
    tile_index INTEGER NOT NULL,
    nucleus_index INTEGER NOT NULL,               -- within the tile
    x REAL NOT NULL,                              -- centroid, level-0 pixels
    y REAL NOT NULL,
    area_um2 REAL NOT NULL,
    perimeter_um REAL NOT NULL,
    diameter_um REAL NOT NULL,                    -- the diameter of the disc of the same area
    eccentricity REAL NOT NULL,                   -- 0 for a circle, towards 1 for a line
    solidity REAL NOT NULL,                       -- area over its convex hull's area
    haematoxylin_od REAL NOT NULL,                -- mean haematoxylin optical density (Ruifrok-Johnston vectors)
    mean_probability REAL NOT NULL,               -- mean probability of the nucleus class over the nucleus
    region_class_index INTEGER,                   -- the class of the tissue around it (NULL: none around it)
    in_tissue INTEGER NOT NULL,                   -- 1 when the centroid lies in the slide's tissue mask
    outline BLOB NOT NULL,                        -- vertices as little-endian int16 pairs: offsets from
                                                  -- (round(x), round(y)) in 1/16 level-0 pixel, clockwise (y down)
    PRIMARY KEY (slide_run_id, tile_index, nucleus_index),
    FOREIGN KEY (slide_run_id, tile_index) REFERENCES tiles(slide_run_id, tile_index) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- Per slide run of a run that counted nuclei: nuclei in the tissue, per mm² of tissue (the tissue area of
-- slide_areas), their mean size and haematoxylin density. Nuclei outside the tissue mask (on glass or debris) are in
-- nuclei_outside_tissue and in no density.
CREATE VIEW slide_nuclei AS
SELECT
    a.run_uid,
    a.slide_run_id,
    a.fingerprint,
    a.slide_path,
    a.tissue_mm2,
    COALESCE(n.nuclei, 0) AS nuclei,
    CASE WHEN a.tissue_mm2 > 0 THEN COALESCE(n.nuclei, 0) / a.tissue_mm2 END AS nuclei_per_mm2_tissue,
    n.mean_area_um2,
    n.mean_diameter_um,
    n.mean_haematoxylin_od,
    COALESCE(n.outside, 0) AS nuclei_outside_tissue
FROM slide_areas a
JOIN slide_runs sr ON sr.id = a.slide_run_id
JOIN runs r ON r.id = sr.run_id
LEFT JOIN (
    SELECT slide_run_id, SUM(in_tissue) AS nuclei, SUM(1 - in_tissue) AS outside,
           SUM(area_um2 * in_tissue) / NULLIF(SUM(in_tissue), 0) AS mean_area_um2,
           SUM(diameter_um * in_tissue) / NULLIF(SUM(in_tissue), 0) AS mean_diameter_um,
           SUM(haematoxylin_od * in_tissue) / NULLIF(SUM(in_tissue), 0) AS mean_haematoxylin_od
    FROM nuclei GROUP BY slide_run_id
) n ON n.slide_run_id = a.slide_run_id
WHERE r.nucleus_class_index IS NOT NULL;

-- Per slide run and tissue class (every class but the nucleus class): the nuclei in the tissue whose surrounding
-- tissue is of that class, and per mm² of that class's region. The region's area is the class's area in the tissue
-- plus its nuclei's own area (the class map gives nucleus pixels to the nucleus class), so that a density reads as a
-- pathologist counts it: nuclei per mm² of stroma, nuclei included.
CREATE VIEW slide_nuclei_by_region AS
SELECT
    ca.run_uid,
    ca.slide_run_id,
    ca.fingerprint,
    ca.slide_path,
    ca.class_index AS region_class_index,
    ca.class_name AS region_class,
    COALESCE(n.nuclei, 0) AS nuclei,
    COALESCE(ca.class_tissue_mm2, ca.class_mm2) + COALESCE(n.nuclei_um2, 0) / 1e6 AS region_mm2,
    CASE WHEN COALESCE(ca.class_tissue_mm2, ca.class_mm2) + COALESCE(n.nuclei_um2, 0) / 1e6 > 0
         THEN COALESCE(n.nuclei, 0) / (COALESCE(ca.class_tissue_mm2, ca.class_mm2) + COALESCE(n.nuclei_um2, 0) / 1e6)
    END AS nuclei_per_mm2
FROM slide_class_areas ca
JOIN slide_runs sr ON sr.id = ca.slide_run_id
JOIN runs r ON r.id = sr.run_id
LEFT JOIN (
    SELECT slide_run_id, region_class_index, COUNT(*) AS nuclei, SUM(area_um2) AS nuclei_um2
    FROM nuclei WHERE in_tissue = 1 GROUP BY slide_run_id, region_class_index
) n ON n.slide_run_id = ca.slide_run_id AND n.region_class_index = ca.class_index
WHERE r.nucleus_class_index IS NOT NULL AND ca.class_index != r.nucleus_class_index;

-- Per run that counted nuclei: nuclei in the tissue of its slides, and per mm² of their tissue.
CREATE VIEW run_nuclei AS
SELECT
    s.run_uid,
    COUNT(*) AS slides,
    SUM(s.nuclei) AS nuclei,
    SUM(s.tissue_mm2) AS tissue_mm2,
    CASE WHEN SUM(s.tissue_mm2) > 0 THEN SUM(s.nuclei) / SUM(s.tissue_mm2) END AS nuclei_per_mm2_tissue
FROM slide_nuclei s
GROUP BY s.run_uid;

-- migration: v8-slide-qc

-- Slide quality control (issue 26): pen marks, out-of-focus tissue, folds and bubble edges, found by the TesseraQC
-- checks on a low-resolution image of the whole slide (README, "Slide quality control"), with the slide's own tissue
-- mask. NULL columns and no rows: the run did not look (QC off, or rows written before this migration).
-- A verdict of review or fail is also a review_flags row, code 'qc_artefacts' (value: qc_artefact_tissue_fraction).

-- Per slide run: the verdict ('pass', 'review' or 'fail'), why, and the share of the tissue under any artefact (the
-- union of the kinds, so tissue under two counts once). qc_mpp is the resolution the checks ran at (µm per pixel).
ALTER TABLE slide_runs ADD COLUMN qc_verdict TEXT;
ALTER TABLE slide_runs ADD COLUMN qc_reason TEXT;
ALTER TABLE slide_runs ADD COLUMN qc_artefact_tissue_fraction REAL;
ALTER TABLE slide_runs ADD COLUMN qc_mpp REAL;

-- Per run: 1 when it was asked to leave artefact-flagged tissue out of the class areas and shares it reports
-- (--exclude-artefacts). The records are the same either way; the views below give both figures.
ALTER TABLE runs ADD COLUMN exclude_artefacts INTEGER NOT NULL DEFAULT 0;

-- Per slide run and artefact kind ('pen', 'blur', 'fold', 'bubble_edge', or a lab's own): the kind's area in mm²
-- (on glass or tissue), its area inside the tissue, and that area's share of the slide's tissue (as QC measured
-- the tissue, on its own image). One row per kind the run looked for, zero areas included.
CREATE TABLE slide_qc (
    slide_run_id INTEGER NOT NULL REFERENCES slide_runs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    area_mm2 REAL NOT NULL,
    tissue_area_mm2 REAL NOT NULL,
    tissue_fraction REAL NOT NULL,
    PRIMARY KEY (slide_run_id, kind)
) STRICT, WITHOUT ROWID;

-- Per planned tile and artefact kind: the fraction of the tile's own window the kind covers (glass or tissue),
-- measured on the QC image. Only tiles and kinds with a fraction above 0 have a row. Written at planning for every
-- planned tile, so a tile with no row in `tiles` (skipped for too little tissue, or `tessera qc`) can have rows.
CREATE TABLE tile_qc (
    slide_run_id INTEGER NOT NULL REFERENCES slide_runs(id) ON DELETE CASCADE,
    tile_index INTEGER NOT NULL,
    kind TEXT NOT NULL,
    fraction REAL NOT NULL,
    PRIMARY KEY (slide_run_id, tile_index, kind)
) STRICT, WITHOUT ROWID;

-- Per tile and class: the fraction of the own window that is tissue, assigned to the class AND under an artefact
-- (the union of the QC kinds' masks), counted on the model pixels tissue_area_fraction counts. So the flagged
-- tissue of a tile is the sum over its classes, and a class's area without artefacts is tissue_area_fraction minus
-- this. NULL when the run did no QC.
ALTER TABLE tile_predictions ADD COLUMN artefact_area_fraction REAL;

-- Per slide, run and class: the class's area inside the tissue with and without the artefact-flagged tissue, and
-- both shares of the tissue. class_clean_tissue_mm2 = class_tissue_mm2 - class_artefact_mm2; the clean tissue is
-- tissue_mm2 minus all classes' class_artefact_mm2, so the clean shares add up to 1 over a slide run's classes.
-- Without QC (artefact fractions NULL) the clean figures are the plain ones and qc_done is 0.
CREATE VIEW slide_class_areas_clean AS
SELECT
    ca.run_uid,
    ca.slide_run_id,
    ca.fingerprint,
    ca.slide_path,
    ca.class_index,
    ca.class_name,
    ca.tissue_mm2,
    ca.class_tissue_mm2,
    COALESCE(q.class_artefact_px, 0.0) * a.mpp_x * a.mpp_y / 1e6 AS class_artefact_mm2,
    ca.class_tissue_mm2 - COALESCE(q.class_artefact_px, 0.0) * a.mpp_x * a.mpp_y / 1e6 AS class_clean_tissue_mm2,
    ca.tissue_mm2 - COALESCE(f.artefact_px, 0.0) * a.mpp_x * a.mpp_y / 1e6 AS clean_tissue_mm2,
    ca.fraction_of_tissue,
    CASE WHEN a.tissue_px - COALESCE(f.artefact_px, 0.0) > 0
         THEN (ca.class_tissue_mm2 - COALESCE(q.class_artefact_px, 0.0) * a.mpp_x * a.mpp_y / 1e6)
              / ((a.tissue_px - COALESCE(f.artefact_px, 0.0)) * a.mpp_x * a.mpp_y / 1e6) END AS clean_fraction_of_tissue,
    f.artefact_px IS NOT NULL AS qc_done
FROM slide_class_areas ca
JOIN slide_areas a ON a.slide_run_id = ca.slide_run_id
LEFT JOIN (
    SELECT tp.slide_run_id, tp.class_index, SUM(t.width * t.height * tp.artefact_area_fraction) AS class_artefact_px
    FROM tile_predictions tp
    JOIN tiles t ON t.slide_run_id = tp.slide_run_id AND t.tile_index = tp.tile_index
    GROUP BY tp.slide_run_id, tp.class_index
) q ON q.slide_run_id = ca.slide_run_id AND q.class_index = ca.class_index
LEFT JOIN (
    SELECT tp.slide_run_id, SUM(t.width * t.height * tp.artefact_area_fraction) AS artefact_px
    FROM tile_predictions tp
    JOIN tiles t ON t.slide_run_id = tp.slide_run_id AND t.tile_index = tp.tile_index
    GROUP BY tp.slide_run_id
) f ON f.slide_run_id = ca.slide_run_id;

-- Per slide run: the QC verdict, why, and per kind the area (mm²) and share of tissue as columns (NULL: no QC).
CREATE VIEW slide_qc_summary AS
SELECT
    sr.id AS slide_run_id,
    sr.qc_verdict,
    sr.qc_reason,
    sr.qc_artefact_tissue_fraction,
    (SELECT area_mm2 FROM slide_qc q WHERE q.slide_run_id = sr.id AND q.kind = 'pen') AS pen_mm2,
    (SELECT area_mm2 FROM slide_qc q WHERE q.slide_run_id = sr.id AND q.kind = 'blur') AS blur_mm2,
    (SELECT area_mm2 FROM slide_qc q WHERE q.slide_run_id = sr.id AND q.kind = 'fold') AS fold_mm2,
    (SELECT area_mm2 FROM slide_qc q WHERE q.slide_run_id = sr.id AND q.kind = 'bubble_edge') AS bubble_edge_mm2,
    (SELECT group_concat(kind || ':' || printf('%.4f', area_mm2), ',')
     FROM (SELECT kind, area_mm2 FROM slide_qc q WHERE q.slide_run_id = sr.id AND q.area_mm2 > 0 ORDER BY kind))
        AS qc_artefacts
FROM slide_runs sr;

-- migration: v9-density-and-qc-maps

-- Artefacts gain two kinds: 'nuclei_density' (nuclei per mm² of tissue on a grid, a float32 TIFF written from
-- nuclei_density below; issue 27) and 'qc_mask' (a slide run's QC artefact map, issue 26: one uint8 pixel per QC
-- pixel, 2 µm by default, over the whole slide, bit k set where the k-th artefact kind named in the file's
-- description was flagged: pen 1, blur 2, fold 4, bubble_edge 8 with the standard checks, 0 no artefact; the GeoJSON
-- export traces its QC regions from it and `tessera serve` draws its QC layer from it).
-- A CHECK cannot change in place: the table is made again and its rows copied (as v6 did).
CREATE TABLE artefacts_v9 (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    slide_run_id INTEGER REFERENCES slide_runs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('class_map', 'model_class_map', 'overlay', 'probability', 'geojson', 'report',
                                       'nuclei_density', 'qc_mask')),
    class_index INTEGER,
    path TEXT NOT NULL UNIQUE,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    written_at TEXT NOT NULL,
    adopted INTEGER NOT NULL DEFAULT 0,
    removed_at TEXT
) STRICT;
INSERT INTO artefacts_v9 (id, run_id, slide_run_id, kind, class_index, path, size_bytes, sha256, written_at, adopted,
                          removed_at)
SELECT id, run_id, slide_run_id, kind, class_index, path, size_bytes, sha256, written_at, adopted, removed_at
FROM artefacts;
DROP TABLE artefacts;
ALTER TABLE artefacts_v9 RENAME TO artefacts;
CREATE INDEX artefacts_by_slide_run ON artefacts(slide_run_id);

-- The nuclei density grid (issue 27): square cells of nuclei_density_cell_um µm along x (d = that / mpp_x level-0
-- pixels on a side; cell (cell_x, cell_y) covers level-0 [cell_x * d, (cell_x + 1) * d) x [cell_y * d, ...)).
-- NULL: no grid (the run did not count nuclei, or its rows predate this migration).
ALTER TABLE slide_runs ADD COLUMN nuclei_density_cell_um REAL;

-- Per cell with tissue or nuclei: the nuclei in the tissue whose centroid lies in it, and its tissue area (the
-- plan's tissue mask, the mask in_tissue and slide_areas use). Written when the slide run finishes, in one
-- transaction; a resumed slide run writes it again.
CREATE TABLE nuclei_density (
    slide_run_id INTEGER NOT NULL REFERENCES slide_runs(id) ON DELETE CASCADE,
    cell_x INTEGER NOT NULL,
    cell_y INTEGER NOT NULL,
    nuclei INTEGER NOT NULL,
    tissue_um2 REAL NOT NULL,
    PRIMARY KEY (slide_run_id, cell_x, cell_y)
) STRICT, WITHOUT ROWID;

-- The grid as people read it: each cell's level-0 origin and side, its tissue share, and nuclei per mm² of its
-- tissue. The density is NULL where tissue covers under a quarter of the cell: at a tissue edge a few nuclei over a
-- sliver of tissue would read as a hot spot. The density TIFF and the viewer's layer are drawn from this view.
CREATE VIEW slide_nuclei_density AS
SELECT
    r.run_uid,
    d.slide_run_id,
    sr.slide_path,
    sr.nuclei_density_cell_um AS cell_um,
    d.cell_x,
    d.cell_y,
    sr.nuclei_density_cell_um / sr.mpp_x AS cell_level0_px,
    d.cell_x * sr.nuclei_density_cell_um / sr.mpp_x AS x,
    d.cell_y * sr.nuclei_density_cell_um / sr.mpp_x AS y,
    d.nuclei,
    d.tissue_um2 / 1e6 AS tissue_mm2,
    d.tissue_um2 / (sr.nuclei_density_cell_um * sr.nuclei_density_cell_um * sr.mpp_y / sr.mpp_x) AS tissue_fraction,
    CASE WHEN d.tissue_um2 >= 0.25 * sr.nuclei_density_cell_um * sr.nuclei_density_cell_um * sr.mpp_y / sr.mpp_x
         THEN d.nuclei / (d.tissue_um2 / 1e6) END AS nuclei_per_mm2_tissue
FROM nuclei_density d
JOIN slide_runs sr ON sr.id = d.slide_run_id
JOIN runs r ON r.id = sr.run_id;
