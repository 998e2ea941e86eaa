-- description: Slides whose latest attempt failed or was interrupted (a slide that failed and then succeeded is not listed), with the error and how far they got.
SELECT
    r.run_uid,
    sr.slide_path,
    sr.status,
    sr.error,
    sr.tiles_written,
    sr.tiles_planned,
    sr.started_at
FROM latest_slide_runs sr
JOIN runs r ON r.id = sr.run_id
WHERE sr.status IN ('failed', 'interrupted', 'running')
ORDER BY r.started_at, sr.slide_path;
