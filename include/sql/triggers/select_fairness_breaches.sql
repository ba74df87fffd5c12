-- Fairness breaches in the nights :since..:night, of one model or of every model, as the night knew
-- them: the judged gaps (status breach: significant and beyond tolerance) of each window as the last
-- monitoring night <= :night evaluated it (fairness_windows_asof and fairness_breaches_asof, DDL 0021:
-- fairness_metrics keeps only the latest evaluation of a window of the label horizon), and any fairness
-- row of monitoring_breaches. From fairness_metrics instead: windows last evaluated before the model's
-- first recorded night, and every window when :night is before it (evidence_asof "latest").
-- Parameters: :model (null: every model), :since, :night.
with recorded as (
    select model, min(measured_night) as first_night
    from evidence_asof_nights
    where (cast(:model as text) is null or model = cast(:model as text))
    group by model
),

evaluated as (
    select w.model, w.window_date, max(w.measured_night) as measured_night
    from fairness_windows_asof as w
    inner join recorded as r on w.model = r.model and r.first_night <= :night
    where w.window_date between :since and :night
      and w.measured_night <= :night
    group by w.model, w.window_date
),

measured_breaches as (
    select
        b.model, b.window_date, b.attribute || ':' || b.group_value || ':' || b.metric as subject, b.value,
        b.tolerance as threshold, coalesce(b.note, '') as message, b.run_id
    from fairness_breaches_asof as b
    inner join evaluated as e
        on b.model = e.model and b.window_date = e.window_date and b.measured_night = e.measured_night
),

latest_breaches as (
    select
        f.model, f.window_date, f.attribute || ':' || f.group_value || ':' || f.metric as subject, f.value,
        f.tolerance as threshold, coalesce(f.note, '') as message, f.run_id
    from fairness_metrics as f
    left join recorded as r on f.model = r.model
    where (cast(:model as text) is null or f.model = cast(:model as text))
      and f.window_date between :since and :night
      and f.status = 'breach'
      and (r.first_night is null or r.first_night > :night or f.window_date < r.first_night)
      and not exists (
          select 1 from evaluated as e where e.model = f.model and e.window_date = f.window_date
      )
),

recorded_breaches as (
    select model, window_date, subject, value, threshold, message, run_id
    from monitoring_breaches
    where (cast(:model as text) is null or model = cast(:model as text))
      and window_date between :since and :night
      and kind = 'fairness'
),

breaches as (
    select * from measured_breaches
    union
    select * from latest_breaches
    union
    select * from recorded_breaches
)

select model, window_date, subject, value, threshold, message, run_id
from breaches
order by model, window_date, subject
