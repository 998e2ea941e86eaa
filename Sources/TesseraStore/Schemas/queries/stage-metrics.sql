-- description: Per run and pipeline stage: items, busy seconds and seconds spent waiting on input and on output.
-- param: run: only this run_uid (optional)
SELECT
    r.run_uid,
    m.stage,
    m.items,
    ROUND(m.busy_seconds, 3) AS busy_seconds,
    ROUND(m.waiting_on_input_seconds, 3) AS waiting_on_input_seconds,
    ROUND(m.waiting_on_output_seconds, 3) AS waiting_on_output_seconds
FROM stage_metrics m
JOIN runs r ON r.id = m.run_id
WHERE :run IS NULL OR r.run_uid = :run
ORDER BY r.started_at, m.stage;
