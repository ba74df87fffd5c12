-- 0021 evidence as of a night: what each monitoring night measured, kept per night, so that a
-- retraining decision evaluated later (a rerun, a backfill, the demo) reads exactly what its night knew.
-- model_performance and fairness_metrics keep only a window's latest measurement (monitoring recomputes
-- the windows of its label horizon every night as labels arrive); these tables keep every night's.
-- Written by the monitoring night in the same transaction as the latest-only tables, replaced by
-- (model, measured_night): a rerun of night n rewrites its own rows only.
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL. Never edit: add a new file.

-- The monitoring nights that recorded their measurements here: a decision on a night before a model's
-- first recorded night reads the latest-only tables and says so in its evidence (evidence_asof).
create table evidence_asof_nights (
    model text not null,
    measured_night date not null,    -- the monitoring night (its window_date)
    run_id text not null,
    computed_at timestamptz not null,
    primary key (model, measured_night)
);

-- Every model_performance row a monitoring night wrote, with the night that measured it.
create table model_performance_asof (
    model text not null,
    measured_night date not null,
    model_version text,
    window_date date not null,
    metric text not null,
    realized_value double precision,
    realized_status text not null,
    realized_bound double precision,
    estimated_value double precision,
    estimated_status text not null,
    estimate_error double precision,
    n bigint not null,
    n_labelled bigint not null,
    label_coverage double precision not null,
    baseline double precision,
    breach boolean not null,
    message text,
    run_id text not null,
    computed_at timestamptz not null
);

create index model_performance_asof_idx on model_performance_asof (model, metric, window_date, measured_night);

-- The windows a night evaluated fairness for (tonight's and the re-evaluated earlier ones), with the
-- number of gaps judged a breach: a window without breaches has a row here and none below.
create table fairness_windows_asof (
    model text not null,
    measured_night date not null,
    window_date date not null,
    breaches integer not null,
    run_id text not null,
    computed_at timestamptz not null
);

create index fairness_windows_asof_idx on fairness_windows_asof (model, window_date, measured_night);

-- The fairness_metrics gaps a monitoring night judged a breach (status 'breach'), per window it
-- evaluated (tonight's and the re-evaluated earlier ones), with the night that judged them.
create table fairness_breaches_asof (
    model text not null,
    measured_night date not null,
    window_date date not null,
    attribute text not null,
    group_value text not null,
    metric text not null,
    value double precision,
    tolerance double precision,
    note text,
    run_id text not null,
    computed_at timestamptz not null
);

create index fairness_breaches_asof_idx on fairness_breaches_asof (model, window_date, measured_night);
