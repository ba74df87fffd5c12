-- Fairness breaches in the nights :since..:night, of one model or of every model: the judged gaps of
-- fairness_metrics (status breach: significant and beyond tolerance) and any fairness row of
-- monitoring_breaches. Parameters: :model (null: every model), :since, :night.
with metric_breaches as (
    select
        model, window_date, attribute || ':' || group_value || ':' || metric as subject, value,
        tolerance as threshold, coalesce(note, '') as message, run_id
    from fairness_metrics
    where (cast(:model as text) is null or model = cast(:model as text))
      and window_date between :since and :night
      and status = 'breach'
),

recorded_breaches as (
    select model, window_date, subject, value, threshold, message, run_id
    from monitoring_breaches
    where (cast(:model as text) is null or model = cast(:model as text))
      and window_date between :since and :night
      and kind = 'fairness'
),

breaches as (
    select * from metric_breaches
    union
    select * from recorded_breaches
)

select model, window_date, subject, value, threshold, message, run_id
from breaches
order by model, window_date, subject
