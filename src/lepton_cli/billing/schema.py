"""FOCUS columns -> one normalised relation, as SQL. Declared here as data, built by small helpers.

Every FOCUS version (1.0 to 1.3) is mapped onto the same ``charges`` relation whose columns carry
lepton's snake-case FOCUS names. A column absent from a file is NULL; ``NULL``, ``null`` and the
empty string are all NULL.

- Money is cast to ``DECIMAL(38, 24)``: 24 decimals, the finest real exports carry (Azure and
  OCI), so nothing is rounded per row and totals are exact to well past 18 decimals;
  E-notation (``1.81E-8``) is read exactly.
- Date-times must be RFC 3339 / ISO 8601 (``2024-09-01T00:00:00Z``, ``2024-09-01 00:00:00``,
  any offset, converted to UTC). Anything else (``5/1/25``, ``9/1/2024``, a bare year) fails the
  query and is diagnosed by file, row and column, never read as year 0005.
- A charge whose ChargePeriodEnd is before its ChargePeriodStart fails the same way.
- Tags are a JSON object in text, or a Parquet/Arrow MAP or list of ``{key, value}`` structs,
  which are turned into JSON text keeping their order (so the last duplicate key still wins).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

MONEY = "DECIMAL(38, 24)"
"""Exact money: 14 integer digits and 24 decimals (the finest precision real exports carry)."""

ISO_DATETIME = (
    r"\s*\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|z|[+-]\d{2}(:?\d{2})?)?\s*"
)
"""The date-time shapes FOCUS allows (RFC 3339 / ISO 8601), checked before DuckDB's lenient cast."""

BAD_TIME = "lepton: a date-time is not RFC 3339"
BAD_SPAN = "lepton: ChargePeriodEnd is before ChargePeriodStart"


class Kind(Enum):
    TEXT = "text"
    MONEY = "money"
    TIME = "time"
    JSON = "json"  # a JSON object in a text cell (SkuPriceDetails)
    TAGS = "tags"  # JSON text, a MAP, or a list of {key, value} structs


@dataclass(frozen=True)
class Column:
    """A column of the normalised relation and the FOCUS columns it comes from, in preference."""

    name: str
    sources: tuple[str, ...]
    kind: Kind = Kind.TEXT
    since: str = "1.0"  # the FOCUS version that introduced the first source


def _c(name: str, *sources: str, kind: Kind = Kind.TEXT, since: str = "1.0") -> Column:
    return Column(name, sources, kind, since)


COLUMNS: tuple[Column, ...] = (
    _c("provider_name", "ServiceProviderName", "ProviderName"),
    _c("host_provider_name", "HostProviderName", "PublisherName"),
    _c("publisher_name", "PublisherName"),
    _c("invoice_issuer_name", "InvoiceIssuerName"),
    _c("invoice_id", "InvoiceId", since="1.2"),
    _c("billing_account_id", "BillingAccountId"),
    _c("billing_account_name", "BillingAccountName"),
    _c("billing_account_type", "BillingAccountType", since="1.2"),
    _c("sub_account_id", "SubAccountId"),
    _c("sub_account_name", "SubAccountName"),
    _c("sub_account_type", "SubAccountType", since="1.2"),
    # Oracle leaves RegionId empty and writes the id into RegionName.
    _c("region_id", "RegionId", "RegionName"),
    _c("region_name", "RegionName"),
    _c("availability_zone", "AvailabilityZone"),
    _c("service_name", "ServiceName"),
    _c("service_category", "ServiceCategory"),
    _c("service_subcategory", "ServiceSubcategory", since="1.1"),
    _c("resource_id", "ResourceId"),
    _c("resource_name", "ResourceName"),
    _c("resource_type", "ResourceType"),
    _c("pricing_category", "PricingCategory"),
    _c("pricing_unit", "PricingUnit"),
    _c("charge_category", "ChargeCategory"),
    _c("charge_class", "ChargeClass"),
    _c("charge_frequency", "ChargeFrequency"),
    _c("charge_description", "ChargeDescription"),
    _c("commitment_discount_id", "CommitmentDiscountId"),
    _c("commitment_discount_name", "CommitmentDiscountName"),
    _c("commitment_discount_category", "CommitmentDiscountCategory"),
    _c("commitment_discount_type", "CommitmentDiscountType"),
    _c("commitment_discount_status", "CommitmentDiscountStatus"),
    _c("capacity_reservation_id", "CapacityReservationId", since="1.1"),
    _c("sku_id", "SkuId"),
    _c("sku_price_id", "SkuPriceId"),
    _c("sku_meter", "SkuMeter", since="1.1"),
    _c("sku_price_details", "SkuPriceDetails", kind=Kind.JSON, since="1.1"),
    _c("billing_currency", "BillingCurrency"),
    _c("pricing_currency", "PricingCurrency", since="1.2"),
    _c("tags", "Tags", kind=Kind.TAGS),
    _c("billing_period_start", "BillingPeriodStart", kind=Kind.TIME),
    _c("billing_period_end", "BillingPeriodEnd", kind=Kind.TIME),
    _c("charge_period_start", "ChargePeriodStart", kind=Kind.TIME),
    _c("charge_period_end", "ChargePeriodEnd", kind=Kind.TIME),
    _c("billed_cost", "BilledCost", kind=Kind.MONEY),
    _c("effective_cost", "EffectiveCost", kind=Kind.MONEY),
    _c("list_cost", "ListCost", kind=Kind.MONEY),
    _c("contracted_cost", "ContractedCost", kind=Kind.MONEY),
    _c(
        "pricing_currency_effective_cost",
        "PricingCurrencyEffectiveCost",
        kind=Kind.MONEY,
        since="1.2",
    ),
)

BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}

TYPE_SOURCES: tuple[tuple[str, str], ...] = (
    ("sku_price_details", "$.InstanceType"),
    ("sku_price_details", "$.VMSize"),
    ("sku_price_details", "$.MachineType"),
)
"""Where an instance type may be found (FOCUS 1.1+ SkuPriceDetails keys providers use)."""


def quote(name: str) -> str:
    """``name`` as a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    """``text`` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def text_sql(raw: str, raw_type: str) -> str:
    """A text column with blank values as NULL (the CSV reader already nulls NULL and '')."""
    if raw_type == "VARCHAR":
        return f"NULLIF({raw}, '')"
    return f"NULLIF(CAST({raw} AS VARCHAR), '')"


def money_sql(raw: str, raw_type: str) -> str:
    """An exact decimal; a bad value fails the query and is then diagnosed by name.

    A binary float (a Parquet DOUBLE) goes through its shortest text form: 0.25 is 0.25, not
    the 0.2499999999999999958… its bits hold."""
    if raw_type.startswith("DECIMAL") or raw_type in _INTEGERS:
        return f"CAST({raw} AS {MONEY})"
    return f"CAST({text_sql(raw, raw_type)} AS {MONEY})"


_INTEGERS = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT"})


def time_sql(raw: str, raw_type: str) -> str:
    """A UTC timestamp; text must have an RFC 3339 shape first (DuckDB alone reads ``5/1/25``)."""
    if raw_type != "VARCHAR":
        return f"CAST(CAST({raw} AS TIMESTAMPTZ) AS TIMESTAMP)"
    value = text_sql(raw, raw_type)
    # YYYY-MM-DD up front is what DuckDB's cast does not check itself (it reads 5/1/25 as the
    # year 5); the cast rejects the rest. Two character tests cost far less than a regex.
    # A value ending in Z (or with no offset) is UTC already: the plain TIMESTAMP cast is
    # exact and twice as fast; only an explicit offset needs TIMESTAMPTZ.
    shape = f"{raw}[5] = '-' AND {raw}[8] = '-'"
    offset = f"{raw}[-1] <> 'Z' AND (strpos({raw}, '+') > 0 OR strpos({raw}[11:], '-') > 0)"
    return (
        f"CASE WHEN {value} IS NULL THEN NULL "
        f"WHEN NOT ({shape}) THEN error({sql_string(BAD_TIME)}) "
        f"WHEN {offset} THEN CAST(CAST({raw} AS TIMESTAMPTZ) AS TIMESTAMP) "
        f"ELSE CAST({raw} AS TIMESTAMP) END"
    )


def tags_sql(raw: str, raw_type: str) -> str:
    """Tags as JSON object text, whatever shape the file stores them in."""
    upper = raw_type.upper()
    if upper.startswith("MAP("):
        return _entries_json(f"map_entries({raw})")
    if upper.startswith("STRUCT(") and upper.endswith("[]"):
        return _entries_json(raw)
    if upper == "JSON":
        return f"NULLIF(CAST({raw} AS VARCHAR), '')"
    return text_sql(raw, raw_type)


def _entries_json(entries: str) -> str:
    """``[{key, value}, ...]`` -> ``{"key": "value", ...}`` in order, duplicates kept."""
    pair = "to_json(CAST(e.key AS VARCHAR)) || ':' || to_json(CAST(e.value AS VARCHAR))"
    return (
        f"CASE WHEN {entries} IS NULL THEN NULL "
        f"ELSE '{{' || array_to_string(list_transform({entries}, lambda e: {pair}), ',') "
        "|| '}' END"
    )


_BUILDERS = {
    Kind.TEXT: text_sql,
    Kind.JSON: text_sql,
    Kind.TAGS: tags_sql,
    Kind.MONEY: money_sql,
    Kind.TIME: time_sql,
}


def column_sql(column: Column, types: Mapping[str, str]) -> str:
    """The expression for ``column`` over a raw relation whose columns have ``types``."""
    parts = [_BUILDERS[column.kind](quote(s), types[s]) for s in column.sources if s in types]
    if not parts:
        return f"CAST(NULL AS {_null_type(column.kind)})"
    return parts[0] if len(parts) == 1 else f"COALESCE({', '.join(parts)})"


def _null_type(kind: Kind) -> str:
    return {Kind.MONEY: MONEY, Kind.TIME: "TIMESTAMP"}.get(kind, "VARCHAR")


def select_sql(relation: str, types: Mapping[str, str], extra: Sequence[str] = ()) -> str:
    """SELECT the normalised columns from one raw ``relation`` (a read_csv/read_parquet call).

    Every row's dates and charge span are checked inside ``billing_currency``, which every
    query reads (money is always grouped by currency), so no query can skip the checks.
    """
    items = [f"{column_sql(c, types)} AS {c.name}" for c in COLUMNS]
    inner = ",\n  ".join([*items, *extra])
    return (
        f"SELECT * REPLACE ({_checked_currency()} AS billing_currency)\n"
        f"FROM (SELECT\n  {inner}\nFROM {relation})"
    )


def _checked_currency() -> str:
    checks = " ".join(f"WHEN {cond} THEN error({sql_string(msg)})" for cond, msg in CHECKS)
    return f"CASE {checks} ELSE billing_currency END"


CHECKS: tuple[tuple[str, str], ...] = (
    ("charge_period_start IS NULL", "lepton: ChargePeriodStart is empty"),
    ("billing_period_start IS NULL", "lepton: BillingPeriodStart is empty"),
    ("charge_period_end < charge_period_start", BAD_SPAN),
)
"""Row checks run by every query: (condition, the error marker the diagnosis looks for).
The currency is checked on the (few) distinct values a query returns, see ``query``."""


PROVIDERS: dict[str, str] = {
    "aws": "aws",
    "amazon web services": "aws",
    "amazon": "aws",
    "microsoft": "azure",
    "azure": "azure",
    "microsoft azure": "azure",
    "google cloud": "gcp",
    "google": "gcp",
    "google cloud platform": "gcp",
    "gcp": "gcp",
    "oracle": "oracle",
    "oracle cloud infrastructure": "oracle",
    "oci": "oracle",
}
"""FOCUS ProviderName / ServiceProviderName (lower-cased) -> lepton's provider name."""


def provider_slug(name: str | None) -> str:
    """``AWS`` -> ``aws``, ``Microsoft`` -> ``azure``; others lower-cased, spaces as dashes."""
    text = " ".join((name or "unknown").split()).lower()
    return PROVIDERS.get(text, text.replace(" ", "-"))
