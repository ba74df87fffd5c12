-- Allocate billing lines to business units, projects, models and environments, rounded so that each
-- day x billing account x currency x measure sums exactly to its source total.
-- Runs in an in-process DuckDB over Arrow relations registered by steward.costs._allocate:
--   line_measures  (FOCUS dimensions, "Tags", measure, amount decimal(38,10)): one row per line x measure
--   resolved       the distinct tag/provider/service/account combinations, resolved in Python
--   rules          (rule_id, method, scope) of the shared-cost rules
--   rule_receivers (rule_id, business_unit, percent): FIXED shares, or the 'to' list of a rule
-- Parameters: :driver_measure (the proportional driver), :scale (10^decimals), :unit ('0.01').

with

line_measures as (
    select * from line_measures
),

resolved as (
    select * from resolved
),

rules as (
    select * from rules
),

rule_receivers as (
    select * from rule_receivers
),

-- every line with its resolution, reduced to the allocation grain
resolved_lines as (
    select
        l."ChargePeriodStart", l."BillingPeriodStart", l."BillingAccountId", l."SubAccountId",
        l."BillingCurrency", l."ProviderName", l."ServiceName", l."ServiceCategory", l."RegionId",
        r.business_unit, r.project, r.model_id, r.environment, r.rule_id,
        l.measure,
        sum(l.amount) as amount
    from line_measures as l
    inner join resolved as r
        on l."Tags" is not distinct from r."Tags"
        and l."ProviderName" is not distinct from r."ProviderName"
        and l."ServiceName" is not distinct from r."ServiceName"
        and l."ServiceCategory" is not distinct from r."ServiceCategory"
        and l."BillingAccountId" is not distinct from r."BillingAccountId"
        and l."SubAccountId" is not distinct from r."SubAccountId"
    group by
        l."ChargePeriodStart", l."BillingPeriodStart", l."BillingAccountId", l."SubAccountId",
        l."BillingCurrency", l."ProviderName", l."ServiceName", l."ServiceCategory", l."RegionId",
        r.business_unit, r.project, r.model_id, r.environment, r.rule_id, l.measure
),

direct as (
    select * from resolved_lines where business_unit is not null
),

pool as (
    select * from resolved_lines where business_unit is null
),

-- direct cost of each receiver (business unit x project x model x environment), by scope
drivers as (
    select
        'billing_account' as scope, "ChargePeriodStart", "BillingAccountId" as scope_account,
        "BillingCurrency", business_unit, project, model_id, environment, sum(amount) as driver
    from direct
    where measure = :driver_measure
    group by "ChargePeriodStart", "BillingAccountId", "BillingCurrency", business_unit, project, model_id, environment
    union all
    select
        'all' as scope, "ChargePeriodStart", cast(null as varchar) as scope_account,
        "BillingCurrency", business_unit, project, model_id, environment, sum(amount) as driver
    from direct
    where measure = :driver_measure
    group by "ChargePeriodStart", "BillingCurrency", business_unit, project, model_id, environment
),

-- one row per day x billing account x currency x rule that has cost to share
pool_keys as (
    select distinct p."ChargePeriodStart", p."BillingAccountId", p."BillingCurrency", p.rule_id, ru.method, ru.scope
    from pool as p
    inner join rules as ru on p.rule_id = ru.rule_id
),

candidates as (
    select
        k."ChargePeriodStart", k."BillingAccountId", k."BillingCurrency", k.rule_id, k.method,
        d.business_unit, d.project, d.model_id, d.environment, d.driver
    from pool_keys as k
    inner join drivers as d
        on d.scope = k.scope
        and d."ChargePeriodStart" = k."ChargePeriodStart"
        and d."BillingCurrency" = k."BillingCurrency"
        and (k.scope = 'all' or d.scope_account = k."BillingAccountId")
    where d.driver > 0
        and (
            not exists (select 1 from rule_receivers as rr where rr.rule_id = k.rule_id)
            or exists (
                select 1 from rule_receivers as rr
                where rr.rule_id = k.rule_id and rr.business_unit = d.business_unit
            )
        )
),

proportional_receivers as (
    select
        "ChargePeriodStart", "BillingAccountId", "BillingCurrency", rule_id,
        business_unit, project, model_id, environment,
        driver / sum(driver) over (
            partition by "ChargePeriodStart", "BillingAccountId", "BillingCurrency", rule_id
        ) as share
    from candidates
    where method = 'proportional'
),

even_units as (
    select distinct "ChargePeriodStart", "BillingAccountId", "BillingCurrency", rule_id, business_unit
    from candidates
    where method = 'even'
        and not exists (select 1 from rule_receivers as rr where rr.rule_id = candidates.rule_id)
    union
    select k."ChargePeriodStart", k."BillingAccountId", k."BillingCurrency", k.rule_id, rr.business_unit
    from pool_keys as k
    inner join rule_receivers as rr on rr.rule_id = k.rule_id
    where k.method = 'even'
),

even_receivers as (
    select
        "ChargePeriodStart", "BillingAccountId", "BillingCurrency", rule_id, business_unit,
        1.0 / count(*) over (
            partition by "ChargePeriodStart", "BillingAccountId", "BillingCurrency", rule_id
        ) as share
    from even_units
),

fixed_receivers as (
    select k."ChargePeriodStart", k."BillingAccountId", k."BillingCurrency", k.rule_id, rr.business_unit,
        rr.percent / 100.0 as share
    from pool_keys as k
    inner join rule_receivers as rr on rr.rule_id = k.rule_id
    where k.method = 'fixed'
),

receivers as (
    select
        "ChargePeriodStart", "BillingAccountId", "BillingCurrency", rule_id, 'PROPORTIONAL' as method,
        business_unit, project, model_id, environment, true as takes_receiver_dims, share
    from proportional_receivers
    union all
    select
        "ChargePeriodStart", "BillingAccountId", "BillingCurrency", rule_id, 'EVEN' as method,
        business_unit, null, null, null, false, share
    from even_receivers
    union all
    select
        "ChargePeriodStart", "BillingAccountId", "BillingCurrency", rule_id, 'FIXED' as method,
        business_unit, null, null, null, false, share
    from fixed_receivers
),

shared as (
    select
        p."ChargePeriodStart", p."BillingPeriodStart", p."BillingAccountId", p."SubAccountId",
        p."BillingCurrency", p."ProviderName", p."ServiceName", p."ServiceCategory", p."RegionId",
        rc.business_unit,
        case when rc.takes_receiver_dims then rc.project end as project,
        case when rc.takes_receiver_dims then rc.model_id end as model_id,
        case when rc.takes_receiver_dims then rc.environment else p.environment end as environment,
        rc.method, p.rule_id, rc.share, p.measure,
        cast(p.amount * rc.share as decimal(38, 10)) as amount
    from pool as p
    inner join receivers as rc
        on rc."ChargePeriodStart" = p."ChargePeriodStart"
        and rc."BillingAccountId" is not distinct from p."BillingAccountId"
        and rc."BillingCurrency" is not distinct from p."BillingCurrency"
        and rc.rule_id = p.rule_id
),

unallocated as (
    select
        p."ChargePeriodStart", p."BillingPeriodStart", p."BillingAccountId", p."SubAccountId",
        p."BillingCurrency", p."ProviderName", p."ServiceName", p."ServiceCategory", p."RegionId",
        cast(null as varchar) as business_unit, p.project, p.model_id, p.environment,
        'UNALLOCATED' as method, p.rule_id, 1.0 as share, p.measure, p.amount
    from pool as p
    where not exists (
        select 1 from receivers as rc
        where rc."ChargePeriodStart" = p."ChargePeriodStart"
            and rc."BillingAccountId" is not distinct from p."BillingAccountId"
            and rc."BillingCurrency" is not distinct from p."BillingCurrency"
            and rc.rule_id = p.rule_id
    )
),

pieces as (
    select
        "ChargePeriodStart", "BillingPeriodStart", "BillingAccountId", "SubAccountId",
        "BillingCurrency", "ProviderName", "ServiceName", "ServiceCategory", "RegionId",
        business_unit, project, model_id, environment,
        'DIRECT' as method, rule_id, 1.0 as share, measure, amount
    from direct
    union all
    select * from shared
    union all
    select * from unallocated
),

allocated as (
    select
        "ChargePeriodStart", "BillingPeriodStart", "BillingAccountId", "SubAccountId",
        "BillingCurrency", "ProviderName", "ServiceName", "ServiceCategory", "RegionId",
        business_unit, project, model_id, environment, method, rule_id, measure,
        max(share) as share,
        sum(amount) as amount
    from pieces
    group by
        "ChargePeriodStart", "BillingPeriodStart", "BillingAccountId", "SubAccountId",
        "BillingCurrency", "ProviderName", "ServiceName", "ServiceCategory", "RegionId",
        business_unit, project, model_id, environment, method, rule_id, measure
),

-- largest remainder: floor every row to the unit, then hand the missing units of each
-- day x account x currency x measure to the rows with the largest remainders
source_totals as (
    select
        "ChargePeriodStart", "BillingAccountId", "BillingCurrency", measure,
        round(sum(amount) * :scale) as target_units
    from line_measures
    group by "ChargePeriodStart", "BillingAccountId", "BillingCurrency", measure
),

floored as (
    select
        a.*,
        floor(a.amount * :scale) as floor_units,
        a.amount * :scale - floor(a.amount * :scale) as remainder_units
    from allocated as a
),

ranked as (
    select
        f.*,
        row_number() over (
            partition by f."ChargePeriodStart", f."BillingAccountId", f."BillingCurrency", f.measure
            order by
                f.remainder_units desc, f."SubAccountId" nulls first, f."ProviderName" nulls first,
                f."ServiceName" nulls first, f."ServiceCategory" nulls first, f."RegionId" nulls first,
                f."BillingPeriodStart", f.business_unit nulls first, f.project nulls first,
                f.model_id nulls first, f.environment nulls first, f.method, f.rule_id nulls first
        ) as remainder_rank,
        sum(f.floor_units) over (
            partition by f."ChargePeriodStart", f."BillingAccountId", f."BillingCurrency", f.measure
        ) as floor_total
    from floored as f
),

rounded as (
    select
        r."ChargePeriodStart", r."BillingPeriodStart", r."BillingAccountId", r."SubAccountId",
        r."BillingCurrency", r."ProviderName", r."ServiceName", r."ServiceCategory", r."RegionId",
        r.business_unit, r.project, r.model_id, r.environment, r.method, r.rule_id, r.share, r.measure,
        cast(
            cast(
                r.floor_units
                + case when r.remainder_rank <= t.target_units - r.floor_total then 1 else 0 end
                as decimal(38, 0)
            ) * cast(:unit as decimal(38, 10))
            as decimal(38, 10)
        ) as amount
    from ranked as r
    inner join source_totals as t
        on t."ChargePeriodStart" = r."ChargePeriodStart"
        and t."BillingAccountId" is not distinct from r."BillingAccountId"
        and t."BillingCurrency" is not distinct from r."BillingCurrency"
        and t.measure = r.measure
)

select * from rounded
