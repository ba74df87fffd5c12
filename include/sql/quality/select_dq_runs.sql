-- Every data-quality run, dataset by dataset and night by night, for the overview grid.
select dataset, partition_date, status, error_message, report_path
from dq_runs
order by dataset, partition_date
