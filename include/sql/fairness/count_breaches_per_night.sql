-- Every model x window evaluated for fairness and its number of breaches, for the index page.
select model, window_date, sum(case when status = 'breach' then 1 else 0 end) as breaches
from fairness_metrics
group by model, window_date
order by model, window_date
