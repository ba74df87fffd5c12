-- The data-quality status of every dataset on the demo's nights, for the summary's grid.
-- Parameters: :first_day, :last_day.
select dataset, partition_date, status
from dq_runs
where partition_date between :first_day and :last_day
order by dataset, partition_date
