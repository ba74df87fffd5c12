-- A model's current aliases (alias -> version) and stages (version -> stage) in one round trip.
-- Parameters: :model.
select 'alias' as kind, alias as name, version as value
from model_aliases_current
where model = :model

union all

select 'stage' as kind, version as name, stage as value
from model_stage_current
where model = :model
