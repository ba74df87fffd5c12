-- The PII findings of a window that need action: undeclared, or declared too low, last seen when.
-- Parameters: :first_day, :last_day.
with findings as (
    select *
    from pii_findings
    where scan_date between :first_day and :last_day
      and (not declared or sensitivity_too_low)
)

select
    dataset, column_name, entity, sensitivity, warranted_sensitivity, declared, sensitivity_too_low,
    max(scan_date) as last_seen
from findings
group by dataset, column_name, entity, sensitivity, warranted_sensitivity, declared, sensitivity_too_low
order by dataset, column_name
