-- Every monitoring night of every model, for the overview page.
select model, window_date, status, message, report_path
from monitoring_runs
order by model, window_date
