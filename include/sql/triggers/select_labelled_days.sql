-- Labelled windows of the training window :since..:night, of one model or of every model: per window the
-- labelled rows and their positive rate as monitoring last measured them (``positive_rate`` rows of
-- model_performance are recomputed each night over the label horizon). The data-sufficiency guard
-- counts the days and checks that the holdout holds both classes before a retraining fires.
-- Parameters: :model (null: every model), :since, :night.
with labelled as (
    select model, window_date, n_labelled, realized_value as positive_rate, run_id
    from model_performance
    where (cast(:model as text) is null or model = cast(:model as text))
      and metric = 'positive_rate'
      and window_date between :since and :night
      and n_labelled > 0
      and realized_value is not null
)

select model, window_date, n_labelled, positive_rate, run_id
from labelled
order by model, window_date
