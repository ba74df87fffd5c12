-- 0015 retraining runs: one row per model_retraining run (the DAG, or `steward retrain`), from the
-- trained challenger to its outcome. The row is replaced as the run moves on (trained -> evaluated ->
-- promoted | rejected | awaiting_approval | failed); the history of what happened to the versions is
-- in model_events (0013). comparison_json holds the champion/challenger statistics on the same
-- holdout (AUCs, DeLong z/p, McNemar statistic/p, bootstrap interval of the AUC difference, margin,
-- where the champion's scores came from); gates_json each gate's verdict and reasons in words.
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL. JSON is stored as text.

create table retraining_runs (
    run_id text not null,
    model text not null,
    decision_id text,                    -- retraining_decisions.decision_id that fired it (NULL: manual)
    challenger_version text,             -- NULL when training failed before a version existed
    champion_version text,               -- NULL for a first version
    started_at timestamptz not null,
    finished_at timestamptz,
    status text not null,                -- trained | evaluated | promoted | rejected | awaiting_approval | failed
    reason text not null,
    comparison_json text not null,
    gates_json text not null,
    primary key (run_id, model)
);
