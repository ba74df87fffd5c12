-- Every monitoring breach, newest night first, for the overview page.
select model, window_date, kind, subject, message
from monitoring_breaches
order by window_date desc, model, kind, subject
