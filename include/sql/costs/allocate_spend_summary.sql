-- Allocated spend by currency x business unit over [:start, :end), with each unit's share of the
-- currency's EffectiveCost, the untagged share (tags that name no business unit) and the share with no
-- tags at all, from tag coverage. Amounts are exact sums; steward.costs.spend_summary rounds them for
-- display with the largest remainder, so the shown rows of a currency add up to its shown total.
-- Portable SQL, run in the warehouse (DuckDB or PostgreSQL).

with

allocated as (
    select "BillingCurrency", "x_BusinessUnit", "BilledCost", "EffectiveCost"
    from cost_allocated_daily
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end
),

coverage as (
    select "BillingCurrency", "x_TagStatus", "EffectiveCost"
    from tag_coverage_daily
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end
),

by_unit as (
    select
        "BillingCurrency" as currency,
        "x_BusinessUnit" as business_unit,
        sum("BilledCost") as billed_cost,
        sum("EffectiveCost") as effective_cost
    from allocated
    group by "BillingCurrency", "x_BusinessUnit"
),

currency_totals as (
    select currency, sum(effective_cost) as total_effective_cost
    from by_unit
    group by currency
),

untagged as (
    select
        "BillingCurrency" as currency,
        sum(case when "x_TagStatus" <> 'business_unit' then "EffectiveCost" else 0 end) as untagged_cost,
        sum(case when "x_TagStatus" = 'untagged' then "EffectiveCost" else 0 end) as no_tags_cost,
        sum("EffectiveCost") as total_cost
    from coverage
    group by "BillingCurrency"
)

select
    b.currency,
    b.business_unit,
    b.billed_cost,
    b.effective_cost,
    case
        when t.total_effective_cost <> 0
            then cast(b.effective_cost as double precision) / cast(t.total_effective_cost as double precision)
    end as share,
    case
        when u.total_cost <> 0
            then cast(u.untagged_cost as double precision) / cast(u.total_cost as double precision)
    end as untagged_share,
    case
        when u.total_cost <> 0
            then cast(u.no_tags_cost as double precision) / cast(u.total_cost as double precision)
    end as no_tags_share
from by_unit as b
inner join currency_totals as t on t.currency = b.currency
left join untagged as u on u.currency = b.currency
order by b.currency, b.effective_cost desc, b.business_unit nulls last
