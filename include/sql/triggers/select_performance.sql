-- Performance rows of one metric for the windows :since..:night, of one model or of every model, as the
-- night knew them: realized and estimated values, the estimate's error where both exist, label coverage
-- and the baseline. model_performance keeps only each window's latest measurement (monitoring recomputes
-- the label horizon every night), so a window's row is the one the last monitoring night <= :night
-- measured (model_performance_asof, DDL 0021). From model_performance instead: windows last measured
-- before the model's first recorded night (exact: no later night measured them), and every window when
-- :night is before that first night (the decision's evidence_asof says "latest").
-- Parameters: :model (null: every model), :metric, :since, :night.
with recorded as (
    select model, min(measured_night) as first_night
    from evidence_asof_nights
    where (cast(:model as text) is null or model = cast(:model as text))
    group by model
),

measured as (
    select
        h.model, h.window_date, h.realized_value, h.realized_status, h.estimated_value,
        h.estimated_status, h.estimate_error, h.n, h.n_labelled, h.label_coverage, h.baseline, h.breach,
        h.run_id,
        row_number() over (partition by h.model, h.window_date order by h.measured_night desc) as newest
    from model_performance_asof as h
    inner join recorded as r on h.model = r.model and r.first_night <= :night
    where h.metric = :metric
      and h.window_date between :since and :night
      and h.measured_night <= :night
),

latest as (
    select
        p.model, p.window_date, p.realized_value, p.realized_status, p.estimated_value,
        p.estimated_status, p.estimate_error, p.n, p.n_labelled, p.label_coverage, p.baseline, p.breach,
        p.run_id
    from model_performance as p
    left join recorded as r on p.model = r.model
    where (cast(:model as text) is null or p.model = cast(:model as text))
      and p.metric = :metric
      and p.window_date between :since and :night
      and (r.first_night is null or r.first_night > :night or p.window_date < r.first_night)
      and not exists (
          select 1 from measured as m where m.model = p.model and m.window_date = p.window_date
      )
),

performance as (
    select
        model, window_date, realized_value, realized_status, estimated_value, estimated_status,
        estimate_error, n, n_labelled, label_coverage, baseline, breach, run_id
    from measured
    where newest = 1
    union all
    select * from latest
)

select *
from performance
order by model, window_date
