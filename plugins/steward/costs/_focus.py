"""The FOCUS 1.2 columns of ``cost_line_daily`` and Steward's own ``x_`` columns, with their types.

Column names are the FinOps FOCUS 1.2 column IDs verbatim (CamelCase: quote them in SQL on
PostgreSQL, e.g. ``"BilledCost"``). Money and quantities are ``decimal(38,10)``
(Arrow ``decimal128(38, 10)``, PostgreSQL ``numeric(38,10)``); date/times are UTC timestamps;
``Tags`` and ``SkuPriceDetails`` are JSON object text.

Examples
--------
>>> "BilledCost" in FOCUS_COLUMNS and "x_SourceName" in X_COLUMNS
True
>>> cost_line_schema().field("BilledCost").type
Decimal128Type(decimal128(38, 10))
"""

from __future__ import annotations

from typing import Final, Literal

import pyarrow as pa

__all__ = [
    "CONTRACT_COLUMNS",
    "COST_LINE_COLUMNS",
    "DECIMAL",
    "FOCUS_COLUMNS",
    "FOCUS_VERSION",
    "MONEY_COLUMNS",
    "QUANTITY_COLUMNS",
    "TABLE",
    "TIMESTAMP",
    "X_COLUMNS",
    "cost_line_schema",
]

#: The FOCUS version the table follows (what ``focus-validator --validate-version`` checks).
FOCUS_VERSION: Final = "1.2"
#: The warehouse table.
TABLE: Final = "cost_line_daily"

#: Arrow type of every money and quantity column.
DECIMAL: Final = pa.decimal128(38, 10)
#: Arrow type of every date/time column.
TIMESTAMP: Final = pa.timestamp("us", tz="UTC")

_Kind = Literal["text", "decimal", "timestamp", "json", "boolean", "bigint"]

#: FOCUS 1.2 column ID -> kind, in the specification's (alphabetical) order.
FOCUS_COLUMNS: Final[dict[str, _Kind]] = {
    "AvailabilityZone": "text",
    "BilledCost": "decimal",
    "BillingAccountId": "text",
    "BillingAccountName": "text",
    "BillingAccountType": "text",
    "BillingCurrency": "text",
    "BillingPeriodEnd": "timestamp",
    "BillingPeriodStart": "timestamp",
    "CapacityReservationId": "text",
    "CapacityReservationStatus": "text",
    "ChargeCategory": "text",
    "ChargeClass": "text",
    "ChargeDescription": "text",
    "ChargeFrequency": "text",
    "ChargePeriodEnd": "timestamp",
    "ChargePeriodStart": "timestamp",
    "CommitmentDiscountCategory": "text",
    "CommitmentDiscountId": "text",
    "CommitmentDiscountName": "text",
    "CommitmentDiscountQuantity": "decimal",
    "CommitmentDiscountStatus": "text",
    "CommitmentDiscountType": "text",
    "CommitmentDiscountUnit": "text",
    "ConsumedQuantity": "decimal",
    "ConsumedUnit": "text",
    "ContractedCost": "decimal",
    "ContractedUnitPrice": "decimal",
    "EffectiveCost": "decimal",
    "InvoiceId": "text",
    "InvoiceIssuerName": "text",
    "ListCost": "decimal",
    "ListUnitPrice": "decimal",
    "PricingCategory": "text",
    "PricingCurrency": "text",
    "PricingCurrencyContractedUnitPrice": "decimal",
    "PricingCurrencyEffectiveCost": "decimal",
    "PricingCurrencyListUnitPrice": "decimal",
    "PricingQuantity": "decimal",
    "PricingUnit": "text",
    "ProviderName": "text",
    "PublisherName": "text",
    "RegionId": "text",
    "RegionName": "text",
    "ResourceId": "text",
    "ResourceName": "text",
    "ResourceType": "text",
    "ServiceCategory": "text",
    "ServiceName": "text",
    "ServiceSubcategory": "text",
    "SkuId": "text",
    "SkuMeter": "text",
    "SkuPriceDetails": "json",
    "SkuPriceId": "text",
    "SubAccountId": "text",
    "SubAccountName": "text",
    "SubAccountType": "text",
    "Tags": "json",
}

#: Steward's custom columns (FOCUS allows custom columns prefixed ``x_``).
X_COLUMNS: Final[dict[str, _Kind]] = {
    "x_SourceName": "text",  # the registry source (costs.sources[].name): half of the partition key
    "x_SourceSystem": "text",  # aws_cost_explorer | aws_cur2 | gcp_billing_export | focus
    "x_SourceRowHash": "text",  # md5 of the line's dimensions: stable across reruns
    "x_PipelineRunId": "text",
    "x_IngestedAt": "timestamp",
    "x_Estimated": "boolean",  # the provider may still change this line (Cost Explorer Estimated)
    "x_Credits": "decimal",  # credits included in BilledCost (<= 0), GCP credits / AWS CE net
    "x_UsageType": "text",  # AWS usage type / GCP SKU description
    "x_Operation": "text",  # AWS operation
    "x_SourceLineCount": "bigint",  # how many source lines were summed into this daily line
}

#: Every column of ``cost_line_daily``, in table order.
COST_LINE_COLUMNS: Final[dict[str, _Kind]] = {**FOCUS_COLUMNS, **X_COLUMNS}

#: Money columns (summed when lines are aggregated; per-currency totals in reports).
MONEY_COLUMNS: Final = (
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "PricingCurrencyEffectiveCost",
    "x_Credits",
)

#: Quantity columns (summed, with the money columns, when lines are aggregated to days).
QUANTITY_COLUMNS: Final = ("ConsumedQuantity", "PricingQuantity", "CommitmentDiscountQuantity")

#: Columns the allocation and carbon code rely on: renaming one breaks them.
CONTRACT_COLUMNS: Final = (
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "BillingPeriodStart",
    "BillingAccountId",
    "BillingAccountName",
    "SubAccountId",
    "SubAccountName",
    "BillingCurrency",
    "ProviderName",
    "ServiceName",
    "ServiceCategory",
    "RegionId",
    "ResourceId",
    "SkuId",
    "ChargeCategory",
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "ConsumedQuantity",
    "ConsumedUnit",
    "PricingQuantity",
    "PricingUnit",
    "Tags",
    "x_SourceName",
    "x_SourceSystem",
)

_ARROW: Final[dict[_Kind, pa.DataType]] = {
    "text": pa.string(),
    "json": pa.string(),
    "decimal": DECIMAL,
    "timestamp": TIMESTAMP,
    "boolean": pa.bool_(),
    "bigint": pa.int64(),
}


def cost_line_schema(*, focus_only: bool = False) -> pa.Schema:
    """Return the Arrow schema of ``cost_line_daily`` (or of its FOCUS columns only).

    Parameters
    ----------
    focus_only
        Leave out the ``x_`` columns.

    Returns
    -------
    pyarrow.Schema
        Columns in table order with their Arrow types.

    Examples
    --------
    >>> len(cost_line_schema(focus_only=True)) == len(FOCUS_COLUMNS)
    True
    """
    cols = FOCUS_COLUMNS if focus_only else COST_LINE_COLUMNS
    return pa.schema([(name, _ARROW[kind]) for name, kind in cols.items()])
