-- description: Per slide and run: status, whether it needs review and why, whether it is current or superseded by new content at its path, fingerprint, tiles, analysed and tissue area (mm²), and per class its area (mm²), its area inside the tissue (mm²), its share of the analysed area and its share of the tissue; where the run counted nuclei, the slide's nuclei in the tissue and per mm² of tissue, and per tissue class the nuclei in its region and per mm² of it; the slide QC's verdict and artefact areas (mm² per kind), and per class its area inside the tissue without artefact-flagged tissue and that share of the clean tissue.
-- param: run: only this run_uid (optional)
SELECT
    a.run_uid,
    a.slide_path,
    a.status,
    -- 'current', or 'superseded' when the file at slide_path was later found with other content (a rescan).
    CASE WHEN a.is_current THEN 'current' ELSE 'superseded' END AS currency,
    a.fingerprint,
    -- 1 when the slide's numbers need a person's eye, and why (review_flags codes; README "Slides that need review").
    v.needs_review,
    v.review_reasons,
    -- The slide QC (README "Slide quality control"): 'pass', 'review' or 'fail' (NULL: no QC), and the artefact
    -- areas found, as kind:mm² pairs (slide_qc).
    q.qc_verdict,
    q.qc_artefacts,
    a.tiles,
    ROUND(a.analysed_mm2, 4) AS analysed_mm2,
    ROUND(a.tissue_mm2, 4) AS tissue_mm2,
    ca.class_name,
    ROUND(ca.class_mm2, 4) AS class_mm2,
    ROUND(ca.class_tissue_mm2, 4) AS class_tissue_mm2,
    -- Two shares, one denominator each; each adds up to 1 over a slide run's classes. fraction_of_analysed: the
    -- class's area over the analysed tiles (glass included); fraction_of_tissue: the class's area inside the tissue
    -- over the tissue area.
    ROUND(ca.fraction_of_analysed, 4) AS fraction_of_analysed,
    ROUND(ca.fraction_of_tissue, 4) AS fraction_of_tissue,
    -- Without the tissue the QC flagged (slide_class_areas_clean): the class's area inside clean tissue and its share
    -- of the clean tissue (what --exclude-artefacts reports); equal to the two above without QC.
    ROUND(cc.class_clean_tissue_mm2, 4) AS class_clean_tissue_mm2,
    ROUND(cc.clean_fraction_of_tissue, 4) AS clean_fraction_of_tissue,
    -- Nuclei in the tissue (slide_nuclei) and, on each tissue class's row, those whose surrounding tissue is of that
    -- class (slide_nuclei_by_region); NULL where the run did not count nuclei (and on the nucleus class's own row).
    n.nuclei,
    ROUND(n.nuclei_per_mm2_tissue, 1) AS nuclei_per_mm2_tissue,
    nr.nuclei AS region_nuclei,
    ROUND(nr.nuclei_per_mm2, 1) AS region_nuclei_per_mm2
FROM slide_areas a
JOIN slide_class_areas ca ON ca.slide_run_id = a.slide_run_id
JOIN slide_review v ON v.slide_run_id = a.slide_run_id
JOIN slide_qc_summary q ON q.slide_run_id = a.slide_run_id
JOIN slide_class_areas_clean cc ON cc.slide_run_id = a.slide_run_id AND cc.class_index = ca.class_index
LEFT JOIN slide_nuclei n ON n.slide_run_id = a.slide_run_id
LEFT JOIN slide_nuclei_by_region nr ON nr.slide_run_id = a.slide_run_id AND nr.region_class_index = ca.class_index
WHERE :run IS NULL OR a.run_uid = :run
ORDER BY a.run_uid, a.slide_path, a.slide_run_id, ca.class_index;
