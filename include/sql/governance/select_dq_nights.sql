-- Data-quality outcomes per dataset x partition, newest first (the Governance page).
with dq as (
    select dataset, partition_date, status, expectations_evaluated, expectations_failed,
           critical_failed, report_path, run_id
    from dq_runs
)

select *
from dq
order by partition_date desc, dataset
limit 500
