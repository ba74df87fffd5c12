-- Breaches of one kind (e.g. fairness) in the nights :since..:night, of one model or of every model.
-- Parameters: :model (null: every model), :kind, :since, :night.
with breaches as (
    select model, window_date, subject, value, threshold, message, run_id
    from monitoring_breaches
    where (cast(:model as text) is null or model = cast(:model as text))
      and kind = :kind
      and window_date between :since and :night
)

select model, window_date, subject, value, threshold, message, run_id
from breaches
order by model, window_date, subject
