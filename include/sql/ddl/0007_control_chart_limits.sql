-- 0007 control charts at their stated false-alarm rate (issue 17): where each point's limits came from,
-- the restart it belongs to and the alert episode it is part of; and the restarts people or
-- retraining ask for. Portable SQL (DuckDB and PostgreSQL). Never edit: add a new file.

-- reference: known in-control centre and sigma from the model's reference profile and the night's rows;
-- phase_i: estimated from the Phase I nights phase_i_from..phase_i_to, width calibrated (adjustment);
-- provisional: Phase I not complete yet, shown and never alarming; null while there are no limits.
alter table control_chart_points add column limits_source text;
alter table control_chart_points add column phase_i_from date;
alter table control_chart_points add column phase_i_to date;
alter table control_chart_points add column phase_i_nights integer;
alter table control_chart_points add column adjustment text;       -- e.g. calibrated L=3.590: P(false signal in 60) = 15.0% (ARL0 370), 20 Phase I points
alter table control_chart_points add column segment_from date;     -- the night the chart last (re)started
alter table control_chart_points add column restart_reason text;   -- why it restarted then (null: the series' first night)
alter table control_chart_points add column episode_from date;     -- first night of the alert episode this point belongs to
alter table control_chart_points add column note text;

-- What the model's registry entry was on each night (a hash of its log, labels, columns, features,
-- reference, thresholds and monitoring policy): a change restarts the model's charts.
alter table monitoring_runs add column registry_fingerprint text;

-- A handled signal, a retraining or a deliberate restart: the series' EWMA/CUSUM start anew on
-- restart_date (series '*' for every series of the model). Written by people and the retraining flow.
create table control_chart_restarts (
    model text not null,
    series text not null,            -- a series name (mean:pages_viewed) or '*'
    restart_date date not null,
    kind text not null,              -- acknowledged | retraining | registry_change
    reason text not null,
    recorded_by text,
    recorded_at timestamptz not null
);

create index control_chart_restarts_model_idx on control_chart_restarts (model, restart_date);
