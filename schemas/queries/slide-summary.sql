-- description: Per slide and run: status, tiles, tissue area (mm²) and each class's area (mm²) and share of the tissue.
-- param: run: only this run_uid (optional)
SELECT
    a.run_uid,
    a.slide_path,
    a.status,
    a.tiles,
    ROUND(a.tissue_mm2, 4) AS tissue_mm2,
    ca.class_name,
    ROUND(ca.class_mm2, 4) AS class_mm2,
    ROUND(ca.fraction_of_tissue, 4) AS fraction_of_tissue
FROM slide_areas a
JOIN slide_class_areas ca ON ca.slide_run_id = a.slide_run_id
WHERE :run IS NULL OR a.run_uid = :run
ORDER BY a.run_uid, a.slide_path, ca.class_index;
