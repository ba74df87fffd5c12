-- The nights a dataset failed data quality in the incident look-back. Parameters: :since, :day.
select dataset, partition_date
from dq_runs
where status = 'failed'
  and partition_date between :since and :day
