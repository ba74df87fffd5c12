-- A model's decisions of the nights before :night, newest first: the last retraining (cool-down) and an
-- open deferral (its first deferral starts the deadline). Parameters: :model, :night.
with decisions as (
    select decision_id, night, evaluated_at, action, policy, deferred_until, triggered_run_id
    from retraining_decisions
    where model = :model
      and night < :night
)

select decision_id, night, evaluated_at, action, policy, deferred_until, triggered_run_id
from decisions
order by night desc, evaluated_at desc
