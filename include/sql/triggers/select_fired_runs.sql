-- The model_retraining runs the decisions of a model started, newest first: the trigger asks Airflow
-- whether one of them is still queued or running before it fires again. Parameters: :model, :limit.
with fired as (
    select night, triggered_run_id
    from retraining_decisions
    where model = :model
      and action = 'fire'
      and triggered_run_id is not null
)

select triggered_run_id
from fired
order by night desc
limit :limit
