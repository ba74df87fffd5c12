-- A model's AUC per night up to a day: realized, estimated, label coverage and breaches.
-- Parameters: :model, :day.
select window_date, realized_value, estimated_value, label_coverage, n, n_labelled, breach, message
from model_performance
where model = :model
  and metric = 'auc'
  and window_date <= :day
order by window_date
