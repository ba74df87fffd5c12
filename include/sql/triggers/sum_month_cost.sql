-- Allocated cloud cost of one month up to the decision's clock per model (every allocation method;
-- x_ModelId is the model's registry name), of one model or of every model: charge periods starting
-- from :month_start and before :month_end (the month's end, or the clock when that is earlier).
-- Parameters: :model (null: every model), :month_start, :month_end (timestamps, end exclusive).
with model_cost as (
    select "x_ModelId" as model, "BilledCost" as billed_cost, "BillingCurrency" as currency
    from cost_allocated_daily
    where "x_ModelId" is not null
      and (cast(:model as text) is null or "x_ModelId" = cast(:model as text))
      and "ChargePeriodStart" >= :month_start
      and "ChargePeriodStart" < :month_end
)

select model, currency, cast(sum(billed_cost) as double precision) as cost, count(*) as lines
from model_cost
group by model, currency
order by model, currency
