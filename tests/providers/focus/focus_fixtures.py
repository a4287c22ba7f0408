"""Builders of small FOCUS exports (CSV text with FOCUS columns and sensible defaults)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

COLUMNS = (
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "BillingCurrency",
    "BillingAccountId",
    "SubAccountId",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ChargeCategory",
    "PricingCategory",
    "ProviderName",
    "RegionId",
    "ResourceId",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "SkuId",
    "Tags",
)

DEFAULTS: dict[str, str] = {
    "BilledCost": "1.00",
    "EffectiveCost": "1.00",
    "ListCost": "1.50",
    "BillingCurrency": "USD",
    "BillingAccountId": "111122223333",
    "SubAccountId": "444455556666",
    "BillingPeriodStart": "2026-10-01T00:00:00Z",
    "BillingPeriodEnd": "2026-11-01T00:00:00Z",
    "ChargePeriodStart": "2026-10-01T00:00:00Z",
    "ChargePeriodEnd": "2026-10-02T00:00:00Z",
    "ChargeCategory": "Usage",
    "PricingCategory": "Standard",
    "ProviderName": "AWS",
    "RegionId": "us-east-1",
    "ResourceId": "i-1",
    "ResourceType": "Virtual Machine",
    "ServiceCategory": "Compute",
    "ServiceName": "Amazon EC2",
    "SkuId": "SKU1",
    "Tags": '{"team": "payments"}',
}


def focus_text(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str] = COLUMNS,
    *,
    newline: str = "\n",
) -> str:
    """CSV text with ``columns``; each row is DEFAULTS overridden by its own values."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(columns)
    for row in rows:
        values = {**DEFAULTS, **_derived(row), **row}
        writer.writerow([values.get(c, "") for c in columns])
    return out.getvalue()


def _derived(row: dict[str, Any]) -> dict[str, str]:
    """Defaults that follow a row's own values: an hour-long charge from its start, and an
    effective cost equal to its billed cost."""
    out = {}
    start = row.get("ChargePeriodStart")
    if start and "ChargePeriodEnd" not in row:
        try:
            begin = dt.datetime.fromisoformat(str(start))
        except ValueError:
            begin = None
        if begin is not None:
            out["ChargePeriodEnd"] = (begin + dt.timedelta(hours=1)).isoformat()
    if "BilledCost" in row and "EffectiveCost" not in row:
        out["EffectiveCost"] = str(row["BilledCost"])
    return out
