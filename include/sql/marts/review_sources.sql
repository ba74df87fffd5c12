-- The pipeline runs whose rows a review over [:start, :end) read: cost ingestion and allocation,
-- the cost ledger, and the nightly monitoring runs that counted predictions.
-- Portable SQL, run in the warehouse (DuckDB or PostgreSQL).

with

cost_lines as (
    select distinct cast('cost_line_daily' as text) as source_table, "x_PipelineRunId" as run_id
    from cost_line_daily
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end
),

allocation as (
    select distinct cast('cost_allocated_daily' as text) as source_table, "x_PipelineRunId" as run_id
    from cost_allocated_daily
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end
),

ledger as (
    select distinct cast('finance_ledger_lines' as text) as source_table, "x_PipelineRunId" as run_id
    from finance_ledger_lines
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end
),

monitoring as (
    select distinct cast('monitoring_runs' as text) as source_table, run_id
    from monitoring_runs
    where window_date >= :start_day and window_date < :end_day
)

select source_table, run_id from cost_lines
union
select source_table, run_id from allocation
union
select source_table, run_id from ledger
union
select source_table, run_id from monitoring
order by source_table, run_id
