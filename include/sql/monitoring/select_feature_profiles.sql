-- Every stored reference profile of one feature of a model (the score column), newest first.
-- Parameters: :model, :feature.
select *
from monitoring_reference_profiles
where model = :model
  and feature = :feature
order by computed_at desc
