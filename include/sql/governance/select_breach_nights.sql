-- The nights with a monitoring breach in the incident look-back, per model, kind and subject; the
-- caller keeps the kinds its incident policy counts. Parameters: :since, :day.
select distinct model, kind, subject, window_date
from monitoring_breaches
where window_date between :since and :day
