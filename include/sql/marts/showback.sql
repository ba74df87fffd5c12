-- Showback and chargeback per business unit x month x currency over [:start, :end).
-- Showback reads EffectiveCost (commitment purchases amortized over the usage they covered: FOCUS
-- 1.2 EffectiveCost); chargeback reads BilledCost (what the invoice says, purchases on the day
-- they were billed). Ledger lines are not amortized, so they add the same amount to both.
-- Portable SQL, run in the warehouse (DuckDB or PostgreSQL). Written to finance_showback by period.

with

cloud as (
    select
        cast(date_trunc('month', "ChargePeriodStart") as date) as month,
        "x_BusinessUnit" as business_unit,
        "BillingCurrency" as currency,
        "BilledCost" as billed_cost,
        "EffectiveCost" as effective_cost
    from cost_allocated_daily
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end
),

ledger as (
    select
        cast(date_trunc('month', "ChargePeriodStart") as date) as month,
        "x_BusinessUnit" as business_unit,
        "BillingCurrency" as currency,
        "EffectiveCost" as ledger_cost
    from finance_ledger_lines
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end
),

cloud_by_unit as (
    select
        month,
        business_unit,
        currency,
        sum(billed_cost) as cloud_billed_cost,
        sum(effective_cost) as cloud_effective_cost
    from cloud
    group by month, business_unit, currency
),

ledger_by_unit as (
    select month, business_unit, currency, sum(ledger_cost) as ledger_cost
    from ledger
    group by month, business_unit, currency
),

keys as (
    select month, business_unit, currency from cloud_by_unit
    union
    select month, business_unit, currency from ledger_by_unit
),

joined as (
    select
        k.month,
        k.business_unit,
        k.currency,
        coalesce(c.cloud_billed_cost, 0) as cloud_billed_cost,
        coalesce(c.cloud_effective_cost, 0) as cloud_effective_cost,
        coalesce(l.ledger_cost, 0) as ledger_cost
    from keys as k
    left join cloud_by_unit as c
        on c.month = k.month and c.currency = k.currency
        and c.business_unit is not distinct from k.business_unit
    left join ledger_by_unit as l
        on l.month = k.month and l.currency = k.currency
        and l.business_unit is not distinct from k.business_unit
)

select
    month,
    business_unit,
    currency,
    cloud_billed_cost,
    cloud_effective_cost,
    ledger_cost,
    cloud_billed_cost + ledger_cost as chargeback_cost,
    cloud_effective_cost + ledger_cost as showback_cost
from joined
order by month, business_unit nulls last, currency
