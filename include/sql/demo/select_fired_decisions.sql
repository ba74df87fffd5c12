-- The retraining decisions of one night that fired a run, for the demo runner to follow.
-- Parameters: :night.
select decision_id, model, reason, triggered_run_id
from retraining_decisions
where night = :night
  and action = 'fire'
  and triggered_run_id is not null
order by model
