-- Each model's fairness verdicts for its latest window: rows judged and breaches (the Governance page).
with fairness as (
    select model, window_date, status, run_id
    from fairness_metrics
),

latest as (
    select model, max(window_date) as window_date
    from fairness
    group by model
)

select
    fairness.model,
    fairness.window_date,
    count(*) as metrics_n,
    sum(case when fairness.status = 'breach' then 1 else 0 end) as breaches_n,
    max(fairness.run_id) as run_id
from fairness
inner join latest on fairness.model = latest.model and fairness.window_date = latest.window_date
group by fairness.model, fairness.window_date
order by fairness.model
