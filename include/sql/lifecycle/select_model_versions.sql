-- A model's versions in the order they were registered (the registered event's sequence number).
-- Parameters: :model.
with versions as (
    select * from model_versions where model = :model
),

registered as (
    select model, version, seq from model_events where kind = 'registered'
)

select v.*, e.seq as registered_seq
from versions as v
left join registered as e
    on e.model = v.model and e.version = v.version
order by e.seq, v.created_at, v.version
