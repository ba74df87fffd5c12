-- The batches data quality quarantined on the demo's nights, with the reason.
-- Parameters: :first_day, :last_day.
select dataset, partition_date, reason
from quarantine
where partition_date between :first_day and :last_day
order by partition_date
