-- Partitions of a model's prediction log that passed data quality (passed or warning) on or after
-- :since and have no monitoring_runs row for the model: the windows a monitoring run catches up,
-- oldest first (control charts read their series in date order).
-- Parameters: :model, :dataset (the model's prediction log), :since (date).
with dq_passed as (
    select partition_date
    from dq_runs
    where dataset = :dataset
      and status in ('passed', 'warning')
      and partition_date >= :since
),

monitored as (
    select window_date
    from monitoring_runs
    where model = :model
      and window_date >= :since
),

unmonitored as (
    select dq_passed.partition_date
    from dq_passed
    left join monitored on monitored.window_date = dq_passed.partition_date
    where monitored.window_date is null
)

select partition_date
from unmonitored
order by partition_date
