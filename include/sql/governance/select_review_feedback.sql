-- User feedback joined to the review queue: each reported prediction, and the queued segment that
-- listed it among its examples (none when it was not queued, or the log's sensitivity masks its ids).
-- Template filled by steward.governance (Python str.format): where  a filter, e.g. "where f.model = :model".
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL (the JSON list is matched as text).

with feedback as (
    select model, prediction_id, issue, feedback_date, reported_at, source_dataset
    from prediction_feedback
),

queued as (
    select model, window_date, segment_feature, segment_value, low_confidence_share, example_ids_json
    from review_queue
),

joined as (
    select
        f.model,
        f.prediction_id,
        f.issue,
        f.feedback_date,
        f.reported_at,
        f.source_dataset,
        q.window_date as queued_window,
        q.segment_feature,
        q.segment_value,
        q.low_confidence_share,
        q.model is not null as in_review_queue
    from feedback as f
    left join queued as q
        on q.model = f.model
        and q.example_ids_json like '%"' || f.prediction_id || '"%'
)

select * from joined as f
{where}
order by feedback_date, model, prediction_id, queued_window
