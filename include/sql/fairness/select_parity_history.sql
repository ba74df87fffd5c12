-- A model's statistical parity differences over the nights before a window, for its report's chart.
-- Parameters: :model, :start, :end, :window (the window itself is left out: its rows come from memory).
select window_date, attribute, group_value, value, ci_low, ci_high, status
from fairness_metrics
where model = :model
  and metric = 'statistical_parity_difference'
  and window_date between :start and :end
  and window_date <> :window
