-- The newest registered version of a model (steward.lifecycle's model_versions) created at or before :now:
-- staleness reads its age and training windows, the cool-down its creation time.
-- Parameters: :model, :now (timestamp).
with versions as (
    select version, created_at, training_windows_json
    from model_versions
    where model = :model
      and created_at <= :now
)

select version, created_at, training_windows_json
from versions
order by created_at desc, version desc
limit 1
