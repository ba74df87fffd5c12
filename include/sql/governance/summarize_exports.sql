-- The exports of a window per name and status: nights, smallest k measured, a reason.
-- Parameters: :first_day, :last_day.
select export_name, status, count(*) as nights, min(k_measured) as k_min, max(reason) as reason
from data_exports
where export_date between :first_day and :last_day
group by export_name, status
order by export_name, status
