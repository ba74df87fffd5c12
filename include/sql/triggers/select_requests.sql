-- Manual retraining requests made by the decision's clock :now, of one model or of every model: the
-- pending ones and those a decision of :night consumed (so a rerun of that night sees the same requests).
-- Parameters: :model (null: every model), :night, :now (timestamp).
with night_decisions as (
    select decision_id
    from retraining_decisions
    where night = :night
),

requests as (
    select request_id, model, requested_at, requested_by, reason, consumed_by
    from retraining_requests
    where (cast(:model as text) is null or model = cast(:model as text))
      and requested_at <= :now
      and (consumed_by is null or consumed_by in (select decision_id from night_decisions))
)

select request_id, model, requested_at, requested_by, reason, consumed_by
from requests
order by model, requested_at, request_id
