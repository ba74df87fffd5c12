-- Monitoring runs in the nights :since..:night, of one model or of every model: the source run ids of a
-- decision's evidence. Parameters: :model (null: every model), :since, :night.
with runs as (
    select model, window_date, status, run_id
    from monitoring_runs
    where (cast(:model as text) is null or model = cast(:model as text))
      and window_date between :since and :night
)

select model, window_date, status, run_id
from runs
order by model, window_date
