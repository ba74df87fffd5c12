-- An incident's evidence: the breaches of one model, kind and subject over its nights.
-- Parameters: :model, :kind, :subject, :first_day, :last_day.
select window_date, message, value, threshold, run_id
from monitoring_breaches
where model = :model
  and kind = :kind
  and subject = :subject
  and window_date between :first_day and :last_day
order by window_date, run_id
