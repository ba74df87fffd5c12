-- A model's allocated cloud cost of one month (every allocation method; x_ModelId is the model's
-- registry name). Parameters: :model, :month_start, :month_end (timestamps, end exclusive).
with model_cost as (
    select "BilledCost" as billed_cost, "BillingCurrency" as currency
    from cost_allocated_daily
    where "x_ModelId" = :model
      and "ChargePeriodStart" >= :month_start
      and "ChargePeriodStart" < :month_end
)

select currency, cast(sum(billed_cost) as double precision) as cost, count(*) as lines
from model_cost
group by currency
order by currency
