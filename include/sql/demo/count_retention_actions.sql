-- The retention actions carried out (not dry runs), counted by action.
select action, count(*) as n
from retention_actions
where dry_run = false
group by action
order by action
