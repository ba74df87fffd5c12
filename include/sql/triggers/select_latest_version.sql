-- The newest registered version per model (steward.lifecycle's model_versions) created at or before
-- :now, of one model or of every model: staleness reads its age and training windows, the cool-down its
-- creation time. Parameters: :model (null: every model), :now (timestamp).
with versions as (
    select
        model, version, created_at, training_windows_json,
        row_number() over (partition by model order by created_at desc, version desc) as newest
    from model_versions
    where (cast(:model as text) is null or model = cast(:model as text))
      and created_at <= :now
)

select model, version, created_at, training_windows_json
from versions
where newest = 1
order by model
