-- Manual retraining requests of a model: the pending ones and those the decision :decision_id consumed
-- (so a rerun of that night sees the same requests). Parameters: :model, :decision_id.
with requests as (
    select request_id, model, requested_at, requested_by, reason, consumed_by
    from retraining_requests
    where model = :model
      and (consumed_by is null or consumed_by = :decision_id)
)

select request_id, model, requested_at, requested_by, reason, consumed_by
from requests
order by requested_at, request_id
