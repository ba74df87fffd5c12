-- Breaches of one kind (e.g. fairness) of a model in the nights :since..:night.
-- Parameters: :model, :kind, :since, :night.
with breaches as (
    select window_date, subject, value, threshold, message, run_id
    from monitoring_breaches
    where model = :model
      and kind = :kind
      and window_date between :since and :night
)

select window_date, subject, value, threshold, message, run_id
from breaches
order by window_date, subject
