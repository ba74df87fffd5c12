-- What one Airflow run wrote, with its reports: data quality, monitoring and cost allocation.
with dq as (
    select 'data_quality' as kind, dataset as subject, partition_date as day, status, report_path, run_id
    from dq_runs
),

monitoring as (
    select 'monitoring' as kind, model as subject, window_date as day, status, report_path, run_id
    from monitoring_runs
),

costs as (
    select distinct 'costs' as kind, "BillingAccountId" as subject, cast("ChargePeriodStart" as date) as day,
           'allocated' as status, cast(null as text) as report_path, "x_PipelineRunId" as run_id
    from cost_allocated_daily
),

outputs as (
    select * from dq
    union all
    select * from monitoring
    union all
    select * from costs
)

select kind, subject, day, status, report_path
from outputs
where run_id = :run_id
order by kind, day, subject
