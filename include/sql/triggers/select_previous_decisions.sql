-- Decisions of the nights :since..:night - 1, of one model or of every model, newest first: the last
-- retraining (cool-down) and an open deferral (its first deferral starts the deadline).
-- Parameters: :model (null: every model), :since, :night.
with decisions as (
    select model, decision_id, night, evaluated_at, action, policy, deferred_until, triggered_run_id
    from retraining_decisions
    where (cast(:model as text) is null or model = cast(:model as text))
      and night >= :since
      and night < :night
)

select model, decision_id, night, evaluated_at, action, policy, deferred_until, triggered_run_id
from decisions
order by model, night desc, evaluated_at desc
