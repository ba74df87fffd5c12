-- A model's AUC rows of every night, for its performance control chart. Parameters: :model.
select window_date, metric, model_version, realized_value, estimated_value, label_coverage
from model_performance
where model = :model
  and metric = 'auc'
order by window_date
