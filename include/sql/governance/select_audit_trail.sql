-- One audit trail: decisions on AI initiatives and stage gates, governance events of the audit log,
-- incidents' timelines and the model registry's events (model_events), newest first.
-- Template filled by steward.governance (Python str.format):
--   where          a filter on the unified columns, e.g. "where model = :model", or empty
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL.

with decisions as (
    select
        decided_at as occurred_at,
        'decision' as source,
        decided_by as actor,
        'decision_' || status as action,
        'initiative' as subject_type,
        initiative as subject_id,
        model,
        stage || ': ' || rationale as details
    from governance_decisions
),

audit as (
    select
        occurred_at,
        'audit_log' as source,
        actor,
        action,
        subject_type,
        subject_id,
        case when subject_type = 'model' then subject_id end as model,
        details_json as details
    from audit_log
),

incident_timeline as (
    select
        cast(e.event_on as timestamptz) as occurred_at,
        'incident' as source,
        e.actor,
        'incident_' || e.event as action,
        'incident' as subject_type,
        e.incident_id as subject_id,
        i.model,
        e.message as details
    from incident_events as e
    inner join incidents as i on i.incident_id = e.incident_id
),

registry_events as (
    select
        occurred_at,
        'model_registry' as source,
        actor,
        kind as action,
        'model_version' as subject_type,
        model || ' ' || version as subject_id,
        model,
        reason as details
    from model_events
),

trail as (
    select * from decisions
    union all
    select * from audit
    union all
    select * from incident_timeline
    union all
    select * from registry_events
)

select occurred_at, source, actor, action, subject_type, subject_id, model, details
from trail
{where}
order by occurred_at desc, source, subject_id
