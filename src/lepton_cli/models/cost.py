"""A cost record, named after the FOCUS columns it carries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from lepton_cli.models.base import Model, Money


class CostRecord(Model):
    """One (aggregated) row of a bill. Field names are FOCUS column names in snake case."""

    provider_name: str
    billing_account_id: str | None = None
    sub_account_id: str | None = None
    billing_period_start: dt.date | None = None
    charge_period_start: dt.datetime | None = None
    charge_period_end: dt.datetime | None = None
    charge_category: str = "Usage"  # Usage | Purchase | Tax | Credit | Adjustment
    pricing_category: str | None = None  # Standard | Dynamic | Committed | Other
    service_name: str | None = None
    service_category: str | None = None
    region_id: str | None = None
    resource_id: str | None = None
    resource_type: str | None = None
    sku_id: str | None = None
    billed_cost: Money
    effective_cost: Money
    list_cost: Money | None = None
    billing_currency: str = "USD"
    consumed_quantity: Annotated[Decimal, Field(allow_inf_nan=False)] | None = None
    consumed_unit: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
