-- 0010 one-off audits: every `steward fairness audit FILE ...` and `steward monitor files REF CUR` run,
-- with its inputs, options and the warnings the user was shown. Their results are stored under the
-- name space `adhoc-<name>` in the fairness and monitoring tables, never under a registered model.
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL. JSON is stored as text.

create table adhoc_runs (
    run_id text not null,
    kind text not null,                  -- fairness_audit | drift_comparison
    stored_as text not null,             -- the model value of its rows: adhoc-<name>
    window_date date not null,
    files_json text not null,
    options_json text not null,
    warnings_json text not null,         -- what was printed to the user and shown in the report
    summary text not null,
    computed_at timestamptz not null,
    primary key (run_id, kind)
);
