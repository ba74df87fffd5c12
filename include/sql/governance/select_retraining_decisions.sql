-- The latest retraining decisions, newest night first: what each model's policy decided and why
-- (retraining_decisions, written by the retraining_trigger DAG; the evidence stays in the table).
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL.
select night, model, action, guard, deferred_until, reason, run_id, triggered_run_id
from retraining_decisions
order by night desc, model, evaluated_at desc
limit 50
