-- The review's reconciliation totals over [:start, :end) per currency: cloud cost straight from the
-- FOCUS lines (cost_line_daily, not the allocation) and the cost ledger (finance_ledger_lines).
-- Portable SQL, run in the warehouse (DuckDB or PostgreSQL).

with

cloud as (
    select
        "BillingCurrency" as currency,
        sum("BilledCost") as cloud_billed_cost,
        sum("EffectiveCost") as cloud_effective_cost
    from cost_line_daily
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end
    group by "BillingCurrency"
),

ledger as (
    select "BillingCurrency" as currency, sum("EffectiveCost") as ledger_cost
    from finance_ledger_lines
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end
    group by "BillingCurrency"
),

currencies as (
    select currency from cloud
    union
    select currency from ledger
)

select
    k.currency,
    coalesce(c.cloud_billed_cost, 0) as cloud_billed_cost,
    coalesce(c.cloud_effective_cost, 0) as cloud_effective_cost,
    coalesce(l.ledger_cost, 0) as ledger_cost
from currencies as k
left join cloud as c on c.currency = k.currency
left join ledger as l on l.currency = k.currency
order by k.currency
