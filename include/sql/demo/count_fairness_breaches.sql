-- The number of fairness gaps in breach per model and night.
select model, window_date, count(*) as n
from fairness_metrics
where status = 'breach'
group by model, window_date
order by model, window_date
