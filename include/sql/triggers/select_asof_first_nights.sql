-- The first monitoring night that recorded its measurements per night (evidence_asof_nights, DDL 0021),
-- of one model or of every model: a decision on an earlier night reads the latest-only tables and says
-- so in its evidence. Parameters: :model (null: every model).
with recorded as (
    select model, measured_night
    from evidence_asof_nights
    where (cast(:model as text) is null or model = cast(:model as text))
)

select model, min(measured_night) as first_night
from recorded
group by model
order by model
