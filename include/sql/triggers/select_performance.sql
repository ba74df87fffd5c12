-- A model's performance rows of one metric for the windows :since..:night: realized and estimated values,
-- the estimate's error where both exist, label coverage and the baseline. Parameters: :model, :metric,
-- :since, :night.
with performance as (
    select
        window_date, realized_value, realized_status, estimated_value, estimated_status, estimate_error,
        n, n_labelled, label_coverage, baseline, breach, run_id
    from model_performance
    where model = :model
      and metric = :metric
      and window_date between :since and :night
)

select *
from performance
order by window_date
