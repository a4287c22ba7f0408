"""Every billing query lepton runs, as Ibis expressions over the normalised ``charges`` table.

The expressions are engine-free: :mod:`lepton_cli.billing.engines` compiles them to DuckDB,
Spark SQL, BigQuery or Trino/Athena SQL and runs them where the data lives. They only group,
filter and sum; what is read back (tags, currencies, exact decimals) is finished in
:mod:`lepton_cli.billing.query`, the same for every engine.

**Months follow the invoice.** On :attr:`Basis.BILLING` a row's month is its
BillingPeriodStart. On :attr:`Basis.CHARGE` it is the month of ChargePeriodStart, and a charge
whose period spans months is split pro rata by the seconds it has in each: the piece of month
*k* is the cumulative share at the month's end minus the share at its start, each share rounded
to 10 decimals and the last one the whole amount, so the pieces add up exactly. ``window``
always selects by charge date.

Money is ``DECIMAL(38, 24)`` on every engine and summed as such.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import ibis
import ibis.expr.datatypes as dtypes
import ibis.expr.types as ir

from lepton_cli.billing.keys import DESCRIPTIVE, RECORD_COLUMNS, Basis, column_of, is_tag
from lepton_cli.models import Period
from lepton_cli.models.period import midnight

MONEY = dtypes.Decimal(38, 24)
SHARE = dtypes.Decimal(38, 10)
PIECE = dtypes.Decimal(37, 24)
"""The operands of a piece's subtraction: one digit below 38, so that no engine narrows the
difference's scale (Spark gives a 38-digit difference of two 38-digit decimals 23 decimals)."""
SHARED = ("billed_cost", "effective_cost", "list_cost", "contracted_cost")
"""The amounts a spanning charge splits between months."""


def _month_index(ts: ir.TimestampValue) -> ir.IntegerValue:
    return ts.year() * 12 + ts.month() - 1


def _month_start(index: ir.IntegerValue) -> ir.TimestampValue:
    year, month = index // 12, index % 12 + 1
    return ibis.date(year, month, 1).cast(dtypes.Timestamp())


def with_month(charges: ir.Table, basis: Basis) -> ir.Table:
    """``charges`` with ``_month`` on ``basis``; on the charge basis spanning rows split."""
    if Basis(basis) is Basis.BILLING:
        return charges.mutate(_month=charges.billing_period_start)
    return _split(charges)


def _split(t: ir.Table) -> ir.Table:
    start = t.charge_period_start
    end = t.charge_period_end.coalesce(start)
    # The last month holds the last instant of the charge (an end at 00:00 on the 1st is the
    # month before); a charge without an end or with no length stays in its start month.
    ends_on_month = (end.truncate("M") == end) & (end > start)
    last = ibis.ifelse(ends_on_month, _month_index(end) - 1, _month_index(end))
    first = _month_index(start)
    spans = t.mutate(
        _first=first,
        _months=last - first,
        _s=start.epoch_seconds(),
        _total=end.epoch_seconds() - start.epoch_seconds(),
    )
    pieces = spans.mutate(_k=ibis.range(0, spans._months + 1).unnest())
    month = _month_start(pieces._first + pieces._k)
    next_month = _month_start(pieces._first + pieces._k + 1)
    before = ibis.greatest(month.epoch_seconds() - pieces._s, 0)
    upto = ibis.least(next_month, pieces.charge_period_end).epoch_seconds() - pieces._s
    split = {
        c: ibis.ifelse(
            pieces._months == 0,
            pieces[c],
            _share(pieces, c, upto).cast(PIECE) - _share(pieces, c, before).cast(PIECE),
        ).cast(MONEY)
        for c in SHARED
    }
    kept = [c for c in t.columns if c not in SHARED]
    return pieces.select(
        *kept, **split, _month=ibis.ifelse(pieces._months == 0, _month_start(pieces._first), month)
    )


def _share(t: ir.Table, column: str, seconds: ir.IntegerValue) -> ir.DecimalValue:
    amount = t[column]
    part = (amount.cast("float64") * seconds / t._total).cast(SHARE).cast(MONEY)
    return ibis.cases(
        (seconds >= t._total, amount),
        (seconds <= 0, ibis.literal(0).cast(MONEY)),
        else_=part,
    )


def key_value(t: ir.Table, key: str) -> ir.StringValue:
    """A grouping/filter key's value over ``t`` (which carries ``_month``)."""
    if key == "day":
        return t.charge_period_start.strftime("%Y-%m-%d")
    if key == "month":
        return t._month.strftime("%Y-%m")
    return t[column_of(key)]


def _timestamp(day: dt.date) -> ir.TimestampValue:
    return ibis.literal(midnight(day), type=dtypes.Timestamp())


def where(
    t: ir.Table,
    period: Period | None = None,
    window: Period | None = None,
    filters: Mapping[str, str] | None = None,
) -> list[ir.BooleanValue]:
    """Predicates for a month range (on ``_month``), a charge-date window and non-tag filters."""
    preds: list[ir.BooleanValue] = []
    if period is not None:
        preds += [t._month >= _timestamp(period.start), t._month < _timestamp(period.end)]
    if window is not None:
        start, end = _timestamp(window.start), _timestamp(window.end)
        preds += [t.charge_period_start >= start, t.charge_period_start < end]
    for key, value in (filters or {}).items():
        if not is_tag(key):
            preds.append(key_value(t, key) == value)
    return preds


def _filtered(t: ir.Table, preds: Sequence[ir.BooleanValue]) -> ir.Table:
    return t.filter(*preds) if preds else t


def aggregate(
    charges: ir.Table,
    keys: Sequence[str],
    *,
    with_tags: bool,
    basis: Basis = Basis.BILLING,
    period: Period | None = None,
    window: Period | None = None,
    filters: Mapping[str, str] | None = None,
) -> ir.Table:
    """Billed, effective, list cost and corrections per ``keys`` (non-tag), tags text when
    asked, and currency: columns ``k0..kn``, ``tags``, ``currency``, ``billed``,
    ``effective``, ``list``, ``corrections``."""
    t = with_month(charges, basis)
    t = _filtered(t, where(t, period, window, filters))
    groups = {f"k{i}": key_value(t, k) for i, k in enumerate(keys)}
    if with_tags:
        groups["tags"] = t.tags
    groups["currency"] = t.billing_currency
    return t.aggregate(
        by=[v.name(k) for k, v in groups.items()],
        **{
            "billed": t.billed_cost.sum(),
            "effective": t.effective_cost.sum(),
            "list": t.list_cost.sum(),
            "corrections": t.billed_cost.sum(where=t.charge_class == "Correction"),
        },
    )


def pricing_currency(
    charges: ir.Table,
    keys: Sequence[str],
    *,
    basis: Basis = Basis.BILLING,
    period: Period | None = None,
) -> ir.Table:
    """PricingCurrencyEffectiveCost per ``keys`` and pricing currency, for rows priced in a
    currency other than their billing one: ``k0..kn``, ``pricing_currency``, ``amount``."""
    t = with_month(charges, basis)
    preds = [
        *where(t, period),
        t.pricing_currency.notnull(),
        ~t.pricing_currency.identical_to(t.billing_currency),
    ]
    t = t.filter(*preds)
    groups = [key_value(t, k).name(f"k{i}") for i, k in enumerate(keys)]
    return t.aggregate(
        by=[*groups, t.pricing_currency],
        **{"amount": t.pricing_currency_effective_cost.sum()},
    )


def _usage(charges: ir.Table, period: Period | None, filters: Mapping[str, str]) -> ir.Table:
    t = with_month(charges, Basis.BILLING)
    preds = [
        *where(t, period, None, filters),
        t.resource_id.notnull(),
        t.charge_category.coalesce("Usage") == "Usage",
    ]
    return t.filter(*preds)


def resources(
    charges: ir.Table, period: Period | None = None, filters: Mapping[str, str] | None = None
) -> ir.Table:
    """Usage cost per (ResourceId, currency) with its descriptive columns, the tags of its
    latest charge (ties broken by value) and its first and last charge, sorted by resource id,
    effective cost descending, currency."""
    t = _usage(charges, period, dict(filters or {}))
    latest = t.charge_period_start.cast("string").concat(t.tags)
    agg = t.aggregate(
        by=[t.resource_id, t.billing_currency.name("currency")],
        **{
            **{c: t[c].max() for c in DESCRIPTIVE},
            "tags": t.tags.argmax(latest, where=t.tags.notnull()),
            "billed": t.billed_cost.sum(),
            "effective": t.effective_cost.sum(),
            "first_charge": t.charge_period_start.min(),
            "last_charge_end": t.charge_period_end.max(),
        },
    )
    return agg.order_by(
        [ibis.asc(agg.resource_id), ibis.desc(agg.effective), ibis.asc(agg.currency)]
    )


def resource_details(
    charges: ir.Table, period: Period | None = None, filters: Mapping[str, str] | None = None
) -> ir.Table:
    """The distinct SkuPriceDetails of each resource's usage rows (its instance type is read
    from them): ``resource_id``, ``currency``, ``sku_price_details``."""
    t = _usage(charges, period, dict(filters or {}))
    t = t.filter(t.sku_price_details.notnull())
    return t.select(
        t.resource_id, t.billing_currency.name("currency"), t.sku_price_details
    ).distinct()


def records(
    charges: ir.Table, period: Period | None = None, filters: Mapping[str, str] | None = None
) -> ir.Table:
    """Daily cost per resource and dimension (UTC day of ChargePeriodStart), billing months in
    ``period``: the RECORD_COLUMNS, ``currency``, ``bp``, ``day``, ``billed``, ``effective``,
    ``list``, sorted by day, the columns, currency (nulls last)."""
    t = with_month(charges, Basis.BILLING)
    t = _filtered(t, where(t, period, None, filters))
    agg = t.aggregate(
        by=[
            *(t[c] for c in RECORD_COLUMNS),
            t.billing_currency.name("currency"),
            t.billing_period_start.date().name("bp"),
            t.charge_period_start.date().name("day"),
        ],
        **{
            "billed": t.billed_cost.sum(),
            "effective": t.effective_cost.sum(),
            "list": t.list_cost.sum(),
        },
    )
    order = ["day", *RECORD_COLUMNS, "currency"]
    return agg.order_by([ibis.asc(agg[c], nulls_first=False) for c in order])
