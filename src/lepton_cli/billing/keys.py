"""Grouping and filter keys of the billing queries (FOCUS columns in snake case, short names,
``day``, ``month`` and ``tag:KEY``), their month basis and the columns some queries return:
everything about a query that can be known without Ibis."""

from __future__ import annotations

from enum import StrEnum

from lepton_cli.billing import schema
from lepton_cli.errors import UsageError

ALIASES: dict[str, str] = {
    "provider": "provider_name",
    "service_provider": "provider_name",
    "host_provider": "host_provider_name",
    "publisher": "publisher_name",
    "invoice_issuer": "invoice_issuer_name",
    "account": "billing_account_id",
    "billing_account": "billing_account_id",
    "sub_account": "sub_account_id",
    "region": "region_id",
    "service": "service_name",
    "resource": "resource_id",
    "pricing": "pricing_category",
    "commitment_discount": "commitment_discount_id",
    "capacity_reservation": "capacity_reservation_id",
    "sku": "sku_id",
}
"""Short keys -> the normalised column they group by."""

_NOT_KEYS = frozenset({"tags", "sku_price_details", "billing_currency", "charge_description"})

TIME_KEYS = frozenset({"day", "month"})
"""Keys that are time, not a column: the UTC charge day and the month on the query's basis."""

KEYS: dict[str, str] = {
    **ALIASES,
    **{
        c.name: c.name
        for c in schema.COLUMNS
        if c.kind is schema.Kind.TEXT and c.name not in _NOT_KEYS
    },
    "day": "day",
    "month": "month",
}
"""Grouping and filter keys -> the normalised column they read (``day``/``month`` are derived);
``tag:KEY`` is handled apart."""

TAG_PREFIX = "tag:"


def is_tag(key: str) -> bool:
    return key.startswith(TAG_PREFIX) and len(key) > len(TAG_PREFIX)


def tag_name(key: str) -> str:
    return key[len(TAG_PREFIX) :]


def column_of(key: str) -> str:
    """The column a key reads; UsageError naming the known keys for an unknown one."""
    if key in KEYS:
        return KEYS[key]
    known = ", ".join([*KEYS, "tag:KEY"])
    raise UsageError(f"unknown cost grouping key {key!r}", hint=f"use one of: {known}")


class Basis(StrEnum):
    BILLING = "billing"  # months by BillingPeriodStart: what the invoice says
    CHARGE = "charge"  # months by ChargePeriodStart, spanning charges split by seconds


DESCRIPTIVE = (
    "provider_name",
    "billing_account_id",
    "sub_account_id",
    "region_id",
    "service_name",
    "service_category",
    "resource_type",
)
"""Descriptive columns of a resource, constant in practice: MAX picks one deterministically."""


RECORD_COLUMNS = (
    "provider_name",
    "billing_account_id",
    "sub_account_id",
    "region_id",
    "service_name",
    "service_category",
    "resource_id",
    "resource_type",
    "pricing_category",
    "charge_category",
    "tags",
)
