-- The incidents opened in a window, oldest first. Parameters: :first_day, :last_day.
select
    severity, kind, subject, coalesce(model, dataset) as about, opened_on, status, resolved_on
from incidents
where opened_on between :first_day and :last_day
order by opened_on, about
