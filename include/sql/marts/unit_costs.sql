-- Cost and carbon per 1,000 predictions per model over [:start, :end) (days [:start_day, :end_day)).
-- Cost: EffectiveCost of cost_allocated_daily rows naming the model plus its ledger lines (TCO).
-- Predictions: rows scanned by the nightly monitoring runs (monitoring_runs.rows_scanned, one row per
-- model and prediction-log day). Carbon: usage-based estimates allocated to the model
-- (carbon_allocated_daily) plus measured training runs (carbon_training_runs).
-- The halves (days before / from :mid_day) show whether cloud cost per 1k predictions is rising.
-- Portable SQL, run in the warehouse (DuckDB or PostgreSQL). Written to finance_unit_costs by period.

with

cloud as (
    select
        "x_ModelId" as model,
        "x_BusinessUnit" as business_unit,
        "BillingCurrency" as currency,
        "ChargePeriodStart" as charge_start,
        "EffectiveCost" as effective_cost
    from cost_allocated_daily
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end and "x_ModelId" is not null
),

ledger as (
    select "x_ModelId" as model, "BillingCurrency" as currency, "EffectiveCost" as effective_cost
    from finance_ledger_lines
    where "ChargePeriodStart" >= :start and "ChargePeriodStart" < :end and "x_ModelId" is not null
),

runs as (
    select model, window_date, coalesce(rows_scanned, 0) as rows_scanned
    from monitoring_runs
    where window_date >= :start_day and window_date < :end_day
),

usage_carbon as (
    select "x_ModelId" as model, "x_Co2eKg" as co2e_kg
    from carbon_allocated_daily
    where "x_ChargeDate" >= :start_day and "x_ChargeDate" < :end_day and "x_ModelId" is not null
),

training_carbon as (
    select model, co2e_kg
    from carbon_training_runs
    where started_at >= :start and started_at < :end
),

cloud_by_model as (
    select
        model,
        currency,
        min(business_unit) as business_unit,
        sum(effective_cost) as cloud_cost,
        sum(case when charge_start < :mid then effective_cost else 0 end) as first_half_cost,
        sum(case when charge_start >= :mid then effective_cost else 0 end) as second_half_cost
    from cloud
    group by model, currency
),

ledger_by_model as (
    select model, currency, sum(effective_cost) as ledger_cost
    from ledger
    group by model, currency
),

predictions as (
    select
        model,
        sum(rows_scanned) as predictions,
        sum(case when window_date < :mid_day then rows_scanned else 0 end) as first_half_predictions,
        sum(case when window_date >= :mid_day then rows_scanned else 0 end) as second_half_predictions
    from runs
    group by model
),

carbon as (
    select model, sum(co2e_kg) as co2e_kg
    from (
        select model, co2e_kg from usage_carbon
        union all
        select model, co2e_kg from training_carbon
    ) as c
    group by model
),

models as (
    select model, currency from cloud_by_model
    union
    select model, currency from ledger_by_model
),

joined as (
    select
        m.model,
        c.business_unit,
        m.currency,
        coalesce(c.cloud_cost, 0) as cloud_cost,
        coalesce(c.cloud_cost, 0) + coalesce(l.ledger_cost, 0) as tco_cost,
        coalesce(p.predictions, 0) as predictions,
        p.first_half_predictions,
        p.second_half_predictions,
        c.first_half_cost,
        c.second_half_cost,
        k.co2e_kg
    from models as m
    left join cloud_by_model as c on c.model = m.model and c.currency = m.currency
    left join ledger_by_model as l on l.model = m.model and l.currency = m.currency
    left join predictions as p on p.model = m.model
    left join carbon as k on k.model = m.model
)

select
    model,
    business_unit,
    currency,
    tco_cost,
    cloud_cost,
    predictions,
    case when predictions > 0 then tco_cost * 1000 / predictions end as cost_per_1k_predictions,
    co2e_kg,
    case when predictions > 0 then co2e_kg * 1000 / predictions end as co2e_kg_per_1k_predictions,
    case
        when first_half_predictions > 0 then first_half_cost * 1000 / first_half_predictions
    end as first_half_cost_per_1k,
    case
        when second_half_predictions > 0 then second_half_cost * 1000 / second_half_predictions
    end as second_half_cost_per_1k
from joined
order by model, currency
