-- description: Per run: slides done and failed, tiles, analysed and tissue area (mm²), and per-class totals.
-- param: run: only this run_uid (optional)
SELECT
    t.run_uid,
    t.status,
    t.slides,
    t.slides_done,
    t.slides_failed,
    t.tiles,
    ROUND(t.tissue_mm2, 4) AS tissue_mm2,
    c.class_name,
    ROUND(c.class_mm2, 4) AS class_mm2,
    ROUND(c.fraction_of_tissue, 4) AS fraction_of_tissue
FROM run_totals t
LEFT JOIN run_class_totals c ON c.run_uid = t.run_uid
WHERE :run IS NULL OR t.run_uid = :run
ORDER BY t.started_at, t.run_uid, c.class_index;
