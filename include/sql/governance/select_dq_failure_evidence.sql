-- An incident's evidence: the failed data-quality runs of one dataset over its nights.
-- Parameters: :dataset, :first_day, :last_day.
select partition_date, critical_failed, error_message, report_path, run_id
from dq_runs
where dataset = :dataset
  and status = 'failed'
  and partition_date between :first_day and :last_day
order by partition_date
