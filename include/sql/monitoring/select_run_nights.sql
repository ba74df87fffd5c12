-- The nights one monitoring run wrote, for its summary. Parameters: :run_id, :first_day, :last_day.
select model, window_date, message, report_path
from monitoring_runs
where run_id = :run_id
  and window_date between :first_day and :last_day
