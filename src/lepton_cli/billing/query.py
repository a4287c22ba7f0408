"""The billing query API the rest of lepton calls, on any engine (:mod:`engines`).

- :func:`aggregate` — billed, effective and list cost grouped by any of :data:`KEYS` (the FOCUS
  columns in snake case, plus short names and ``tag:KEY``), always per currency, sorted by
  billed cost descending then keys.
- :func:`pricing_currency_totals` — FOCUS 1.2 amounts in a pricing currency other than the
  billing one (virtual currencies: credits, tokens), kept apart from money.
- :func:`resource_costs` — one :class:`ResourceCost` per (ResourceId, currency) of usage
  charges, the input of the focus inventory.
- :func:`cost_records` — daily :class:`CostRecord` rows per provider, account, region, service,
  resource, pricing and charge category, streamed.

The queries themselves are the Ibis expressions of :mod:`expr` (months, bases and corrections
are explained there). What comes back is finished here the same way for every engine: tags are
parsed by one parser (``tag:KEY`` groups and filters), currencies checked, money returned as
exact ``Decimal`` without the trailing zeros of ``DECIMAL(38, 24)``; a missing ListCost stays
missing (None), never 0; currencies are never summed together.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lepton_cli.billing import schema
from lepton_cli.billing.compiled import Query
from lepton_cli.billing.engine import Notes
from lepton_cli.billing.engines import Engine, Source, open_source
from lepton_cli.billing.keys import (
    DESCRIPTIVE,
    KEYS,
    RECORD_COLUMNS,
    TIME_KEYS,
    Basis,
    column_of,
    is_tag,
    tag_name,
)
from lepton_cli.billing.tags import TagError, read_tags
from lepton_cli.errors import UsageError
from lepton_cli.models import CostRecord, Period
from lepton_cli.models.period import midnight

if TYPE_CHECKING:
    from lepton_cli.billing.engine import EngineOptions, Progress

__all__ = [
    "KEYS",
    "Basis",
    "CostRow",
    "Notes",
    "PricingCurrencyRow",
    "ResourceCost",
    "aggregate",
    "cost_records",
    "exact",
    "pricing_currency_totals",
    "resource_costs",
]

_CURRENCY = re.compile(r"[A-Z]{3}")
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


def check_keys(source: Source, keys: Iterable[str]) -> None:
    """UsageError when a file lacks every column a key reads, naming the FOCUS version."""
    files = source.file_columns()
    for key in keys:
        if is_tag(key) or key in TIME_KEYS:
            continue
        column = schema.BY_NAME.get(column_of(key))
        if column is None:
            continue
        for path, columns in files:
            if not set(column.sources).intersection(columns):
                raise UsageError(_missing_column(key, column, path), hint=_key_hint(column))


def _missing_column(key: str, column: schema.Column, path: str) -> str:
    first, *rest = column.sources
    alt = f" (nor {' or '.join(rest)})" if rest else ""
    return f"--by/filter {key!r} needs column {first}{alt}, which {path} does not have"


def _key_hint(column: schema.Column) -> str:
    return (
        f"{column.sources[0]} is a FOCUS {column.since}+ column; export FOCUS {column.since} or "
        "later, or group by a key the file has"
    )


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
    engine: Engine | None = None,
    pricing: list[PricingCurrencyRow] | None = None,
) -> list[CostRow]:
    """Cost per group of ``by`` keys and currency over the billing data at ``paths``.

    ``period`` keeps the months [start, end) on ``basis``; ``window`` keeps charges whose
    ChargePeriodStart is in [start, end); ``filters`` keeps rows whose key equals the value.
    Sorted by billed cost descending, then keys (nulls last), then currency. Raises
    InputError for unreadable or invalid files, UsageError for an unknown or absent key.
    ``notes`` collects superseded deliveries and duplicate tag keys; ``pricing``, when given,
    receives the :func:`pricing_currency_totals` of the same read.
    """
    filters = dict(filters or {})
    for key in [*by, *filters]:
        if not is_tag(key):
            column_of(key)
    with open_source(paths, progress, options, notes, engine) as source:
        found = aggregate_on(source, by, period, filters, basis=Basis(basis), window=window)
        if pricing is not None:
            pricing.extend(pricing_currency_on(source, by, period, basis=Basis(basis)))
        return found


def aggregate_on(
    source: Source,
    by: Sequence[str],
    period: Period | None = None,
    filters: Mapping[str, str] | None = None,
    *,
    basis: Basis = Basis.BILLING,
    window: Period | None = None,
) -> list[CostRow]:
    """:func:`aggregate` over an open source."""
    filters = dict(filters or {})
    check_keys(source, [*by, *filters])
    plain = [k for k in by if not is_tag(k)]
    query = Query.of(
        "aggregate",
        plain,
        with_tags=_needs_tags(by, filters),
        basis=basis,
        period=period,
        window=window,
        filters=filters,
    )
    return _regroup(source, by, plain, filters, _rows(source, query))


def _batches(source: Source, query: Query) -> Iterator[list[dict[str, Any]]]:
    """The rows of ``query`` on ``source`` in batches, each row by column name."""
    compiled = source.compile(query)
    for batch in source.batches(compiled.sql):
        yield [dict(zip(compiled.columns, row, strict=True)) for row in batch]


def _rows(source: Source, query: Query) -> list[dict[str, Any]]:
    return [row for batch in _batches(source, query) for row in batch]


def _regroup(
    source: Source,
    by: Sequence[str],
    plain: Sequence[str],
    filters: Mapping[str, str],
    rows: Sequence[Mapping[str, Any]],
) -> list[CostRow]:
    """Tag keys and tag filters applied in Python (one parser for every command), re-summed."""
    sums: dict[tuple[tuple[str | None, ...], str], list[Decimal | None]] = {}
    for row in rows:
        values_of = {k: _text(row[f"k{i}"]) for i, k in enumerate(plain)}
        tags = _tags(source, row.get("tags"))
        if any(tags.get(tag_name(k)) != v for k, v in filters.items() if is_tag(k)):
            continue
        values = tuple(tags.get(tag_name(k)) if is_tag(k) else values_of[k] for k in by)
        currency = checked_currency(source, row["currency"])
        acc = sums.setdefault((values, currency), [ZERO, ZERO, None, ZERO])
        amounts = (row["billed"], row["effective"], row["list"], row["corrections"])
        for i, amount in enumerate(amounts):
            acc[i] = _add(acc[i], amount)
    out = [_cost_row(by, values, currency, acc) for (values, currency), acc in sums.items()]
    return sorted(out, key=_order)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def checked_currency(source: Source, value: Any) -> str:
    """A result's BillingCurrency, or the InputError naming the row that lacks a valid one.

    Checked on the few distinct values a query returns rather than on every row."""
    if value is None or not _CURRENCY.fullmatch(str(value)):
        raise source.bad_row(f"BillingCurrency {value!r} is not an ISO 4217 code")
    return str(value)


def _tags(source: Source, text: str | None) -> dict[str, str]:
    try:
        tags = read_tags(text)
    except TagError as e:
        raise source.bad_row(f"Tags: {e}") from e
    for key in tags.duplicates:
        source.notes.warn(f"a Tags cell gives the key {key!r} twice; the last value is used")
    return tags.values


EXACT = Context(prec=80)
"""Sums in Python stay exact: the default context (28 digits) would round a DECIMAL(38, 24)
total above 9 999 to 28 significant digits."""


def _add(total: Decimal | None, amount: Any) -> Decimal | None:
    if amount is None:
        return total
    return EXACT.add(total or ZERO, Decimal(amount))


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
    engine: Engine | None = None,
) -> list[PricingCurrencyRow]:
    """FOCUS 1.2 PricingCurrencyEffectiveCost per group and pricing currency, for the rows
    priced in a currency other than their billing currency (credits, tokens): never money."""
    with open_source(paths, None, options, None, engine) as source:
        return pricing_currency_on(source, by, period, basis=Basis(basis))


def pricing_currency_on(
    source: Source, by: Sequence[str], period: Period | None = None, *, basis: Basis
) -> list[PricingCurrencyRow]:
    """:func:`pricing_currency_totals` over an open source."""
    if not any("PricingCurrency" in columns for _, columns in source.file_columns()):
        return []
    plain = [k for k in by if not is_tag(k)]
    query = Query.of("pricing_currency", plain, basis=basis, period=period)
    found = [
        PricingCurrencyRow(
            {k: _text(row[f"k{i}"]) for i, k in enumerate(plain)},
            str(row["pricing_currency"]),
            exact(Decimal(row["amount"] or 0)),
        )
        for row in _rows(source, query)
    ]
    return sorted(found, key=_pricing_order)


def _pricing_order(row: PricingCurrencyRow) -> tuple[Any, ...]:
    keys = tuple((v is None, v or "") for v in row.keys.values())
    return (keys, row.pricing_currency, row.effective_cost)


def resource_costs(
    paths: Sequence[Path],
    period: Period | None = None,
    filters: Mapping[str, str] | None = None,
    *,
    progress: Progress | None = None,
    options: EngineOptions | None = None,
    notes: Notes | None = None,
    engine: Engine | None = None,
) -> list[ResourceCost]:
    """Usage cost per (ResourceId, currency), sorted by resource id then effective cost
    descending; ``period`` selects billing months.

    Only Usage charges (or rows without ChargeCategory) count: purchases, taxes and credits are
    not the cost of running a resource. Rows without ResourceId are left out.
    """
    with open_source(paths, progress, options, notes, engine) as source:
        return resource_costs_on(source, period, filters)


def resource_costs_on(
    source: Source, period: Period | None = None, filters: Mapping[str, str] | None = None
) -> list[ResourceCost]:
    """:func:`resource_costs` over an open source."""
    types = _instance_types(source, period, filters)
    query = Query.of("resources", period, filters)
    return [
        _resource_cost(source, row, types) for batch in _batches(source, query) for row in batch
    ]


def _instance_types(
    source: Source, period: Period | None, filters: Mapping[str, str] | None
) -> dict[tuple[str, str], str]:
    """The instance type of each (resource, currency): the greatest found in SkuPriceDetails
    (InstanceType, else VMSize, else MachineType of each row)."""
    compiled = source.compile(Query.of("resource_details", period, filters))
    out: dict[tuple[str, str], str] = {}
    for batch in source.batches(compiled.sql):
        for rid, currency, details in batch:
            found = _instance_type(details)
            key = (str(rid), str(currency))
            if found is not None and (key not in out or found > out[key]):
                out[key] = found
    return out


def _instance_type(details: str) -> str | None:
    try:
        data = json.loads(details)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    for _, path in schema.TYPE_SOURCES:
        value = data.get(path.removeprefix("$."))
        if value is None:
            continue
        return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return None


def _resource_cost(
    source: Source, row: Mapping[str, Any], types: Mapping[tuple[str, str], str]
) -> ResourceCost:
    rid = str(row["resource_id"])
    currency = checked_currency(source, row["currency"])
    return ResourceCost(
        resource_id=rid,
        currency=currency,
        **{c: row[c] for c in DESCRIPTIVE},
        type=types.get((rid, currency)),
        tags=_tags(source, row["tags"]),
        billed_cost=exact(Decimal(row["billed"] or 0)),
        effective_cost=exact(Decimal(row["effective"] or 0)),
        first_charge=row["first_charge"],
        last_charge_end=row["last_charge_end"],
    )


def cost_records(
    paths: Sequence[Path],
    period: Period | None = None,
    filters: Mapping[str, str] | None = None,
    *,
    progress: Progress | None = None,
    options: EngineOptions | None = None,
    notes: Notes | None = None,
    engine: Engine | None = None,
) -> Iterator[CostRecord]:
    """Daily CostRecords (UTC day of ChargePeriodStart) per resource and dimension, streamed;
    ``period`` selects billing months (the invoice's)."""
    with open_source(paths, progress, options, notes, engine) as source:
        yield from cost_records_on(source, period, filters)


def cost_records_on(
    source: Source, period: Period | None = None, filters: Mapping[str, str] | None = None
) -> Iterator[CostRecord]:
    """:func:`cost_records` over an open source."""
    for batch in _batches(source, Query.of("records", period, filters)):
        yield from (_record(source, row) for row in batch)


def _record(source: Source, row: Mapping[str, Any]) -> CostRecord:
    day = row["day"]
    start = midnight(day) if day is not None else None
    plain = ("tags", "provider_name", "charge_category")
    return CostRecord(
        **{k: row[k] for k in RECORD_COLUMNS if k not in plain},
        provider_name=row["provider_name"] or "unknown",
        charge_category=row["charge_category"] or "Usage",
        tags=_tags(source, row["tags"]),
        billing_currency=checked_currency(source, row["currency"]),
        billing_period_start=row["bp"],
        charge_period_start=start,
        charge_period_end=start + dt.timedelta(days=1) if start else None,
        billed_cost=exact(Decimal(row["billed"] or 0)),
        effective_cost=exact(Decimal(row["effective"] or 0)),
        list_cost=None if row["list"] is None else exact(Decimal(row["list"])),
    )
