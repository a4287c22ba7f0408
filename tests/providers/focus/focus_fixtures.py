"""Builders of small FOCUS exports (CSV text with FOCUS columns and sensible defaults)."""

from __future__ import annotations

import csv
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
        values = {**DEFAULTS, **row}
        writer.writerow([values.get(c, "") for c in columns])
    return out.getvalue()
