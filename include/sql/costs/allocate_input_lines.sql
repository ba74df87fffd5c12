-- One billing period of cost_line_daily, reduced to the grain allocation and tag coverage need:
-- lines that differ only in resource, SKU, usage or prices are summed (exactly: decimal).
-- Portable SQL, run in the warehouse (DuckDB or PostgreSQL). Parameter: :billing_period_start.

with

cost_lines as (
    select
        "ChargePeriodStart", "BillingPeriodStart", "BillingAccountId", "SubAccountId", "BillingCurrency",
        "ProviderName", "ServiceName", "ServiceCategory", "RegionId", "Tags", "BilledCost", "EffectiveCost"
    from cost_line_daily
    where "BillingPeriodStart" = :billing_period_start
),

reduced as (
    select
        "ChargePeriodStart", "BillingPeriodStart", "BillingAccountId", "SubAccountId", "BillingCurrency",
        "ProviderName", "ServiceName", "ServiceCategory", "RegionId", "Tags",
        sum("BilledCost") as "BilledCost",
        sum("EffectiveCost") as "EffectiveCost",
        count(*) as "x_LineCount"
    from cost_lines
    group by
        "ChargePeriodStart", "BillingPeriodStart", "BillingAccountId", "SubAccountId", "BillingCurrency",
        "ProviderName", "ServiceName", "ServiceCategory", "RegionId", "Tags"
)

select * from reduced
