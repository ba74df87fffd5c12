-- When Steward's own jobs ran, for the off-peak / low-carbon window findings (steward.finance.window_findings):
-- data-quality nights (dq_runs: validated_at is the end, duration_s the length), monitoring nights
-- (monitoring_runs: computed_at and duration_s) and retraining runs (retraining_runs, with the training's
-- own times, energy and cloud region from carbon_training_runs when codecarbon measured it). Nightly jobs
-- are those of the period's partitions; retraining runs those whose decision's night is in the period
-- (runs without a decision are kept here and filtered on their start date in Python).
-- Portable SQL, run in the warehouse (DuckDB or PostgreSQL).

with

dq as (
    select
        'data_quality' as job_kind,
        dataset as job,
        partition_date as job_date,
        run_id,
        cast(null as timestamptz) as started_at,
        validated_at as ended_at,
        duration_s,
        cast(null as double precision) as energy_kwh,
        cast(null as text) as cloud_provider,
        cast(null as text) as cloud_region
    from dq_runs
    where partition_date >= :start_day and partition_date < :end_day
),

monitoring as (
    select
        'monitoring' as job_kind,
        model as job,
        window_date as job_date,
        run_id,
        cast(null as timestamptz) as started_at,
        computed_at as ended_at,
        duration_s,
        cast(null as double precision) as energy_kwh,
        cast(null as text) as cloud_provider,
        cast(null as text) as cloud_region
    from monitoring_runs
    where window_date >= :start_day and window_date < :end_day
),

retraining as (
    select
        'retraining' as job_kind,
        r.model as job,
        d.night as job_date,
        r.run_id,
        coalesce(c.started_at, r.started_at) as started_at,
        coalesce(c.ended_at, r.finished_at) as ended_at,
        c.duration_s,
        c.energy_kwh,
        c.cloud_provider,
        c.cloud_region
    from retraining_runs as r
    left join retraining_decisions as d on d.decision_id = r.decision_id
    left join carbon_training_runs as c on c.run_id = r.run_id and c.model = r.model
    where d.night is null or (d.night >= :start_day and d.night < :end_day)
)

select * from dq
union all
select * from monitoring
union all
select * from retraining
order by job_kind, job, job_date, run_id
