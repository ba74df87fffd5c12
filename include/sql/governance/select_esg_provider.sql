-- Provider-reported emissions (AWS, GCP) over two periods by usage month: location- and market-based,
-- company-wide (providers report per account, not per model).
with monthly as (
    select
        usage_month,
        location_based_co2e_kg,
        market_based_co2e_kg,
        model_version
    from carbon_provider_monthly
    where usage_month >= :prev_start and usage_month <= :end_day
)

select
    case when usage_month >= :start_day then 'current' else 'previous' end as period,
    sum(location_based_co2e_kg) as location_based_co2e_kg,
    sum(market_based_co2e_kg) as market_based_co2e_kg,
    max(model_version) as model_version
from monthly
group by case when usage_month >= :start_day then 'current' else 'previous' end
