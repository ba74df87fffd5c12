-- A model's fairness values and breaches of every night, for its fairness control charts.
-- Parameters: :model.
select window_date, attribute, metric, value, status
from fairness_metrics
where model = :model
  and (value is not null or status = 'breach')
