-- The monitoring runs of a model in the nights :since..:night: the source run ids of a decision's evidence.
-- Parameters: :model, :since, :night.
with runs as (
    select window_date, status, run_id
    from monitoring_runs
    where model = :model
      and window_date between :since and :night
)

select window_date, status, run_id
from runs
order by window_date
