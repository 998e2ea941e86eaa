-- description: Every run with its provenance: version, commit, model, precision, status, start and finish times, host.
SELECT
    run_uid,
    status,
    tessera_version,
    git_commit,
    pipeline_name,
    model_name,
    substr(model_sha256, 1, 12) AS model_sha256,
    precision,
    substr(quantized_model_sha256, 1, 12) AS quantized_model_sha256,
    host,
    threads,
    started_at,
    finished_at
FROM runs
ORDER BY started_at, run_uid;
