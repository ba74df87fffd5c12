-- Control-chart points that were out of control (EWMA or CUSUM) in the nights :since..:night, of one
-- model or of every model: the drift signal counts them per night and feature.
-- Parameters: :model (null: every model), :since, :night (dates).
with points as (
    select model, window_date, series, chart, value, statistic, ucl, lcl, run_id
    from control_chart_points
    where (cast(:model as text) is null or model = cast(:model as text))
      and window_date between :since and :night
      and chart in ('ewma', 'cusum')
      and state = 'out_of_control'
      and (series like 'drift:%' or series like 'mean:%')
)

select model, window_date, series, chart, value, statistic, ucl, lcl, run_id
from points
order by model, window_date, series, chart
