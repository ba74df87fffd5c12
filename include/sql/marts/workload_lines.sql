-- Cloud cost lines over [:start, :end) grouped by what tells a model's workload apart: the tag set (which
-- model), the service and the line's operation, usage type and description (training or inference).
-- Few distinct groups: tags are resolved and workloads classified in Python (steward.finance.workload_costs).
-- Portable SQL, run in the warehouse (DuckDB or PostgreSQL).

with

lines as (
    select
        "Tags" as tags,
        "ServiceName" as service,
        "x_Operation" as operation,
        "x_UsageType" as usage_type,
        "ChargeDescription" as charge_description,
        "BillingCurrency" as currency,
        "BilledCost" as billed_cost,
        "EffectiveCost" as effective_cost
    from cost_line_daily
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end
)

select
    tags,
    service,
    operation,
    usage_type,
    charge_description,
    currency,
    sum(billed_cost) as billed_cost,
    sum(effective_cost) as effective_cost
from lines
group by tags, service, operation, usage_type, charge_description, currency
order by tags, service, operation, usage_type, charge_description, currency
