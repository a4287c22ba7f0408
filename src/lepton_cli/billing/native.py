"""Native (non-FOCUS) cost exports: recognised by their columns and refused with the way out.

lepton reads FOCUS. A provider's own export (AWS CUR, Azure cost details, the GCP BigQuery
billing export, OCI cost reports) has other columns, other sign conventions and other ideas of
what a "cost" is; converting them is the provider's job, and every one of them can now write
FOCUS directly. So a native file is never half-read: it is named for what it is, with the steps
to get a FOCUS export from that provider.

How each native file is recognised (columns matched case-sensitively, by header name):

| export | columns that identify it | its cost column |
|---|---|---|
| AWS CUR (legacy, v1) | ``lineItem/UnblendedCost``, ``lineItem/UsageStartDate`` | UnblendedCost |
| AWS CUR 2.0 (Data Exports) | ``line_item_unblended_cost``, ``line_item_usage_start_date`` | same |
| Azure EA / MCA cost details, actual or amortised | ``CostInBillingCurrency``, or ``Cost``
  + ``BillingCurrency``, with ``MeterCategory`` / ``ResourceLocation`` / ``PricingModel`` |
  CostInBillingCurrency / Cost |
| GCP BigQuery billing export | ``billing_account_id``, ``usage_start_time``, ``cost``
  (flattened ``service.description`` / ``service_description``) | cost |
| OCI cost report | ``lineItem/intervalUsageStart``, ``cost/myCost`` | myCost |
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class NativeExport:
    name: str
    all_of: tuple[str, ...]  # every one of these columns is present
    any_of: tuple[str, ...]  # and at least one of these (empty: no further condition)
    how: str  # how to get a FOCUS export from this provider


_AWS = (
    "in the AWS Billing and Cost Management console, Data Exports > Create > "
    '"FOCUS 1.0 with AWS columns" (or `aws bcm-data-exports create-export` with '
    "QueryStatement `SELECT ... FROM FOCUS_1_0_AWS`), then read the CSV/Parquet files it writes "
    "to S3"
)
_AZURE = (
    "in Cost Management > Exports, create an export of type "
    '"Cost and usage details (FOCUS)" (dataset FocusCost), CSV or Parquet'
)
_GCP = (
    "query the BigQuery billing export through Google's FOCUS view "
    "(Billing > BigQuery export > FOCUS) and save the result as CSV or Parquet"
)
_OCI = (
    "download the FOCUS reports OCI writes for your tenancy "
    "(Object Storage bucket of the `bling` namespace, prefix `FOCUS Reports/`)"
)

EXPORTS: tuple[NativeExport, ...] = (
    NativeExport(
        "an AWS Cost and Usage Report (legacy CUR, `lineItem/` columns)",
        ("lineItem/UnblendedCost",),
        ("lineItem/UsageStartDate", "bill/BillingPeriodStartDate"),
        _AWS,
    ),
    NativeExport(
        "an AWS CUR 2.0 export (`line_item_` columns)",
        ("line_item_unblended_cost",),
        ("line_item_usage_start_date", "bill_billing_period_start_date"),
        _AWS,
    ),
    NativeExport(
        "an OCI cost report (`cost/myCost` column)",
        ("cost/myCost",),
        ("lineItem/intervalUsageStart",),
        _OCI,
    ),
    NativeExport(
        "an Azure cost details export (EA/MCA actual or amortised, `CostInBillingCurrency`)",
        ("CostInBillingCurrency",),
        ("MeterCategory", "ResourceLocation", "PricingModel", "BillingCurrencyCode"),
        _AZURE,
    ),
    NativeExport(
        "an Azure cost details export (EA actual or amortised, `Cost` and `BillingCurrency`)",
        ("Cost", "BillingCurrency"),
        ("MeterCategory", "ResourceLocation", "PricingModel"),
        _AZURE,
    ),
    NativeExport(
        "a GCP BigQuery billing export",
        ("billing_account_id", "usage_start_time", "cost"),
        (),
        _GCP,
    ),
)


def _strip_bom(columns: Sequence[str]) -> set[str]:
    return {c.lstrip("\ufeff").strip('"') for c in columns}


def recognise(columns: Sequence[str]) -> NativeExport | None:
    """The native export whose columns ``columns`` are, or None."""
    present = _strip_bom(columns)
    for export in EXPORTS:
        if set(export.all_of) <= present and (
            not export.any_of or present.intersection(export.any_of)
        ):
            return export
    return None
