-- Daily allocated cloud spend per business unit over [:start, :end): the review's spend trend.
-- Portable SQL, run in the warehouse (DuckDB or PostgreSQL).

with

allocated as (
    select
        cast("ChargePeriodStart" as date) as charge_date,
        "x_BusinessUnit" as business_unit,
        "BilledCost" as billed_cost,
        "EffectiveCost" as effective_cost
    from cost_allocated_daily
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end
)

select
    charge_date,
    business_unit,
    sum(billed_cost) as billed_cost,
    sum(effective_cost) as effective_cost
from allocated
group by charge_date, business_unit
order by charge_date, business_unit nulls last
