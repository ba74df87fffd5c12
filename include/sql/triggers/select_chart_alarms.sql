-- Control-chart points that were out of control (EWMA or CUSUM) in the nights :since..:night, of one
-- model or of every model: the drift signal counts them per night and feature. A point's run_id is the
-- monitoring run of its window (whose drift_metrics it charts): control_chart_points carries the run
-- that last recomputed the model's charts, a later night when the decision is evaluated late.
-- Parameters: :model (null: every model), :since, :night (dates).
with points as (
    select model, window_date, series, chart, value, statistic, ucl, lcl, run_id
    from control_chart_points
    where (cast(:model as text) is null or model = cast(:model as text))
      and window_date between :since and :night
      and chart in ('ewma', 'cusum')
      and state = 'out_of_control'
      and (series like 'drift:%' or series like 'mean:%')
),

runs as (
    select model, window_date, run_id
    from monitoring_runs
    where (cast(:model as text) is null or model = cast(:model as text))
      and window_date between :since and :night
),

alarms as (
    select
        p.model, p.window_date, p.series, p.chart, p.value, p.statistic, p.ucl, p.lcl,
        coalesce(r.run_id, p.run_id) as run_id
    from points as p
    left join runs as r on p.model = r.model and p.window_date = r.window_date
)

select model, window_date, series, chart, value, statistic, ucl, lcl, run_id
from alarms
order by model, window_date, series, chart
