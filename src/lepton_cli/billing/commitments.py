"""Commitments in FOCUS exports: what each commitment discount covered and left unused.

FOCUS marks the usage a commitment covers with ``CommitmentDiscountId`` and
``CommitmentDiscountStatus = Used``, and the hours it went unused with ``Unused`` rows of the
same id. Only usage rows count (``ChargeCategory = Usage``): purchase rows are what a commitment
was paid with, not what it covered. Per commitment:

- used cost = Σ EffectiveCost of its ``Used`` rows; unused cost = Σ EffectiveCost of ``Unused``
- utilisation = used / (used + unused)
- coverage = Σ ConsumedQuantity of its ``Used`` rows / Σ ConsumedQuantity of the eligible usage:
  every usage row that is not ``Unused`` in the same provider, service, region and consumed
  unit as the rows it covered (in hours for instances, as AWS and Azure report coverage).

Files are read with DuckDB like every other FOCUS query; only the columns read here are needed
(the spec's worked examples carry no ProviderName).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from lepton_cli.billing import schema
from lepton_cli.billing.engine import connect
from lepton_cli.billing.files import (
    FOCUS_HINT,
    FileFormat,
    file_format,
    first_line,
    relation_sql,
)
from lepton_cli.billing.schema import provider_slug
from lepton_cli.commitments.model import Commitment, CommitmentScope, Product, Usage
from lepton_cli.errors import InputError

_T, _M, _TM = schema.Kind.TEXT, schema.Kind.MONEY, schema.Kind.TIME
COLUMNS: tuple[schema.Column, ...] = (
    schema.Column("provider_name", ("ServiceProviderName", "ProviderName")),
    schema.Column("region_id", ("RegionId",)),
    schema.Column("service_name", ("ServiceName",)),
    schema.Column("charge_category", ("ChargeCategory",)),
    schema.Column("charge_frequency", ("ChargeFrequency",)),
    schema.Column("pricing_category", ("PricingCategory",)),
    schema.Column("sku_id", ("SkuId",)),
    schema.Column("billing_currency", ("BillingCurrency",)),
    schema.Column("cd_id", ("CommitmentDiscountId",)),
    schema.Column("cd_name", ("CommitmentDiscountName",)),
    schema.Column("cd_category", ("CommitmentDiscountCategory",)),
    schema.Column("cd_type", ("CommitmentDiscountType",)),
    schema.Column("cd_status", ("CommitmentDiscountStatus",)),
    schema.Column("cd_unit", ("CommitmentDiscountUnit",)),
    schema.Column("cd_quantity", ("CommitmentDiscountQuantity",), _M),
    schema.Column("consumed_quantity", ("ConsumedQuantity",), _M),
    schema.Column("consumed_unit", ("ConsumedUnit",)),
    schema.Column("charge_period_start", ("ChargePeriodStart",), _TM),
    schema.Column("charge_period_end", ("ChargePeriodEnd",), _TM),
    schema.Column("billed_cost", ("BilledCost",), _M),
    schema.Column("effective_cost", ("EffectiveCost",), _M),
)
NEEDED = ("EffectiveCost", "ChargePeriodStart", "ChargePeriodEnd")

_USAGE = "COALESCE(charge_category, 'Usage') = 'Usage'"
_PER_COMMITMENT = f"""
SELECT cd_id, MAX(provider_name), MAX(cd_name), MAX(cd_category), MAX(cd_type), MAX(region_id),
  MAX(cd_unit), MAX(billing_currency),
  SUM(effective_cost) FILTER (WHERE cd_status = 'Used'),
  SUM(effective_cost) FILTER (WHERE cd_status = 'Unused'),
  SUM(cd_quantity) FILTER (WHERE cd_status = 'Used'),
  SUM(cd_quantity) FILTER (WHERE cd_status = 'Unused'),
  SUM(consumed_quantity) FILTER (WHERE cd_status = 'Used'),
  MIN(charge_period_start), MAX(charge_period_end)
FROM charges WHERE cd_id IS NOT NULL AND {_USAGE}
GROUP BY cd_id ORDER BY cd_id
"""
_ELIGIBLE = f"""
, usage AS (SELECT * FROM charges WHERE {_USAGE} AND consumed_quantity IS NOT NULL
                 AND cd_status IS DISTINCT FROM 'Unused'),
     scopes AS (SELECT DISTINCT cd_id, provider_name, service_name, region_id, consumed_unit
                FROM usage WHERE cd_id IS NOT NULL AND cd_status = 'Used')
SELECT s.cd_id, MAX(s.consumed_unit), SUM(u.consumed_quantity)
FROM scopes s JOIN usage u
  ON u.provider_name IS NOT DISTINCT FROM s.provider_name
 AND u.service_name IS NOT DISTINCT FROM s.service_name
 AND u.region_id IS NOT DISTINCT FROM s.region_id
 AND u.consumed_unit IS NOT DISTINCT FROM s.consumed_unit
GROUP BY s.cd_id
"""
_PURCHASES = """
SELECT cd_id, SUM(billed_cost) FILTER (WHERE charge_frequency = 'One-Time'),
  MIN(charge_period_start) FILTER (WHERE charge_frequency = 'One-Time'),
  MAX(charge_period_end) FILTER (WHERE charge_frequency = 'One-Time')
FROM charges WHERE charge_category = 'Purchase' AND cd_id IS NOT NULL GROUP BY cd_id
"""


@dataclass(frozen=True)
class FocusCommitments:
    """Commitments found in some FOCUS files, with what each covered over the files' window."""

    commitments: list[Commitment]
    usage: dict[str, Usage]


def read_commitments(paths: Sequence[Path]) -> FocusCommitments:
    """Every commitment discount in the FOCUS files under ``paths`` (InputError on bad data)."""
    con = connect()
    try:
        selects = _selects(con, _files(paths))
        cte = "WITH charges AS (\n" + "\nUNION ALL BY NAME\n".join(s for _, s in selects) + "\n)"
        rows = _run(con, cte + _PER_COMMITMENT, selects)
        eligible = {r[0]: (r[1], r[2]) for r in _run(con, cte + _ELIGIBLE, selects)}
        purchases = {r[0]: r[1:] for r in _run(con, cte + _PURCHASES, selects)}
    finally:
        con.close()
    source = ", ".join(p.name for p in paths)
    found = [_commitment(r, purchases.get(r[0]), source) for r in rows]
    usage = {r[0]: _usage(r, eligible.get(r[0])) for r in rows}
    return FocusCommitments(found, usage)


def _run(
    con: duckdb.DuckDBPyConnection, sql: str, selects: list[tuple[Path, str]]
) -> list[tuple[Any, ...]]:
    try:
        return con.execute(sql).fetchall()
    except duckdb.Error as e:
        raise _which_file(con, selects, e) from e


def _which_file(
    con: duckdb.DuckDBPyConnection, selects: list[tuple[Path, str]], error: duckdb.Error
) -> InputError:
    """The failing query does not say which file held the bad value: read each alone."""
    for path, select in selects:
        try:
            every = ", ".join(f"COUNT({c.name})" for c in COLUMNS)  # casts each value
            con.execute(f"SELECT {every} FROM ({select})").fetchall()
        except duckdb.Error as e:
            return InputError(
                f"{path}: {first_line(e)}", hint=f"fix or remove that file; {FOCUS_HINT}"
            )
    return InputError(f"cannot read commitments from FOCUS data: {first_line(error)}", FOCUS_HINT)


def _files(paths: Sequence[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder", hint="check the --source path")
        out += sorted(p for p in path.rglob("*") if file_format(p)) if path.is_dir() else [path]
    if not out:
        raise InputError(f"no FOCUS file under {', '.join(map(str, paths))}", hint=FOCUS_HINT)
    return out


def _selects(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    columns: tuple[schema.Column, ...] = COLUMNS,
) -> list[tuple[Path, str]]:
    """One normalised SELECT per file, with the file it reads."""
    selects = []
    for path in paths:
        fmt = file_format(path) or FileFormat.CSV
        relation = relation_sql(fmt, [path])
        types = _types(con, path, relation)
        if types is None:  # an empty export: nothing to read
            continue
        items = ",\n  ".join(f"{schema.column_sql(c, types)} AS {c.name}" for c in columns)
        selects.append((path, f"SELECT\n  {items}\nFROM {relation}"))
    if not selects:
        raise InputError("the FOCUS files hold no rows", hint=FOCUS_HINT)
    return selects


def _types(con: duckdb.DuckDBPyConnection, path: Path, relation: str) -> dict[str, str] | None:
    if path.stat().st_size == 0:
        return None
    try:
        result = con.execute(f"SELECT * FROM {relation} LIMIT 0")
    except duckdb.Error as e:
        raise InputError(f"{path}: cannot be read as FOCUS: {first_line(e)}", FOCUS_HINT) from e
    types = {str(d[0]): str(d[1]) for d in result.description or []}
    missing = [c for c in NEEDED if c not in types]
    if missing:
        raise InputError(
            f"{path}: missing FOCUS column {missing[0]}",
            hint=f"commitments need {', '.join(NEEDED)} and CommitmentDiscountId; {FOCUS_HINT}",
        )
    return types


def product_of(provider: str, kind: str | None, category: str | None) -> Product:
    """The product a FOCUS CommitmentDiscountType names (providers word it their own way)."""
    text = (kind or "").lower()
    if provider == "aws":
        if "savings" in text:
            return (
                Product.AWS_COMPUTE_SAVINGS_PLAN
                if "compute" in text
                else (Product.AWS_EC2_INSTANCE_SAVINGS_PLAN)
            )
        return Product.AWS_RESERVED_INSTANCE
    if provider in ("azure", "microsoft"):
        return Product.AZURE_SAVINGS_PLAN if "savings" in text else Product.AZURE_RESERVATION
    if provider in ("gcp", "google"):
        return Product.GCP_FLEXIBLE_CUD if category == "Spend" else Product.GCP_RESOURCE_CUD
    return Product.OTHER


def _hours(start: dt.datetime | None, end: dt.datetime | None) -> Decimal:
    if start is None or end is None:
        return Decimal(0)
    return Decimal(int((end - start).total_seconds())) / 3600


def _commitment(row: tuple[Any, ...], purchase: tuple[Any, ...] | None, source: str) -> Commitment:
    cid, provider_name, name, category, kind, region, unit, currency = row[:8]
    used, unused, used_q, unused_q = (Decimal(v or 0) for v in row[8:12])
    start, end = row[13], row[14]
    provider = provider_slug(provider_name) if provider_name else "other"
    hours = _hours(start, end)
    fee = (used + unused) / hours if hours else Decimal(0)
    quantity = (used_q + unused_q) / hours if hours else None
    upfront, term_start, term_end = purchase if purchase else (None, None, None)
    term_hours = _hours(term_start, term_end)
    spend = category == "Spend" or (unit or "").upper() == (currency or "USD").upper()
    return Commitment(
        id=str(cid),
        provider=provider,
        product=product_of(provider, kind, category),
        name=name,
        scope=CommitmentScope(region=region),
        term_months=round(term_hours / Decimal(730)) if term_hours else 0,
        start=_aware(term_start or start),
        end=_aware(term_end) if term_end else None,
        hourly_commitment=quantity if spend else None,
        count=None if spend else quantity,
        unit=unit,
        upfront=Decimal(upfront or 0),
        hourly_fee=fee,
        currency=currency or "USD",
        source=f"FOCUS {source}",
    )


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.replace(tzinfo=dt.UTC) if moment and moment.tzinfo is None else moment


def _usage(row: tuple[Any, ...], eligible: tuple[Any, ...] | None) -> Usage:
    used, unused = Decimal(row[8] or 0), Decimal(row[9] or 0)
    total = used + unused
    return Usage(
        commitment_id=str(row[0]),
        hours=_hours(row[13], row[14]),
        used_cost=used,
        unused_cost=unused,
        utilization=float(used / total) if total else None,
        covered_quantity=Decimal(row[12] or 0),
        eligible_quantity=Decimal(eligible[1]) if eligible and eligible[1] is not None else None,
        eligible_unit=eligible[0] if eligible else None,
    )


_EXTRA: tuple[schema.Column, ...] = (
    schema.Column("service_category", ("ServiceCategory",)),
    schema.Column("sku_price_details", ("SkuPriceDetails",), schema.Kind.JSON),
    schema.Column("resource_type", ("ResourceType",)),
)
_TYPE = " , ".join(
    f"CASE WHEN json_valid({col}) THEN json_extract_string({col}, '{path}') END"
    for col, path in schema.TYPE_SOURCES
)
_HOURLY = f"""
, eligible AS (
  SELECT provider_name, region_id,
    COALESCE({_TYPE}, sku_id, resource_type, service_name) AS type,
    charge_period_start AS s,
    GREATEST(charge_period_end, charge_period_start + INTERVAL 1 HOUR) AS e,
    effective_cost AS cost
  FROM charges
  WHERE {_USAGE} AND cd_id IS NULL AND COALESCE(pricing_category, 'Standard') = 'Standard'
    AND COALESCE(service_category, 'Compute') = 'Compute' AND effective_cost > 0
    AND charge_period_start IS NOT NULL
), spread AS (
  SELECT provider_name, region_id, type, cost / (epoch(e - s) / 3600) AS hourly,
    UNNEST(range(date_trunc('hour', s), e, INTERVAL 1 HOUR)) AS hour
  FROM eligible
)
SELECT provider_name, region_id, type, hour, SUM(hourly)
FROM spread WHERE hour >= $start GROUP BY ALL ORDER BY ALL
"""


@dataclass(frozen=True)
class HourlyUsage:
    """On-demand compute spend per (provider, region, type) and hour, from FOCUS usage rows
    that no commitment covered (PricingCategory Standard, no CommitmentDiscountId)."""

    rows: list[tuple[str, str, str, dt.datetime, Decimal]]
    end: dt.datetime | None


def hourly_usage(paths: Sequence[Path], days: int) -> HourlyUsage:
    """The last ``days`` days (before the data's last charge) of eligible on-demand usage;
    a row longer than an hour is spread evenly over its hours."""
    con = connect()
    try:
        files = _files(paths)
        selects = _selects(con, files, COLUMNS + _EXTRA)
        cte = "WITH charges AS (\n" + "\nUNION ALL BY NAME\n".join(s for _, s in selects) + "\n)"
        last = _run(
            con, cte + f"\nSELECT MAX(charge_period_end) FROM charges WHERE {_USAGE}", selects
        )
        end = last[0][0] if last and last[0][0] else None
        if end is None:
            return HourlyUsage([], None)
        start = end - dt.timedelta(days=days)
        found = _run_params(con, cte + _HOURLY, {"start": start}, selects)
    finally:
        con.close()
    rows = [
        (provider_slug(p) if p else "other", r or "", str(t or "unknown"), h, Decimal(c))
        for p, r, t, h, c in found
    ]
    return HourlyUsage(rows, _aware(end))


def _run_params(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: dict[str, Any],
    selects: list[tuple[Path, str]],
) -> list[tuple[Any, ...]]:
    try:
        return con.execute(sql, params).fetchall()
    except duckdb.Error as e:
        raise _which_file(con, selects, e) from e
