-- 0014 retraining decisions (issue 11, steward.triggers): one row per model x night x evaluation of its
-- retraining policy (fire | defer | skip | no_action) with the evidence and the reason in words, and the
-- manual retraining requests people file (`steward retraining request`), consumed by the decision that
-- fires on them. Portable SQL (DuckDB and PostgreSQL). JSON is stored as text. Never edit: add a new file.

create table retraining_decisions (
    decision_id text primary key,        -- deterministic: hash of model, night and the policy's fingerprint
    model text not null,
    night date not null,                 -- the monitored window the decision was made on
    evaluated_at timestamptz not null,   -- the clock the policy was evaluated at (windows, cool-down)
    run_id text not null,                -- the trigger DAG run (or cli-...) that evaluated it
    action text not null,                -- fire | defer | skip | no_action
    policy text not null,                -- the signals that held (e.g. drift+performance), or none
    signals_json text not null,          -- every signal: holds, urgent, summary, its own evidence
    evidence_json text not null,         -- thresholds, windows, metric values, source run ids, guards
    guard text,                          -- skip: cooldown | cost_budget | carbon_budget | retraining_running
    deferred_until timestamptz,          -- defer: when the retraining becomes due (window or deadline)
    reason text not null,                -- the decision in words
    triggered_run_id text                -- fire: the model_retraining run it starts
);

create index retraining_decisions_model_night_idx on retraining_decisions (model, night);

create table retraining_requests (
    request_id text primary key,         -- hash of model, requested_at and reason
    model text not null,
    requested_at timestamptz not null,
    requested_by text not null,
    reason text not null,
    consumed_by text                     -- the decision_id that fired on it; null while pending
);

create index retraining_requests_model_idx on retraining_requests (model);
