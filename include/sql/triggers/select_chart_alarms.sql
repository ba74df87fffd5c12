-- Control-chart points of a model that were out of control (EWMA or CUSUM) in the nights :since..:night:
-- the drift signal counts them per night and feature. Parameters: :model, :since, :night (dates).
with points as (
    select window_date, series, chart, value, statistic, ucl, lcl, run_id
    from control_chart_points
    where model = :model
      and window_date between :since and :night
      and chart in ('ewma', 'cusum')
      and state = 'out_of_control'
      and (series like 'drift:%' or series like 'mean:%')
)

select window_date, series, chart, value, statistic, ucl, lcl, run_id
from points
order by window_date, series, chart
