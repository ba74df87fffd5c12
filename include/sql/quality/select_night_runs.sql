-- One night's data-quality runs, one per dataset. Parameters: :day.
select dataset, status, row_count, error_message
from dq_runs
where partition_date = :day
order by dataset
