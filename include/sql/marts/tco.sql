-- Total cost of ownership over [:start, :end): cloud cost allocated to business units and models
-- (cost_allocated_daily, cost category infrastructure) plus the cost ledger (finance_ledger_lines),
-- one row per business unit x model x cost category x workload x currency. Sums are exact.
-- Workload: direct (tagged to the business unit or model), shared (allocated by a shared-cost rule),
-- unallocated (no rule matched), ledger (declared in the cost ledger).
-- Portable SQL, run in the warehouse (DuckDB or PostgreSQL). Written to finance_tco by period.

with

cloud as (
    select
        "x_BusinessUnit" as business_unit,
        "x_ModelId" as model,
        "x_AllocationMethod" as allocation_method,
        "BillingCurrency" as currency,
        "BilledCost" as billed_cost,
        "EffectiveCost" as effective_cost
    from cost_allocated_daily
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end
),

ledger as (
    select
        "x_BusinessUnit" as business_unit,
        "x_ModelId" as model,
        "x_CostCategory" as cost_category,
        "BillingCurrency" as currency,
        "BilledCost" as billed_cost,
        "EffectiveCost" as effective_cost
    from finance_ledger_lines
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end
),

cloud_costs as (
    select
        business_unit,
        model,
        cast('infrastructure' as text) as cost_category,
        cast(
            case
                when allocation_method = 'UNALLOCATED' then 'unallocated'
                when allocation_method = 'DIRECT' then 'direct'
                else 'shared'
            end as text
        ) as workload,
        currency,
        billed_cost,
        effective_cost
    from cloud
),

ledger_costs as (
    select
        business_unit,
        model,
        cost_category,
        cast('ledger' as text) as workload,
        currency,
        billed_cost,
        effective_cost
    from ledger
),

costs as (
    select * from cloud_costs
    union all
    select * from ledger_costs
)

select
    business_unit,
    model,
    cost_category,
    workload,
    currency,
    sum(billed_cost) as billed_cost,
    sum(effective_cost) as effective_cost
from costs
group by business_unit, model, cost_category, workload, currency
order by business_unit nulls last, model nulls last, cost_category, workload, currency
