-- A model's measured training emissions of one month (codecarbon, carbon_training_runs).
-- Parameters: :model, :month_start, :month_end (timestamps, end exclusive).
with runs as (
    select co2e_kg, energy_kwh
    from carbon_training_runs
    where model = :model
      and started_at >= :month_start
      and started_at < :month_end
)

select count(*) as runs, sum(co2e_kg) as co2e_kg, sum(energy_kwh) as energy_kwh
from runs
