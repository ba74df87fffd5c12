-- The stored reference profiles of a model's reference, one row per feature.
-- Parameters: :model, :reference_id.
select *
from monitoring_reference_profiles
where model = :model
  and reference_id = :reference_id
