-- Each model's performance metrics for its latest window (the Governance page).
with performance as (
    select model, window_date, metric, realized_value, realized_status, estimated_value, breach, run_id
    from model_performance
),

latest as (
    select model, max(window_date) as window_date
    from performance
    group by model
)

select performance.*
from performance
inner join latest on performance.model = latest.model and performance.window_date = latest.window_date
order by performance.model, performance.metric
