"""Cost queries over FOCUS exports, run in DuckDB: the API the rest of lepton calls.

- :func:`aggregate` — billed, effective and list cost grouped by any of :data:`KEYS` (the FOCUS
  columns in snake case, plus short names and ``tag:KEY``), always per currency, sorted by
  billed cost descending then keys.
- :func:`pricing_currency_totals` — FOCUS 1.2 amounts in a pricing currency other than the
  billing one (virtual currencies: credits, tokens), kept apart from money.
- :func:`resource_costs` — one :class:`ResourceCost` per (ResourceId, currency) of usage
  charges, the input of the focus inventory.
- :func:`cost_records` — daily :class:`CostRecord` rows per provider, account, region, service,
  resource, pricing and charge category, streamed.

**Months follow the invoice.** ``period`` and the ``month`` key use BillingPeriodStart (the
billing basis, the default): a month's total is what its invoice says, corrections included
(a ``ChargeClass = Correction`` row counts in the billing period that invoices it, and its
billed cost is also reported apart as ``corrections``). :attr:`Basis.CHARGE` uses
ChargePeriodStart instead, and a charge whose period spans months is split pro rata by the
hours it has in each (shares rounded to 10 decimals; the shares of a charge add up to it
exactly). ``window`` always selects by charge date: the daily series of budgets and anomalies.

Money is summed exactly as ``DECIMAL(38, 24)`` in DuckDB and returned as ``Decimal``; currencies
are never summed together. A missing ListCost stays missing (None), never 0.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from lepton_cli.billing import schema
from lepton_cli.billing.engine import Charges, EngineOptions, Notes, Progress, open_charges
from lepton_cli.billing.tags import TagError, read_tags
from lepton_cli.errors import UsageError
from lepton_cli.models import CostRecord, Period
from lepton_cli.models.period import midnight


class Basis(StrEnum):
    BILLING = "billing"  # months by BillingPeriodStart: what the invoice says
    CHARGE = "charge"  # months by ChargePeriodStart, spanning charges split by hours


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

KEYS: dict[str, str] = {
    **ALIASES,
    **{
        c.name: c.name
        for c in schema.COLUMNS
        if c.kind is schema.Kind.TEXT and c.name not in _NOT_KEYS
    },
    "day": "strftime(charge_period_start, '%Y-%m-%d')",
    "month": "strftime(_month, '%Y-%m')",
}
"""Grouping and filter keys -> SQL over ``charges``; ``tag:KEY`` is handled apart."""

TIME_KEYS = frozenset({"day", "month"})
_CURRENCY = re.compile(r"[A-Z]{3}")
TAG_PREFIX = "tag:"
ZERO = Decimal(0)


@dataclass(frozen=True)
class CostRow:
    """One group of an aggregate: its key values (in ``by`` order), currency and cost sums."""

    keys: dict[str, str | None]
    currency: str
    billed_cost: Decimal
    effective_cost: Decimal
    list_cost: Decimal | None  # None when the export carries no ListCost for these rows
    corrections: Decimal = ZERO  # billed cost of ChargeClass = Correction rows, included above


@dataclass(frozen=True)
class PricingCurrencyRow:
    """FOCUS 1.2: what a group cost in a pricing currency other than its billing currency."""

    keys: dict[str, str | None]
    pricing_currency: str
    effective_cost: Decimal  # PricingCurrencyEffectiveCost


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


def is_tag(key: str) -> bool:
    return key.startswith(TAG_PREFIX) and len(key) > len(TAG_PREFIX)


def key_sql(key: str) -> str:
    """SQL for a grouping/filter key; UsageError naming the known keys for an unknown one."""
    if key in KEYS:
        return KEYS[key]
    known = ", ".join([*KEYS, "tag:KEY"])
    raise UsageError(f"unknown cost grouping key {key!r}", hint=f"use one of: {known}")


def check_keys(charges: Charges, keys: Iterable[str]) -> None:
    """UsageError when a file lacks every column a key reads, naming the FOCUS version."""
    for key in keys:
        if is_tag(key) or key in TIME_KEYS:
            continue
        column = schema.BY_NAME.get(KEYS.get(key, ""))
        if column is None:
            key_sql(key)  # raises for an unknown key
            continue
        for file in charges.files:
            if not set(column.sources).intersection(file.columns):
                raise UsageError(_missing_column(key, column, file.path), hint=_key_hint(column))


def _missing_column(key: str, column: schema.Column, path: Path) -> str:
    first, *rest = column.sources
    alt = f" (nor {' or '.join(rest)})" if rest else ""
    return f"--by/filter {key!r} needs column {first}{alt}, which {path} does not have"


def _key_hint(column: schema.Column) -> str:
    return (
        f"{column.sources[0]} is a FOCUS {column.since}+ column; export FOCUS {column.since} or "
        "later, or group by a key the file has"
    )


def _where(
    period: Period | None,
    window: Period | None,
    filters: Mapping[str, str],
    params: _Params,
) -> str:
    """WHERE for a month range (on ``_month``), a charge-date window and non-tag filters."""
    clauses = ["TRUE"]
    if period is not None:
        start, end = params.add(midnight(period.start)), params.add(midnight(period.end))
        clauses.append(f"_month >= {start} AND _month < {end}")
    if window is not None:
        start, end = params.add(midnight(window.start)), params.add(midnight(window.end))
        clauses.append(f"charge_period_start >= {start} AND charge_period_start < {end}")
    for key, value in filters.items():
        if not is_tag(key):
            clauses.append(f"{key_sql(key)} = {params.add(value)}")
    return " AND ".join(clauses)


_SPLIT = """,
_spans AS (
  SELECT *, date_trunc('month', charge_period_start) AS _m0,
    date_trunc('month', GREATEST(COALESCE(charge_period_end, charge_period_start)
      - INTERVAL 1 MICROSECOND, charge_period_start)) AS _m1,
    epoch(COALESCE(charge_period_end, charge_period_start) - charge_period_start) AS _total
  FROM charges
),
_pieces AS (
  SELECT *, epoch(GREATEST(_m, charge_period_start) - charge_period_start) AS _before,
    epoch(LEAST(_m + INTERVAL 1 MONTH, charge_period_end) - charge_period_start) AS _upto
  FROM (SELECT *, unnest(generate_series(_m0, _m1, INTERVAL 1 MONTH)) AS _m
        FROM _spans WHERE _m1 > _m0)
),
_rows AS (
  SELECT * EXCLUDE (_m0, _m1, _total), _m0 AS _month FROM _spans WHERE _m1 <= _m0
  UNION ALL BY NAME
  SELECT * EXCLUDE (_m0, _m1, _total, _before, _upto, _m)
    REPLACE ({shares}), _m AS _month
  FROM _pieces
)
"""

_SHARED = ("billed_cost", "effective_cost", "list_cost", "contracted_cost")


def _share(column: str) -> str:
    """A month's piece of a spanning charge: cumulative share at the month's end minus at its
    start; the last piece ends at the whole amount, so the pieces add up exactly."""

    def upto(seconds: str) -> str:
        return (
            f"CASE WHEN {seconds} >= _total THEN {column} WHEN {seconds} <= 0 THEN 0 "
            f"ELSE CAST(CAST(CAST({column} AS DOUBLE) * {seconds} / _total AS DECIMAL(38, 10)) "
            f"AS {schema.MONEY}) END"
        )

    return f"{upto('_upto')} - {upto('_before')} AS {column}"


def rows_cte(basis: Basis) -> str:
    """``_rows``: charges with their ``_month`` on ``basis`` (spanning charges split)."""
    if basis is Basis.BILLING:
        return ",\n_rows AS (SELECT *, billing_period_start AS _month FROM charges)\n"
    return _SPLIT.format(shares=", ".join(_share(c) for c in _SHARED))


def _needs_tags(by: Sequence[str], filters: Mapping[str, str]) -> bool:
    return any(is_tag(k) for k in [*by, *filters])


def aggregate(
    paths: Sequence[Path],
    by: Sequence[str],
    period: Period | None = None,
    filters: Mapping[str, str] | None = None,
    *,
    basis: Basis = Basis.BILLING,
    window: Period | None = None,
    progress: Progress | None = None,
    options: EngineOptions | None = None,
    notes: Notes | None = None,
    pricing: list[PricingCurrencyRow] | None = None,
) -> list[CostRow]:
    """Cost per group of ``by`` keys and currency over the FOCUS files under ``paths``.

    ``period`` keeps the months [start, end) on ``basis``; ``window`` keeps charges whose
    ChargePeriodStart is in [start, end); ``filters`` keeps rows whose key equals the value.
    Sorted by billed cost descending, then keys (nulls last), then currency. Raises
    InputError for unreadable or invalid files, UsageError for an unknown or absent key.
    ``notes`` collects superseded deliveries and duplicate tag keys; ``pricing``, when given,
    receives the :func:`pricing_currency_totals` of the same read.
    """
    filters = dict(filters or {})
    basis = Basis(basis)
    with open_charges(paths, progress, options, notes) as charges:
        check_keys(charges, [*by, *filters])
        sql_keys = [k for k in by if not is_tag(k)]
        params = _Params()
        sql = _aggregate_sql(sql_keys, _needs_tags(by, filters), basis)
        sql = sql.replace("{where}", _where(period, window, filters, params))
        rows = charges.execute(sql, params.values).fetchall()
        if pricing is not None:
            pricing.extend(_pricing_rows(charges, by, period, basis))
        return _regroup(charges, by, sql_keys, filters, rows)


def _aggregate_sql(sql_keys: Sequence[str], with_tags: bool, basis: Basis) -> str:
    selected = [f"{key_sql(k)} AS k{i}" for i, k in enumerate(sql_keys)]
    selected += ["tags" if with_tags else "NULL AS tags", "billing_currency"]
    return (
        rows_cte(basis) + f"SELECT {', '.join(selected)}, COALESCE(SUM(billed_cost), 0), "
        "COALESCE(SUM(effective_cost), 0), SUM(list_cost), "
        "COALESCE(SUM(billed_cost) FILTER (WHERE charge_class = 'Correction'), 0) "
        "FROM _rows WHERE {where} GROUP BY ALL"
    )


def _regroup(
    charges: Charges,
    by: Sequence[str],
    sql_keys: Sequence[str],
    filters: Mapping[str, str],
    rows: Sequence[tuple[Any, ...]],
) -> list[CostRow]:
    """Tag keys and tag filters applied in Python (one parser for every command), re-summed."""
    n = len(sql_keys)
    sums: dict[tuple[tuple[str | None, ...], str], list[Decimal | None]] = {}
    for row in rows:
        plain = dict(zip(sql_keys, (None if v is None else str(v) for v in row[:n]), strict=True))
        tags = _tags(charges, row[n])
        if any(tags.get(k[len(TAG_PREFIX) :]) != v for k, v in filters.items() if is_tag(k)):
            continue
        values = tuple(tags.get(k[len(TAG_PREFIX) :]) if is_tag(k) else plain[k] for k in by)
        currency = checked_currency(charges, row[n + 1])
        acc = sums.setdefault((values, currency), [ZERO, ZERO, None, ZERO])
        for i, amount in enumerate(row[n + 2 :]):
            acc[i] = _add(acc[i], amount)
    out = [_cost_row(by, values, currency, acc) for (values, currency), acc in sums.items()]
    return sorted(out, key=_order)


def checked_currency(charges: Charges, value: Any) -> str:
    """A result's BillingCurrency, or the InputError naming the row that lacks a valid one.

    Checked on the few distinct values a query returns rather than on every row."""
    if value is None or not _CURRENCY.fullmatch(str(value)):
        raise charges.bad_row(f"BillingCurrency {value!r} is not an ISO 4217 code")
    return str(value)


def _tags(charges: Charges, text: str | None) -> dict[str, str]:
    try:
        tags = read_tags(text)
    except TagError as e:
        raise charges.bad_row(f"Tags: {e}") from e
    for key in tags.duplicates:
        charges.notes.warn(f"a Tags cell gives the key {key!r} twice; the last value is used")
    return tags.values


def _add(total: Decimal | None, amount: Any) -> Decimal | None:
    if amount is None:
        return total
    return (total or ZERO) + Decimal(amount)


def _cost_row(
    by: Sequence[str],
    values: tuple[str | None, ...],
    currency: str,
    acc: list[Decimal | None],
) -> CostRow:
    billed, effective, list_cost, corrections = acc
    return CostRow(
        dict(zip(by, values, strict=True)),
        currency,
        exact(billed or ZERO),
        exact(effective or ZERO),
        None if list_cost is None else exact(list_cost),
        exact(corrections or ZERO),
    )


def _order(row: CostRow) -> tuple[Any, ...]:
    keys = tuple((v is None, v or "") for v in row.keys.values())
    return (-row.billed_cost, keys, row.currency)


def exact(amount: Decimal) -> Decimal:
    """``amount`` without the trailing zeros of DECIMAL(38, 24), never in E-notation."""
    if amount == amount.to_integral_value():
        return amount.quantize(Decimal(1))
    text = format(amount, "f").rstrip("0")
    return Decimal(text)


def pricing_currency_totals(
    paths: Sequence[Path],
    by: Sequence[str],
    period: Period | None = None,
    *,
    basis: Basis = Basis.BILLING,
    options: EngineOptions | None = None,
) -> list[PricingCurrencyRow]:
    """FOCUS 1.2 PricingCurrencyEffectiveCost per group and pricing currency, for the rows
    priced in a currency other than their billing currency (credits, tokens): never money."""
    with open_charges(paths, None, options) as charges:
        return _pricing_rows(charges, by, period, Basis(basis))


def _pricing_rows(
    charges: Charges, by: Sequence[str], period: Period | None, basis: Basis
) -> list[PricingCurrencyRow]:
    if not any("PricingCurrency" in f.columns for f in charges.files):
        return []
    sql_keys = [k for k in by if not is_tag(k)]
    params = _Params()
    selected = [f"{key_sql(k)} AS k{i}" for i, k in enumerate(sql_keys)]
    sql = (
        rows_cte(basis) + f"SELECT {', '.join([*selected, 'pricing_currency'])}, "
        "SUM(pricing_currency_effective_cost) FROM _rows "
        f"WHERE {_where(period, None, {}, params)} AND pricing_currency IS NOT NULL "
        "AND pricing_currency IS DISTINCT FROM billing_currency GROUP BY ALL "
        "ORDER BY ALL"
    )
    rows = charges.execute(sql, params.values).fetchall()
    n = len(sql_keys)
    return [
        PricingCurrencyRow(
            {k: (None if v is None else str(v)) for k, v in zip(sql_keys, r[:n], strict=True)},
            str(r[n]),
            exact(Decimal(r[n + 1] or 0)),
        )
        for r in rows
    ]


_RESOURCE_SQL = """
SELECT resource_id, billing_currency AS currency,
  {descriptive}, {type_sql},
  COALESCE(SUM(billed_cost), 0) AS billed, COALESCE(SUM(effective_cost), 0) AS effective,
  MIN(charge_period_start), MAX(charge_period_end)
FROM _rows
WHERE resource_id IS NOT NULL AND COALESCE(charge_category, 'Usage') = 'Usage' AND {where}
GROUP BY ALL ORDER BY resource_id, effective DESC, currency
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
    notes: Notes | None = None,
) -> list[ResourceCost]:
    """Usage cost per (ResourceId, currency), sorted by resource id then effective cost
    descending; ``period`` selects billing months.

    Only Usage charges (or rows without ChargeCategory) count: purchases, taxes and credits are
    not the cost of running a resource. Rows without ResourceId are left out.
    """
    params = _Params()
    sql = rows_cte(Basis.BILLING) + _RESOURCE_SQL.format(
        descriptive=", ".join([*(f"MAX({c}) AS {c}" for c in _DESCRIPTIVE), _TAGS_SQL]),
        type_sql=_type_sql(),
        where=_where(period, None, dict(filters or {}), params),
    )
    with open_charges(paths, progress, options, notes) as charges:
        return [
            _resource_cost(charges, row)
            for batch in charges.fetch_batches(sql, params.values)
            for row in batch
        ]


def _resource_cost(charges: Charges, row: tuple[Any, ...]) -> ResourceCost:
    rid, currency, provider, account, sub, region, service, category, rtype, tags = row[:10]
    instance_type, billed, effective, first, last = row[10:]
    return ResourceCost(
        resource_id=str(rid),
        currency=checked_currency(charges, currency),
        provider_name=provider,
        billing_account_id=account,
        sub_account_id=sub,
        region_id=region,
        service_name=service,
        service_category=category,
        resource_type=rtype,
        type=instance_type,
        tags=_tags(charges, tags),
        billed_cost=exact(Decimal(billed)),
        effective_cost=exact(Decimal(effective)),
        first_charge=first,
        last_charge_end=last,
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
    notes: Notes | None = None,
) -> Iterator[CostRecord]:
    """Daily CostRecords (UTC day of ChargePeriodStart) per resource and dimension, streamed;
    ``period`` selects billing months (the invoice's)."""
    params = _Params()
    columns = ", ".join(_RECORD_COLUMNS)
    sql = rows_cte(Basis.BILLING) + (
        f"SELECT {columns}, billing_currency AS currency, "
        "CAST(billing_period_start AS DATE) AS bp, CAST(charge_period_start AS DATE) AS day, "
        "COALESCE(SUM(billed_cost), 0), COALESCE(SUM(effective_cost), 0), SUM(list_cost) "
        f"FROM _rows WHERE {_where(period, None, dict(filters or {}), params)} "
        f"GROUP BY ALL ORDER BY day, {columns}, currency"
    )
    with open_charges(paths, progress, options, notes) as charges:
        for batch in charges.fetch_batches(sql, params.values):
            yield from (_record(charges, row) for row in batch)


def _record(charges: Charges, row: tuple[Any, ...]) -> CostRecord:
    values = dict(zip(_RECORD_COLUMNS, row, strict=False))
    currency, period_start, day, billed, effective, list_cost = row[len(_RECORD_COLUMNS) :]
    start = midnight(day) if day is not None else None
    return CostRecord(
        **{
            k: v for k, v in values.items() if k not in ("tags", "provider_name", "charge_category")
        },
        provider_name=values["provider_name"] or "unknown",
        charge_category=values["charge_category"] or "Usage",
        tags=_tags(charges, values["tags"]),
        billing_currency=checked_currency(charges, currency),
        billing_period_start=period_start,
        charge_period_start=start,
        charge_period_end=start + dt.timedelta(days=1) if start else None,
        billed_cost=exact(Decimal(billed)),
        effective_cost=exact(Decimal(effective)),
        list_cost=None if list_cost is None else exact(Decimal(list_cost)),
    )
