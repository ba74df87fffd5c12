-- Usage-based (estimated) energy and emissions per business unit and model over two periods:
-- the quarter (:start_day..:end_day) and the one before (:prev_start..:prev_end), dates included.
-- The grid factors are location-based averages; their coefficients version is kept.
with allocated as (
    select
        "x_ChargeDate" as charge_date,
        coalesce("x_BusinessUnit", 'unallocated') as business_unit,
        coalesce("x_ModelId", '(shared)') as model,
        "x_EnergyKwh" as energy_kwh,
        "x_Co2eKg" as co2e_kg,
        "x_CoefficientsVersion" as coefficients_version
    from carbon_allocated_daily
    where "x_ChargeDate" >= :prev_start and "x_ChargeDate" <= :end_day
),

periods as (
    select
        a.*,
        case when charge_date >= :start_day then 'current' else 'previous' end as period
    from allocated as a
    where charge_date <= :prev_end or charge_date >= :start_day
)

select
    period,
    business_unit,
    model,
    sum(energy_kwh) as energy_kwh,
    sum(co2e_kg) as co2e_kg,
    min(coefficients_version) as coefficients_version_min,
    max(coefficients_version) as coefficients_version_max
from periods
group by period, business_unit, model
order by period, business_unit, model
