-- Usage-based emissions by business unit over a range of charge days, with each unit's share.
-- Portable SQL. Parameters: :start_day, :end_day (dates, both included).

with

allocated as (
    select "x_BusinessUnit" as business_unit, "x_Co2eKg" as co2e_kg, "x_EnergyKwh" as energy_kwh
    from carbon_allocated_daily
    where "x_ChargeDate" >= :start_day
      and "x_ChargeDate" <= :end_day
),

by_unit as (
    select business_unit, sum(co2e_kg) as co2e_kg, sum(energy_kwh) as energy_kwh
    from allocated
    group by business_unit
),

totals as (
    select sum(co2e_kg) as total_co2e_kg from by_unit
)

select
    by_unit.business_unit,
    by_unit.co2e_kg,
    by_unit.energy_kwh,
    case when totals.total_co2e_kg > 0 then by_unit.co2e_kg / totals.total_co2e_kg end as share
from by_unit
cross join totals
order by by_unit.co2e_kg desc
