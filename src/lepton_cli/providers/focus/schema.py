"""FOCUS columns -> one normalised relation, as SQL. Declared here as data, built by small helpers.

Every FOCUS version (1.0 to 1.3) is mapped onto the same ``charges`` relation whose columns carry
lepton's snake-case FOCUS names. A column absent from a file is NULL; ``NULL``, ``null`` and the
empty string are all NULL; money is cast to an exact DECIMAL, timestamps to UTC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

MONEY = "DECIMAL(38, 12)"
"""Exact money: 26 integer digits and 12 decimals (FOCUS exports carry up to 11 or 12)."""


class Kind(Enum):
    TEXT = "text"
    MONEY = "money"
    TIME = "time"
    JSON = "json"  # a JSON object in a text cell (Tags, SkuPriceDetails)


@dataclass(frozen=True)
class Column:
    """A column of the normalised relation and the FOCUS columns it comes from, in preference."""

    name: str
    sources: tuple[str, ...]
    kind: Kind = Kind.TEXT


COLUMNS: tuple[Column, ...] = (
    Column("provider_name", ("ServiceProviderName", "ProviderName")),
    Column("billing_account_id", ("BillingAccountId",)),
    Column("sub_account_id", ("SubAccountId",)),
    Column("region_id", ("RegionId",)),
    Column("service_name", ("ServiceName",)),
    Column("service_category", ("ServiceCategory",)),
    Column("resource_id", ("ResourceId",)),
    Column("resource_type", ("ResourceType",)),
    Column("pricing_category", ("PricingCategory",)),
    Column("charge_category", ("ChargeCategory",)),
    Column("sku_id", ("SkuId",)),
    Column("sku_price_details", ("SkuPriceDetails",), Kind.JSON),
    Column("billing_currency", ("BillingCurrency",)),
    Column("tags", ("Tags",), Kind.JSON),
    Column("billing_period_start", ("BillingPeriodStart",), Kind.TIME),
    Column("charge_period_start", ("ChargePeriodStart",), Kind.TIME),
    Column("charge_period_end", ("ChargePeriodEnd",), Kind.TIME),
    Column("billed_cost", ("BilledCost",), Kind.MONEY),
    Column("effective_cost", ("EffectiveCost",), Kind.MONEY),
    Column("list_cost", ("ListCost",), Kind.MONEY),
)

TYPE_SOURCES: tuple[tuple[str, str], ...] = (
    ("sku_price_details", "$.InstanceType"),
    ("sku_price_details", "$.VMSize"),
    ("sku_price_details", "$.MachineType"),
)
"""Where an instance type may be found (FOCUS 1.1+ SkuPriceDetails keys providers use)."""


def quote(name: str) -> str:
    """``name`` as a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def text_sql(raw: str, raw_type: str) -> str:
    """A text column with blank values as NULL (the CSV reader already nulls NULL and '')."""
    if raw_type == "VARCHAR":
        return f"NULLIF({raw}, '')"
    return f"CAST({raw} AS VARCHAR)"


def money_sql(raw: str, raw_type: str) -> str:
    """An exact decimal; a bad value fails the query and is then diagnosed by name."""
    value = text_sql(raw, raw_type) if raw_type == "VARCHAR" else raw
    return f"CAST({value} AS {MONEY})"


def time_sql(raw: str, raw_type: str) -> str:
    """A UTC timestamp from ``2024-09-01T00:00:00Z``, ``2024-09-01 00:00:00`` or an offset."""
    value = text_sql(raw, raw_type) if raw_type == "VARCHAR" else raw
    return f"CAST(CAST({value} AS TIMESTAMPTZ) AS TIMESTAMP)"


_BUILDERS = {Kind.TEXT: text_sql, Kind.JSON: text_sql, Kind.MONEY: money_sql, Kind.TIME: time_sql}


def column_sql(column: Column, types: Mapping[str, str]) -> str:
    """The expression for ``column`` over a raw relation whose columns have ``types``."""
    parts = [_BUILDERS[column.kind](quote(s), types[s]) for s in column.sources if s in types]
    if not parts:
        return f"CAST(NULL AS {_null_type(column.kind)})"
    return parts[0] if len(parts) == 1 else f"COALESCE({', '.join(parts)})"


def _null_type(kind: Kind) -> str:
    return {Kind.MONEY: MONEY, Kind.TIME: "TIMESTAMP"}.get(kind, "VARCHAR")


def select_sql(relation: str, types: Mapping[str, str]) -> str:
    """SELECT the normalised columns from one raw ``relation`` (a read_csv/read_parquet call)."""
    items = ",\n  ".join(f"{column_sql(c, types)} AS {c.name}" for c in COLUMNS)
    return f"SELECT\n  {items}\nFROM {relation}"


def union_types(type_lists: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """Column -> type over several files; a column that is text in any file is text."""
    merged: dict[str, str] = {}
    for types in type_lists:
        for name, kind in types.items():
            merged[name] = "VARCHAR" if "VARCHAR" in (kind, merged.get(name)) else kind
    return merged
