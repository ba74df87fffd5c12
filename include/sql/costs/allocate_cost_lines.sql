-- Allocate billing lines to business units, projects, models and environments, exactly: every amount
-- keeps the source's precision (decimal(38,10)), and the pieces a shared line is split into add back to
-- that line to the last 1e-10 (largest remainder over integer units of 1e-10), so per day, billing
-- account, currency and measure the allocated rows sum to the source lines with Decimal equality.
-- Rounding to cents is for display only (steward.costs.spend_summary).
-- Runs in an in-process DuckDB over Arrow relations registered by steward.costs._allocate:
--   line_measures  (FOCUS dimensions, "Tags", measure, amount decimal(38,10)): one row per line x measure
--   resolved       the distinct tag/provider/service/account combinations, resolved in Python
--   rules          (rule_id, method, scope) of the shared-cost rules
--   rule_receivers (rule_id, business_unit, percent): FIXED shares, or the 'to' list of a rule
-- Parameter: :driver_measure (the proportional driver).
-- Integer arithmetic is HUGEINT (about 1.7e38): units x weight stays in range while a pool amount and a
-- receiver's driver are each below about 1.3e9 (units of 1e-10 each); beyond, DuckDB stops with an
-- overflow error rather than giving a rounded answer.

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

-- every receiver has an exact integer weight (units of 1e-10 of its driver, 1, or percent x 1e10);
-- its share of a pool row is weight / total weight, applied in integers below
proportional_receivers as (
    select
        "ChargePeriodStart", "BillingAccountId", "BillingCurrency", rule_id,
        business_unit, project, model_id, environment,
        cast(driver * 10000000000 as hugeint) as weight
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
        cast(1 as hugeint) as weight
    from even_units
),

fixed_receivers as (
    select k."ChargePeriodStart", k."BillingAccountId", k."BillingCurrency", k.rule_id, rr.business_unit,
        cast(round(rr.percent * 10000000000) as hugeint) as weight
    from pool_keys as k
    inner join rule_receivers as rr on rr.rule_id = k.rule_id
    where k.method = 'fixed'
),

receivers as (
    select
        "ChargePeriodStart", "BillingAccountId", "BillingCurrency", rule_id, 'PROPORTIONAL' as method,
        business_unit, project, model_id, environment, true as takes_receiver_dims, weight
    from proportional_receivers
    union all
    select
        "ChargePeriodStart", "BillingAccountId", "BillingCurrency", rule_id, 'EVEN' as method,
        business_unit, null, null, null, false, weight
    from even_receivers
    union all
    select
        "ChargePeriodStart", "BillingAccountId", "BillingCurrency", rule_id, 'FIXED' as method,
        business_unit, null, null, null, false, weight
    from fixed_receivers
),

weighted_receivers as (
    select
        *,
        sum(weight) over (
            partition by "ChargePeriodStart", "BillingAccountId", "BillingCurrency", rule_id
        ) as total_weight
    from receivers
),

-- each pool row (one line group x measure) split over its receivers in integer units of 1e-10:
-- floor(units x weight / total), then the units still missing go one each to the largest remainders
pool_rows as (
    select *, row_number() over () as pool_row, cast(amount * 10000000000 as hugeint) as units
    from pool
),

split as (
    select
        p.*,
        rc.method as receiver_method, rc.business_unit as receiver_unit, rc.takes_receiver_dims,
        rc.project as receiver_project, rc.model_id as receiver_model, rc.environment as receiver_environment,
        rc.weight,
        cast(rc.weight as double) / cast(rc.total_weight as double) as share,
        -- a remainder in [0, total) whatever the sign of units (% keeps the dividend's sign)
        ((p.units * rc.weight) % rc.total_weight + rc.total_weight) % rc.total_weight as remainder,
        rc.total_weight
    from pool_rows as p
    inner join weighted_receivers as rc
        on rc."ChargePeriodStart" = p."ChargePeriodStart"
        and rc."BillingAccountId" is not distinct from p."BillingAccountId"
        and rc."BillingCurrency" is not distinct from p."BillingCurrency"
        and rc.rule_id = p.rule_id
),

split_floored as (
    select
        s.*,
        (s.units * s.weight - s.remainder) // s.total_weight as floor_units,
        row_number() over (
            partition by s.pool_row
            order by s.remainder desc, s.receiver_unit nulls first, s.receiver_project nulls first,
                s.receiver_model nulls first, s.receiver_environment nulls first
        ) as remainder_rank
    from split as s
),

shared as (
    select
        f."ChargePeriodStart", f."BillingPeriodStart", f."BillingAccountId", f."SubAccountId",
        f."BillingCurrency", f."ProviderName", f."ServiceName", f."ServiceCategory", f."RegionId",
        f.receiver_unit as business_unit,
        case when f.takes_receiver_dims then f.receiver_project end as project,
        case when f.takes_receiver_dims then f.receiver_model end as model_id,
        case when f.takes_receiver_dims then f.receiver_environment else f.environment end as environment,
        f.receiver_method as method, f.rule_id, f.share, f.measure,
        cast(
            cast(
                f.floor_units
                + case
                    when f.remainder_rank
                        <= f.units - sum(f.floor_units) over (partition by f.pool_row) then 1
                    else 0
                end
                as decimal(38, 0)
            ) * cast('0.0000000001' as decimal(38, 10))
            as decimal(38, 10)
        ) as amount
    from split_floored as f
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
)

select * from allocated
