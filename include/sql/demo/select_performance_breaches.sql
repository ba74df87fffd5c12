-- The performance breaches of every model's nights (monitoring_breaches), oldest first.
select model, window_date, message
from monitoring_breaches
where kind = 'performance'
order by model, window_date
