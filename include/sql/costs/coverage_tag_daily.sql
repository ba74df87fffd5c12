-- Tag coverage: per day x account x service x business unit x tag status, the cost and its share of
-- the day's cost of that account and service. "Tagged" = the tags resolve a business unit.
-- Runs in an in-process DuckDB over Arrow relations registered by steward.costs._coverage:
--   lines     FOCUS dimensions, "Tags", "BilledCost", "EffectiveCost", "x_LineCount"
--   resolved  the distinct tag/provider/service/account combinations, resolved in Python

with

lines as (
    select * from lines
),

resolved as (
    select * from resolved
),

coverage as (
    select
        l."ChargePeriodStart", l."BillingPeriodStart", l."BillingAccountId", l."SubAccountId",
        l."ProviderName", l."ServiceName", l."BillingCurrency",
        r.business_unit as "x_BusinessUnit",
        r.tag_status as "x_TagStatus",
        sum(l."x_LineCount") as "x_LineCount",
        sum(cast(l."BilledCost" as decimal(38, 10))) as "BilledCost",
        sum(cast(l."EffectiveCost" as decimal(38, 10))) as "EffectiveCost"
    from lines as l
    inner join resolved as r
        on l."Tags" is not distinct from r."Tags"
        and l."ProviderName" is not distinct from r."ProviderName"
        and l."ServiceName" is not distinct from r."ServiceName"
        and l."ServiceCategory" is not distinct from r."ServiceCategory"
        and l."BillingAccountId" is not distinct from r."BillingAccountId"
        and l."SubAccountId" is not distinct from r."SubAccountId"
    group by
        l."ChargePeriodStart", l."BillingPeriodStart", l."BillingAccountId", l."SubAccountId",
        l."ProviderName", l."ServiceName", l."BillingCurrency", r.business_unit, r.tag_status
),

with_totals as (
    select
        c.*,
        sum(c."EffectiveCost") over (
            partition by
                c."ChargePeriodStart", c."BillingAccountId", c."SubAccountId", c."ProviderName",
                c."ServiceName", c."BillingCurrency"
        ) as "x_ServiceEffectiveCost"
    from coverage as c
)

select
    *,
    case
        when "x_ServiceEffectiveCost" <> 0
            then cast("EffectiveCost" as double precision) / cast("x_ServiceEffectiveCost" as double precision)
    end as "x_EffectiveCostShare"
from with_totals
order by
    "ChargePeriodStart", "BillingAccountId", "SubAccountId" nulls first, "ProviderName" nulls first,
    "ServiceName" nulls first, "BillingCurrency", "x_TagStatus", "x_BusinessUnit" nulls first
