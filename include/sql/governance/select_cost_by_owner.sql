-- Spend of the latest billing period per business unit x model, with the run that allocated it.
with allocated as (
    select "BillingPeriodStart" as billing_period, "ChargePeriodStart" as charge_day,
           "BillingCurrency" as currency, "EffectiveCost" as cost, "x_BusinessUnit" as business_unit,
           "x_ModelId" as model, "x_PipelineRunId" as run_id, "x_AllocatedAt" as allocated_at
    from cost_allocated_daily
),

latest_period as (
    select max(billing_period) as billing_period
    from allocated
),

latest_run as (
    select max(run_id) as run_id
    from allocated
    where allocated_at = (select max(allocated_at) from allocated)
)

select
    cast(allocated.billing_period as date) as billing_period,
    min(cast(allocated.charge_day as date)) as first_day,
    max(cast(allocated.charge_day as date)) as last_day,
    allocated.business_unit,
    allocated.model,
    allocated.currency,
    cast(sum(allocated.cost) as double precision) as cost,
    (select run_id from latest_run) as run_id
from allocated
inner join latest_period on allocated.billing_period = latest_period.billing_period
group by allocated.billing_period, allocated.business_unit, allocated.model, allocated.currency
order by allocated.business_unit nulls last, allocated.model nulls last
