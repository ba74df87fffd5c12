-- 0013 the model registry: versions, and their aliases and lifecycle stages as append-only events.
-- A version row is written once (its training evidence and model card); everything that happens to it
-- afterwards (an alias set or removed, a stage change, an approval, a rollback, a decommission) is one
-- model_events row with who, when, why and the evidence's run id. Nothing is updated in place: the
-- current aliases and stages are views over the events (the newest event per model x alias and per
-- model x version, by the per-model sequence number `seq`).
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL. JSON is stored as text.

create table model_versions (
    model text not null,
    version text not null,
    created_at timestamptz not null,
    run_id text,                         -- the run that trained (or registered) it
    training_windows_json text not null, -- [{"dataset": ..., "start": ..., "end": ...}]
    data_fingerprint text,               -- hash of the partitions used (quarantined ones excluded)
    code_version text,                   -- git commit when available
    trainer text,                        -- dotted path module:function
    params_json text not null,
    holdout_metrics_json text not null,
    holdout_fairness_json text not null,
    energy_kwh double precision,
    emissions_kg double precision,
    gpu_utilization double precision,    -- mean NVML utilization (0-100); NULL on CPU-only machines
    training_cost double precision,
    artifact_uri text,
    card_json text not null,             -- the model card declared in the registry at registration
    primary key (model, version)
);

create table model_events (
    event_id text primary key,           -- deterministic: a rerun writes no duplicate
    seq bigint not null,                 -- per-model order of the events (1, 2, ...)
    model text not null,
    version text not null,
    kind text not null check (kind in (
        'registered', 'alias_set', 'alias_removed', 'stage_changed', 'approval_requested',
        'approved', 'rejected', 'rollback', 'decommissioned'
    )),
    alias text,
    stage text check (stage in ('candidate', 'staging', 'production', 'archived', 'decommissioned')),
    actor text not null,
    reason text not null,
    evidence_run_id text,
    occurred_at timestamptz not null,
    details_json text not null
);

create view model_aliases_current as
select model, alias, version, occurred_at as set_at, actor
from (
    select
        e.*,
        row_number() over (partition by model, alias order by seq desc, event_id desc) as newest_first
    from model_events as e
    where alias is not null
) as ranked
where newest_first = 1 and kind <> 'alias_removed';

create view model_stage_current as
select model, version, stage, occurred_at as since
from (
    select
        e.*,
        row_number() over (partition by model, version order by seq desc, event_id desc) as newest_first
    from model_events as e
    where stage is not null
) as ranked
where newest_first = 1;
