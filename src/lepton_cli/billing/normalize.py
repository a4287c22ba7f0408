"""Raw FOCUS columns (``BilledCost``, ``ChargePeriodStart``, ...) -> the normalised ``charges``
table, as an Ibis expression: what the DuckDB engine gets from the FOCUS provider's
:mod:`~lepton_cli.billing.schema`, for engines that read the data where it lives
(a Spark table or files on S3, a BigQuery FOCUS view, Athena/Trino over CUR or FOCUS).

The same rules: blank text is NULL; money is ``DECIMAL(38, 24)`` (E-notation read exactly, a
binary float through its shortest text form); date-times must start ``YYYY-MM-DD`` and are UTC;
Tags are JSON object text or a MAP; every row is checked inside ``billing_currency`` (a charge
without ChargePeriodStart or BillingPeriodStart, or ending before it starts, fails the query
with the same ``lepton:`` marker as on DuckDB) through the engine's own error function.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.datatypes as dtypes
import ibis.expr.types as ir

from lepton_cli.billing import schema
from lepton_cli.billing.expr import MONEY

UTC = dtypes.Timestamp(timezone="UTC")
PLAIN = dtypes.Timestamp()
CSV_NULLS = ("", "NULL", "null")
DATE_SHAPE = r"^\s*\d{4}-\d{2}-\d{2}"

Fail = Callable[[str], ir.StringValue]
"""An engine's error function as an Ibis expression: evaluated, it fails the query."""

ToJson = Callable[[ir.Value], ir.StringValue]
"""An engine's MAP -> JSON object text function."""


def _text(value: ir.Value, csv: bool) -> ir.StringValue:
    text = value if value.type().is_string() else value.cast("string")
    nulls = CSV_NULLS if csv else ("",)
    return ibis.ifelse(text.isin(nulls), ibis.null("string"), text)


def _money(value: ir.Value, csv: bool) -> ir.Value:
    kind = value.type()
    if kind.is_decimal() or kind.is_integer():
        return value.cast(MONEY)
    return _text(value, csv).cast(MONEY)


def _time(value: ir.Value, csv: bool, fail: Fail) -> ir.Value:
    kind = value.type()
    if kind.is_timestamp():
        return value.cast(UTC).cast(PLAIN) if kind.timezone else value
    if kind.is_date():
        return value.cast(PLAIN)
    text = _text(value, csv)
    checked = ibis.ifelse(text.re_search(DATE_SHAPE), text, fail(schema.BAD_TIME))
    return checked.cast(UTC).cast(PLAIN)


def _tags(value: ir.Value, csv: bool, to_json: ToJson) -> ir.Value:
    if value.type().is_map():
        return to_json(value)
    return _text(value, csv)


def _null(kind: schema.Kind) -> ir.Value:
    if kind is schema.Kind.MONEY:
        return ibis.null(MONEY)
    if kind is schema.Kind.TIME:
        return ibis.null(PLAIN)
    return ibis.null("string")


def charges(
    raw: ir.Table,
    *,
    csv: bool,
    fail: Fail,
    to_json: ToJson,
) -> ir.Table:
    """The normalised ``charges`` of a raw FOCUS table (any FOCUS version 1.0 to 1.3)."""
    columns: dict[str, ir.Value] = {}
    for column in schema.COLUMNS:
        parts = [
            _convert(raw[s], column.kind, csv, fail, to_json)
            for s in column.sources
            if s in raw.columns
        ]
        if not parts:
            columns[column.name] = _null(column.kind)
        else:
            columns[column.name] = parts[0] if len(parts) == 1 else ibis.coalesce(*parts)
    t = raw.select(**columns)
    bad = ibis.cases(
        (t.charge_period_start.isnull(), fail("lepton: ChargePeriodStart is empty")),
        (t.billing_period_start.isnull(), fail("lepton: BillingPeriodStart is empty")),
        (t.charge_period_end < t.charge_period_start, fail(schema.BAD_SPAN)),
        else_=t.billing_currency,
    )
    return t.mutate(billing_currency=bad)


def _convert(
    value: ir.Value,
    kind: schema.Kind,
    csv: bool,
    fail: Fail,
    to_json: ToJson,
) -> ir.Value:
    if kind is schema.Kind.MONEY:
        return _money(value, csv)
    if kind is schema.Kind.TIME:
        return _time(value, csv, fail)
    if kind is schema.Kind.TAGS:
        return _tags(value, csv, to_json)
    return _text(value, csv)
