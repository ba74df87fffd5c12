-- A model's drift rows of every night, for its control charts. Parameters: :model.
select
    window_date, feature, role, column_type, status, effect_method, effect_size, drifted,
    current_mean, current_counts_json,
    reference_mean, reference_std, n_current, n_reference, reference_id
from drift_metrics
where model = :model
order by window_date
