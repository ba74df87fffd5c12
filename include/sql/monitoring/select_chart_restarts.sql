-- The recorded control-chart restarts of a model, in date order. Parameters: :model.
select series, restart_date, kind, reason
from control_chart_restarts
where model = :model
order by restart_date, series, kind
