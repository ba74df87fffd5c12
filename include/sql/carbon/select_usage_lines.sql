-- One charge day of cost_line_daily, the usage lines only, with what a usage-based carbon estimate needs.
-- Portable SQL, run in the warehouse (DuckDB or PostgreSQL). Parameters: :day_start, :day_end (UTC).

with

cost_lines as (
    select * from cost_line_daily
    where "ChargePeriodStart" >= :day_start
      and "ChargePeriodStart" < :day_end
),

usage_lines as (
    select
        "ChargePeriodStart", "BillingPeriodStart", "BillingAccountId", "SubAccountId", "BillingCurrency",
        "ProviderName", "ServiceName", "ServiceCategory", "RegionId", "ResourceId", "SkuId",
        "ChargeDescription", "x_UsageType", "x_Operation",
        "ConsumedQuantity", "ConsumedUnit", "PricingQuantity", "PricingUnit",
        "BilledCost", "EffectiveCost", "Tags", "x_SourceName"
    from cost_lines
    where "ChargeCategory" = 'Usage'
)

select * from usage_lines
order by "ChargePeriodStart", "x_SourceName", "BillingAccountId", "ServiceName", "SkuId", "ResourceId"
