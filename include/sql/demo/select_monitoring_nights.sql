-- Every model's monitoring nights in the demo's range: status, message and report.
-- Parameters: :first_day, :last_day.
select model, window_date, status, message, report_path
from monitoring_runs
where window_date between :first_day and :last_day
order by model, window_date
