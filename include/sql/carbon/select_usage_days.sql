-- The charge-period starts of cost_line_daily within billing periods, for the usage estimates to redo.
-- Portable SQL. Parameters: :period_start, :period_end (UTC): a range of whole billing months.

with

cost_lines as (
    select "ChargePeriodStart" from cost_line_daily
    where "ChargePeriodStart" >= :period_start
      and "ChargePeriodStart" < :period_end
),

charge_starts as (
    select distinct "ChargePeriodStart" as charge_period_start from cost_lines
)

select charge_period_start from charge_starts
order by charge_period_start
