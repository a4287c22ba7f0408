"""Costs from the Cloud Billing export to BigQuery, as FOCUS-named CostRecords.

FOCUS defines BilledCost as what is invoiced before credits are applied and EffectiveCost as
the cost after them, so ``billed_cost = SUM(cost)`` and
``effective_cost = SUM(cost) + SUM(credits.amount)`` (credit amounts are negative).

The SQL is a constant: every user value (period, billing account, projects) travels as a query
parameter. Only the table name is interpolated, because BigQuery cannot take it as a
parameter, and it must first match :data:`~lepton_cli.providers.gcp.config.TABLE_PATTERN`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from lepton_cli.errors import InputError
from lepton_cli.models import CostRecord, Period
from lepton_cli.models.period import midnight
from lepton_cli.providers.boundary import Timeouts
from lepton_cli.providers.gcp.config import TABLE_PATTERN

PROVIDER_NAME = "Google Cloud"

_QUERY = """
SELECT
  billing_account_id,
  project.id AS project_id,
  service.description AS service_name,
  sku.id AS sku_id,
  sku.description AS sku_description,
  location.region AS region_id,
  {resource} AS resource_id,
  TO_JSON_STRING(labels) AS labels,
  cost_type,
  currency,
  SUM(CAST(cost AS NUMERIC)) AS billed_cost,
  SUM(IFNULL((SELECT SUM(CAST(c.amount AS NUMERIC)) FROM UNNEST(credits) AS c), 0)) AS credits,
  SUM(CAST(usage.amount_in_pricing_units AS NUMERIC)) AS consumed_quantity,
  ANY_VALUE(usage.pricing_unit) AS consumed_unit
FROM `{table}`
WHERE usage_start_time >= @period_start
  AND usage_start_time < @period_end
  AND (@billing_account IS NULL OR billing_account_id = @billing_account)
  AND (ARRAY_LENGTH(@projects) = 0 OR project.id IN UNNEST(@projects))
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
"""

CHARGE_CATEGORY = {
    "regular": "Usage",
    "tax": "Tax",
    "adjustment": "Adjustment",
    "rounding error": "Adjustment",
}
SERVICE_CATEGORY = {
    "Compute Engine": "Compute",
    "Kubernetes Engine": "Compute",
    "Cloud Run": "Compute",
    "Cloud Run Functions": "Compute",
    "Cloud Functions": "Compute",
    "App Engine": "Compute",
    "Cloud Storage": "Storage",
    "Cloud Filestore": "Storage",
    "Cloud SQL": "Databases",
    "Cloud Spanner": "Databases",
    "Cloud Bigtable": "Databases",
    "Cloud Memorystore for Redis": "Databases",
    "Firestore": "Databases",
    "BigQuery": "Analytics",
    "Cloud Dataflow": "Analytics",
    "Cloud Pub/Sub": "Integration",
    "Networking": "Networking",
    "Cloud DNS": "Networking",
    "Cloud Load Balancing": "Networking",
    "Cloud Logging": "Management and Governance",
    "Cloud Monitoring": "Management and Governance",
    "Vertex AI": "AI and Machine Learning",
}


def checked_table(table: str) -> str:
    """The table name, if it is a plain ``project.dataset.table`` (it goes into the SQL)."""
    if not TABLE_PATTERN.match(table):
        raise InputError(
            f"gcp.billing_export_table {table!r} is not a BigQuery table name",
            hint="give project.dataset.table, as shown in Billing > Billing export",
        )
    return table


def cost_sql(table: str, resource_level: bool) -> str:
    """The aggregation query over one export table (``resource.global_name`` when it has it)."""
    resource = "resource.global_name" if resource_level else "CAST(NULL AS STRING)"
    return _QUERY.format(table=checked_table(table), resource=resource)


def query_parameters(
    period: Period, billing_account: str | None, projects: Sequence[str]
) -> list[Any]:
    """The query's parameters: period bounds, billing account and project filter."""
    from google.cloud import bigquery

    return [
        bigquery.ScalarQueryParameter("period_start", "TIMESTAMP", midnight(period.start, dt.UTC)),
        bigquery.ScalarQueryParameter("period_end", "TIMESTAMP", midnight(period.end, dt.UTC)),
        bigquery.ScalarQueryParameter("billing_account", "STRING", billing_account),
        bigquery.ArrayQueryParameter("projects", "STRING", list(projects)),
    ]


def run_query(
    client: Any,
    sql: str,
    parameters: list[Any],
    max_bytes_billed: int | None = None,
    timeouts: Timeouts | None = None,
) -> Iterable[Any]:
    """Rows of the query (``jobs.query``; further pages through getQueryResults).

    With ``max_bytes_billed`` BigQuery refuses, before running it, a query that would bill more
    bytes than that (and bills nothing for it). Each request has the read timeout; BigQuery's
    own retry (rate limits, backend errors) gives up after a quarter of the scope's deadline
    (its default is 600 s), and the wait for the job stops at the deadline.
    """
    from google.cloud import bigquery
    from google.cloud.bigquery.retry import DEFAULT_RETRY

    timeouts = timeouts or Timeouts()
    config = bigquery.QueryJobConfig(query_parameters=parameters, use_legacy_sql=False)
    if max_bytes_billed is not None:
        config.maximum_bytes_billed = max_bytes_billed
    return client.query_and_wait(  # type: ignore[no-any-return]
        sql,
        job_config=config,
        api_timeout=timeouts.read,
        wait_timeout=timeouts.deadline,
        retry=DEFAULT_RETRY.with_timeout(timeouts.deadline / 4),
        job_retry=None,
    )


def query_hint(error: BaseException) -> str:
    """How to fix a failed export query: the bytes cap, or the table and location."""
    if "bytes billed" in str(error):  # "Query exceeded limit for bytes billed: N. M or higher"
        return "raise gcp.max_bytes_billed (or set it to null for no cap), see docs/gcp.md"
    return "check gcp.billing_export_table and gcp.bigquery_location"


def pricing_category(sku_description: str) -> str:
    """FOCUS PricingCategory from the SKU: spot is Dynamic, commitments are Committed."""
    if "Preemptible" in sku_description or sku_description.startswith("Spot "):
        return "Dynamic"
    if sku_description.startswith("Commitment"):
        return "Committed"
    return "Standard"


def _labels(text: str | None) -> dict[str, str]:
    return {item["key"]: str(item["value"]) for item in json.loads(text or "[]")}


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def cost_record(row: Any, period: Period) -> CostRecord:
    """One export aggregate as a CostRecord (FOCUS column names)."""
    billed = _decimal(row["billed_cost"]) or Decimal(0)
    return CostRecord(
        provider_name=PROVIDER_NAME,
        billing_account_id=row["billing_account_id"],
        sub_account_id=row["project_id"],
        billing_period_start=period.start,
        charge_period_start=midnight(period.start, dt.UTC),
        charge_period_end=midnight(period.end, dt.UTC),
        charge_category=CHARGE_CATEGORY.get(row["cost_type"] or "regular", "Usage"),
        pricing_category=pricing_category(row["sku_description"] or ""),
        service_name=row["service_name"],
        service_category=SERVICE_CATEGORY.get(row["service_name"] or "", "Other"),
        region_id=row["region_id"],
        resource_id=row["resource_id"],
        sku_id=row["sku_id"],
        billed_cost=billed,
        effective_cost=billed + (_decimal(row["credits"]) or Decimal(0)),
        billing_currency=row["currency"] or "USD",
        consumed_quantity=_decimal(row["consumed_quantity"]),
        consumed_unit=row["consumed_unit"],
        tags=_labels(row["labels"]),
    )


def cost_records(rows: Iterable[Any], period: Period) -> Iterator[CostRecord]:
    for row in rows:
        yield cost_record(row, period)
