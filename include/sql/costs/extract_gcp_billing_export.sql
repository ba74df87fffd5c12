-- BigQuery dialect (run by google-cloud-bigquery, not by the warehouse): flatten the GCP detailed
-- (resource-level) or standard billing export for the requested invoice months into the shape of
-- normalize_gcp_billing_export.sql. {table} is the registry's checked `project.dataset.table`.
-- Credits are summed per row (negative amounts); labels become JSON object text.

with export as (
    select * from `{table}`
    where date(_partitiontime) >= @from_date
        and invoice.month in unnest(@invoice_months)
)

select
    billing_account_id,
    service.description as service_description,
    sku.id as sku_id,
    sku.description as sku_description,
    usage_start_time,
    usage_end_time,
    project.id as project_id,
    project.name as project_name,
    to_json_string(json_object(
        array(select l.key from unnest(labels) as l), array(select l.value from unnest(labels) as l)
    )) as labels,
    to_json_string(json_object(
        array(select l.key from unnest(project.labels) as l),
        array(select l.value from unnest(project.labels) as l)
    )) as project_labels,
    location.region as location_region,
    location.zone as location_zone,
    cost,
    currency,
    (select sum(c.amount) from unnest(credits) as c) as credits_amount,
    usage.amount as usage_amount,
    usage.unit as usage_unit,
    usage.amount_in_pricing_units as usage_amount_in_pricing_units,
    usage.pricing_unit as usage_pricing_unit,
    invoice.month as invoice_month,
    cost_type,
    cost_at_list,
    resource.name as resource_name,
    resource.global_name as resource_global_name,
    seller_name
from export
