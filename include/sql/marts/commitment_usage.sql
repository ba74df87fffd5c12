-- On-demand usage per provider x service x region x currency over [:start, :end), by charge day: what a
-- commitment (savings plan, committed use discount) could cover. The steady floor is the smallest daily
-- on-demand EffectiveCost over the days that have any billing at all (0 when the service had no on-demand
-- usage on one of them), so days the bill does not cover yet are not counted as zero use.
-- FOCUS 1.2: PricingCategory 'Standard' is on-demand pricing; committed, spot (Dynamic) and other
-- pricing is left out, as are purchases, credits and taxes (ChargeCategory <> 'Usage').
-- Portable SQL, run in the warehouse (DuckDB or PostgreSQL).

with

usage as (
    select
        "ProviderName" as provider,
        "ServiceName" as service,
        "RegionId" as region,
        "BillingCurrency" as currency,
        cast("ChargePeriodStart" as date) as charge_date,
        "EffectiveCost" as effective_cost
    from cost_line_daily
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end
        and "ChargeCategory" = 'Usage' and coalesce("PricingCategory", 'Standard') = 'Standard'
),

billing_days as (
    select count(distinct cast("ChargePeriodStart" as date)) as n
    from cost_line_daily
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end
),

daily as (
    select provider, service, region, currency, charge_date, sum(effective_cost) as daily_cost
    from usage
    group by provider, service, region, currency, charge_date
)

select
    provider,
    service,
    region,
    currency,
    (select n from billing_days) as billing_days,
    count(*) as usage_days,
    sum(daily_cost) as on_demand_cost,
    case when count(*) < (select n from billing_days) then 0 else min(daily_cost) end as floor_daily_cost,
    max(daily_cost) as peak_daily_cost
from daily
group by provider, service, region, currency
order by provider, service, region, currency
