-- 0011 the audit log keeps its history: one row per governance event, never replaced by a later run.
-- An event is keyed by its subject, the run and the attempt (Airflow's try number), so a retry or a
-- cleared and rerun task adds an event instead of overwriting the failure before it. The view gives
-- the latest event per subject (e.g. per dataset partition) for "what is the state now" questions.
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL.

alter table audit_log add column attempt integer;

create view audit_log_latest as
select event_id, occurred_at, actor, action, subject_type, subject_id, details_json, run_id, attempt
from (
    select
        a.*,
        row_number() over (
            partition by subject_type, subject_id order by occurred_at desc, event_id desc
        ) as newest_first
    from audit_log as a
) as ranked
where newest_first = 1;
