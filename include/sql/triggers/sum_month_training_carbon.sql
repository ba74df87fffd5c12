-- Measured training emissions of one month up to the decision's clock per model (codecarbon,
-- carbon_training_runs: runs started before :month_end, the month's end or the clock when earlier), of
-- one model or of every model. Parameters: :model (null: every model), :month_start, :month_end
-- (timestamps, end exclusive).
with runs as (
    select model, co2e_kg, energy_kwh
    from carbon_training_runs
    where (cast(:model as text) is null or model = cast(:model as text))
      and started_at >= :month_start
      and started_at < :month_end
)

select model, count(*) as runs, sum(co2e_kg) as co2e_kg, sum(energy_kwh) as energy_kwh
from runs
group by model
order by model
