-- The candidate-region comparison over a range of days: what the same workload would emit elsewhere.
-- Portable SQL. Parameters: :start_day, :end_day (dates, both included).

with

comparison as (
    select provider, region, candidate_provider, candidate_region, co2e_kg, candidate_co2e_kg
    from carbon_region_comparison
    where charge_date >= :start_day
      and charge_date <= :end_day
),

summed as (
    select
        provider, region, candidate_provider, candidate_region,
        sum(co2e_kg) as co2e_kg,
        sum(candidate_co2e_kg) as candidate_co2e_kg
    from comparison
    group by provider, region, candidate_provider, candidate_region
)

select
    provider, region, candidate_provider, candidate_region, co2e_kg, candidate_co2e_kg,
    candidate_co2e_kg - co2e_kg as delta_co2e_kg
from summed
order by provider, region, candidate_co2e_kg
