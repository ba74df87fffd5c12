-- Measured (codecarbon) energy and emissions of succeeded training runs per model over two periods:
-- the quarter (:start_day..:end_day) and the one before (:prev_start..:prev_end), by start day.
with runs as (
    select model, cast(started_at as date) as run_day, energy_kwh, co2e_kg, codecarbon_version
    from carbon_training_runs
    where status = 'succeeded'
),

periods as (
    select
        r.*,
        case when run_day >= :start_day then 'current' else 'previous' end as period
    from runs as r
    where (run_day >= :prev_start and run_day <= :prev_end) or (run_day >= :start_day and run_day <= :end_day)
)

select
    period,
    model,
    sum(energy_kwh) as energy_kwh,
    sum(co2e_kg) as co2e_kg,
    max(codecarbon_version) as codecarbon_version
from periods
group by period, model
order by period, model
