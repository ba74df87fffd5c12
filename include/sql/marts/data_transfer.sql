-- Data-transfer cost over [:start, :end) per provider x region x usage type x description: the lines of
-- FOCUS ServiceCategory 'Networking' whose usage type or description says data transfer. Where the
-- traffic goes (another region, the internet, another zone) is read from those texts in Python
-- (steward.finance.data_transfer). Portable SQL, run in the warehouse (DuckDB or PostgreSQL).

with

network as (
    select
        "ProviderName" as provider,
        "RegionId" as region,
        "x_UsageType" as usage_type,
        "ChargeDescription" as charge_description,
        "BillingCurrency" as currency,
        "EffectiveCost" as effective_cost
    from cost_line_daily
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end
        and "ServiceCategory" = 'Networking'
        and (
            lower(coalesce("x_UsageType", '')) like '%bytes%'
            or lower(coalesce("x_UsageType", '')) like '%data transfer%'
            or lower(coalesce("ChargeDescription", '')) like '%data transfer%'
        )
)

select provider, region, usage_type, charge_description, currency, sum(effective_cost) as effective_cost
from network
group by provider, region, usage_type, charge_description, currency
order by provider, region, usage_type, charge_description, currency
