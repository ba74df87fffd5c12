-- Monitoring outcomes per model x window, newest first (the Governance page).
with monitoring as (
    select model, window_date, status, features_checked, features_drifted, dataset_drift,
           prediction_drift, performance_breach, message, report_path, run_id
    from monitoring_runs
)

select *
from monitoring
order by window_date desc, model
limit 500
