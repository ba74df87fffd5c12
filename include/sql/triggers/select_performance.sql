-- Performance rows of one metric for the windows :since..:night, of one model or of every model: realized
-- and estimated values, the estimate's error where both exist, label coverage and the baseline.
-- Parameters: :model (null: every model), :metric, :since, :night.
with performance as (
    select
        model, window_date, realized_value, realized_status, estimated_value, estimated_status,
        estimate_error, n, n_labelled, label_coverage, baseline, breach, run_id
    from model_performance
    where (cast(:model as text) is null or model = cast(:model as text))
      and metric = :metric
      and window_date between :since and :night
)

select *
from performance
order by model, window_date
