"""Cost queries over FOCUS exports, run in DuckDB: the API the rest of lepton calls.

- :func:`aggregate` — billed, effective and list cost grouped by any of :data:`KEYS` (plus
  ``tag:KEY``), always per currency, sorted by billed cost descending then keys.
- :func:`resource_costs` — one :class:`ResourceCost` per (ResourceId, currency) of usage charges,
  the input of the focus inventory.
- :func:`cost_records` — daily :class:`CostRecord` rows per provider, account, region, service,
  resource, pricing and charge category, streamed.

Money is summed exactly as ``DECIMAL(38, 12)`` in DuckDB and returned as ``Decimal``; currencies
are never summed together.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from lepton_cli.errors import InputError, UsageError
from lepton_cli.models import CostRecord, Period
from lepton_cli.models.period import midnight
from lepton_cli.providers.focus import schema
from lepton_cli.providers.focus.engine import EngineOptions, Progress, open_charges

NO_CURRENCY = "XXX"
"""ISO 4217 code for "no currency", used when a row has no BillingCurrency."""

KEYS: dict[str, str] = {
    "provider": "provider_name",
    "service": "service_name",
    "service_category": "service_category",
    "region": "region_id",
    "account": "billing_account_id",
    "sub_account": "sub_account_id",
    "resource": "resource_id",
    "resource_type": "resource_type",
    "pricing": "pricing_category",
    "charge_category": "charge_category",
    "sku": "sku_id",
    "day": "strftime(charge_period_start, '%Y-%m-%d')",
    "month": "strftime(billing_period_start, '%Y-%m')",
}
"""Grouping and filter keys -> SQL over ``charges``; ``tag:KEY`` is handled apart."""

TAG_PREFIX = "tag:"


@dataclass(frozen=True)
class CostRow:
    """One group of an aggregate: its key values (in ``by`` order), currency and cost sums."""

    keys: dict[str, str | None]
    currency: str
    billed_cost: Decimal
    effective_cost: Decimal
    list_cost: Decimal  # 0 when the export has no ListCost


@dataclass(frozen=True)
class ResourceCost:
    """Usage cost of one resource over the data read, with its latest descriptive columns."""

    resource_id: str
    currency: str
    provider_name: str | None
    billing_account_id: str | None
    sub_account_id: str | None
    region_id: str | None
    service_name: str | None
    service_category: str | None
    resource_type: str | None
    type: str | None
    tags: dict[str, str]
    billed_cost: Decimal
    effective_cost: Decimal
    first_charge: dt.datetime | None
    last_charge_end: dt.datetime | None


@dataclass
class _Params:
    """Named query parameters, numbered in the order they are added."""

    values: dict[str, Any] = field(default_factory=dict)

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"${name}"


def key_sql(key: str, params: _Params) -> str:
    """SQL for a grouping/filter key; UsageError naming the known keys for an unknown one."""
    if key.startswith(TAG_PREFIX) and len(key) > len(TAG_PREFIX):
        path = '$."' + key[len(TAG_PREFIX) :].replace('"', '\\"') + '"'
        return f"json_extract_string(tags, {params.add(path)})"
    if key in KEYS:
        return KEYS[key]
    known = ", ".join([*KEYS, "tag:KEY"])
    raise UsageError(f"unknown cost grouping key {key!r}", hint=f"use one of: {known}")


def where_sql(period: Period | None, filters: Mapping[str, str] | None, params: _Params) -> str:
    """The WHERE clause for a charge-period window and ``key = value`` filters (TRUE if none)."""
    clauses = ["TRUE"]
    if period is not None:
        start, end = params.add(midnight(period.start)), params.add(midnight(period.end))
        clauses.append(f"charge_period_start >= {start} AND charge_period_start < {end}")
    for key, value in (filters or {}).items():
        clauses.append(f"{key_sql(key, params)} = {params.add(value)}")
    return " AND ".join(clauses)


def aggregate(
    paths: Sequence[Path],
    by: Sequence[str],
    period: Period | None = None,
    filters: Mapping[str, str] | None = None,
    *,
    progress: Progress | None = None,
    options: EngineOptions | None = None,
) -> list[CostRow]:
    """Cost per group of ``by`` keys and currency over the FOCUS files under ``paths``.

    ``period`` keeps charges whose ChargePeriodStart is in [start, end); ``filters`` keeps rows
    whose key equals the value. Sorted by billed cost descending, then keys, then currency.
    Raises InputError for unreadable or invalid files, UsageError for an unknown key.
    """
    params = _Params()
    names = [f"k{i}" for i in range(len(by))]
    keys = [f"{key_sql(k, params)} AS {n}" for k, n in zip(by, names, strict=True)]
    where = where_sql(period, filters, params)
    sql = _aggregate_sql(keys, names, where)
    with open_charges(paths, progress, options) as charges:
        rows = charges.execute(sql, params.values).fetchall()
    return [_cost_row(by, row) for row in rows]


def _aggregate_sql(keys: Sequence[str], names: Sequence[str], where: str) -> str:
    selected = ", ".join([*keys, f"COALESCE(billing_currency, '{NO_CURRENCY}') AS currency"])
    order = ", ".join([f"{n} ASC NULLS LAST" for n in names] + ["currency"])
    return (
        f"SELECT {selected}, COALESCE(SUM(billed_cost), 0) AS billed, "
        "COALESCE(SUM(effective_cost), 0) AS effective, COALESCE(SUM(list_cost), 0) AS list "
        f"FROM charges WHERE {where} GROUP BY ALL ORDER BY billed DESC, {order}"
    )


def _cost_row(by: Sequence[str], row: tuple[Any, ...]) -> CostRow:
    n = len(by)
    keys = {k: (None if v is None else str(v)) for k, v in zip(by, row[:n], strict=True)}
    currency, billed, effective, list_cost = row[n:]
    return CostRow(keys, str(currency), Decimal(billed), Decimal(effective), Decimal(list_cost))


_RESOURCE_SQL = """
SELECT resource_id, COALESCE(billing_currency, '{no_currency}') AS currency,
  {descriptive}, {type_sql},
  SUM(billed_cost) AS billed, COALESCE(SUM(effective_cost), 0) AS effective,
  MIN(charge_period_start), MAX(charge_period_end)
FROM charges
WHERE resource_id IS NOT NULL AND COALESCE(charge_category, 'Usage') = 'Usage' AND {where}
GROUP BY ALL ORDER BY resource_id, billed DESC, currency
"""

_DESCRIPTIVE = (
    "provider_name",
    "billing_account_id",
    "sub_account_id",
    "region_id",
    "service_name",
    "service_category",
    "resource_type",
)
"""Descriptive columns of a resource, constant in practice: MAX picks one deterministically."""

_TAGS_SQL = (
    "arg_max(tags, CAST(charge_period_start AS VARCHAR) || tags) "
    "FILTER (WHERE tags IS NOT NULL) AS tags"
)
"""Tags can change during a period: those of the latest charge win (ties broken by value)."""


def _type_sql() -> str:
    """The instance type from SkuPriceDetails when the export carries it, else NULL."""
    parts = [
        f"CASE WHEN json_valid({col}) THEN json_extract_string({col}, '{path}') END"
        for col, path in schema.TYPE_SOURCES
    ]
    return f"MAX(COALESCE({', '.join(parts)})) AS type"


def resource_costs(
    paths: Sequence[Path],
    period: Period | None = None,
    filters: Mapping[str, str] | None = None,
    *,
    progress: Progress | None = None,
    options: EngineOptions | None = None,
) -> list[ResourceCost]:
    """Usage cost per (ResourceId, currency), sorted by resource id then billed cost descending.

    Only Usage charges (or rows without ChargeCategory) count: purchases, taxes and credits are
    not the cost of running a resource. Rows without ResourceId are left out.
    """
    params = _Params()
    sql = _RESOURCE_SQL.format(
        no_currency=NO_CURRENCY,
        descriptive=", ".join([*(f"MAX({c}) AS {c}" for c in _DESCRIPTIVE), _TAGS_SQL]),
        type_sql=_type_sql(),
        where=where_sql(period, filters, params),
    )
    with open_charges(paths, progress, options) as charges:
        return [
            _resource_cost(row)
            for batch in charges.fetch_batches(sql, params.values)
            for row in batch
        ]


def _resource_cost(row: tuple[Any, ...]) -> ResourceCost:
    rid, currency, provider, account, sub, region, service, category, rtype, tags = row[:10]
    instance_type, billed, effective, first, last = row[10:]
    return ResourceCost(
        resource_id=str(rid),
        currency=str(currency),
        provider_name=provider,
        billing_account_id=account,
        sub_account_id=sub,
        region_id=region,
        service_name=service,
        service_category=category,
        resource_type=rtype,
        type=instance_type,
        tags=parse_tags(tags, f"resource {rid}"),
        billed_cost=Decimal(billed or 0),
        effective_cost=Decimal(effective),
        first_charge=first,
        last_charge_end=last,
    )


def parse_tags(text: str | None, where: str) -> dict[str, str]:
    """A FOCUS Tags cell as a dict of strings; InputError if it is not a JSON object."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise _bad_tags(where, text) from e
    if not isinstance(value, dict):
        raise _bad_tags(where, text)
    return {str(k): _tag_value(v) for k, v in value.items()}


def _tag_value(value: object) -> str:
    if isinstance(value, str):
        return value
    return "" if value is None else json.dumps(value)


def _bad_tags(where: str, text: str) -> InputError:
    return InputError(
        f"Tags of {where} is not a JSON object: {text[:80]!r}",
        hint='FOCUS Tags hold one JSON object per row, e.g. {"team": "payments"}',
    )


_RECORD_COLUMNS = (
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


def cost_records(
    paths: Sequence[Path],
    period: Period | None = None,
    filters: Mapping[str, str] | None = None,
    *,
    progress: Progress | None = None,
    options: EngineOptions | None = None,
) -> Iterator[CostRecord]:
    """Daily CostRecords (UTC day of ChargePeriodStart) per resource and dimension, streamed."""
    params = _Params()
    columns = ", ".join(_RECORD_COLUMNS)
    sql = (
        f"SELECT {columns}, COALESCE(billing_currency, '{NO_CURRENCY}') AS currency, "
        "CAST(billing_period_start AS DATE) AS bp, CAST(charge_period_start AS DATE) AS day, "
        "COALESCE(SUM(billed_cost), 0), COALESCE(SUM(effective_cost), 0), SUM(list_cost) "
        f"FROM charges WHERE {where_sql(period, filters, params)} "
        f"GROUP BY ALL ORDER BY day, {columns}, currency"
    )
    with open_charges(paths, progress, options) as charges:
        for batch in charges.fetch_batches(sql, params.values):
            yield from (_record(row) for row in batch)


def _record(row: tuple[Any, ...]) -> CostRecord:
    values = dict(zip(_RECORD_COLUMNS, row, strict=False))
    currency, period_start, day, billed, effective, list_cost = row[len(_RECORD_COLUMNS) :]
    start = midnight(day) if day is not None else None
    return CostRecord(
        **{
            k: v for k, v in values.items() if k not in ("tags", "provider_name", "charge_category")
        },
        provider_name=values["provider_name"] or "unknown",
        charge_category=values["charge_category"] or "Usage",
        tags=parse_tags(values["tags"], f"a {values['provider_name']} charge"),
        billing_currency=currency,
        billing_period_start=period_start,
        charge_period_start=start,
        charge_period_end=start + dt.timedelta(days=1) if start else None,
        billed_cost=Decimal(billed),
        effective_cost=Decimal(effective),
        list_cost=None if list_cost is None else Decimal(list_cost),
    )
