"""The billing queries compiled for engines lepton does not run in-process: BigQuery (the FOCUS
view of the GCP export, or any FOCUS table) and Athena/Trino (a table over FOCUS in S3).

:func:`raw_table` declares the FOCUS table as the engine holds it; :func:`charges` normalises
it with the engine's own error function (the same row checks as on DuckDB and Spark); the
expressions of :mod:`expr` are then compiled by Ibis to the engine's dialect.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.datatypes as dtypes
import ibis.expr.types as ir

from lepton_cli.billing import expr, normalize, schema
from lepton_cli.billing.engines import DIALECTS, EngineName
from lepton_cli.billing.keys import Basis
from lepton_cli.models import Period


@ibis.udf.scalar.builtin(name="ERROR")  # type: ignore[untyped-decorator]
def _bigquery_error(msg: str) -> str:
    raise NotImplementedError  # runs in BigQuery, never here


@ibis.udf.scalar.builtin(name="fail")  # type: ignore[untyped-decorator]
def _trino_fail(msg: str) -> str:
    raise NotImplementedError  # runs in Trino/Athena, never here


@ibis.udf.scalar.builtin(name="TO_JSON_STRING")  # type: ignore[untyped-decorator]
def _bigquery_json(m: dtypes.Map(dtypes.string, dtypes.string)) -> str:  # type: ignore[valid-type]
    raise NotImplementedError


@ibis.udf.scalar.builtin(name="json_format")  # type: ignore[untyped-decorator]
def _trino_json(m: dtypes.JSON) -> str:
    raise NotImplementedError


def _fail_for(engine: EngineName) -> normalize.Fail:
    udf = _bigquery_error if engine is EngineName.BIGQUERY else _trino_fail
    return lambda message: udf(ibis.literal(message))


def _json_for(engine: EngineName) -> normalize.ToJson:
    if engine is EngineName.BIGQUERY:
        return lambda value: _bigquery_json(value)
    return lambda value: _trino_json(value.cast(dtypes.JSON))


_RAW_TYPES: dict[schema.Kind, dtypes.DataType] = {
    schema.Kind.MONEY: dtypes.Decimal(38, 24),
    schema.Kind.TIME: dtypes.Timestamp(timezone="UTC"),
    schema.Kind.TEXT: dtypes.string,
    schema.Kind.JSON: dtypes.string,
    schema.Kind.TAGS: dtypes.Map(dtypes.string, dtypes.string),
}


def raw_table(name: str, types: dict[str, dtypes.DataType] | None = None) -> ir.Table:
    """A FOCUS table ``name`` (e.g. ``project.dataset.focus``) with ``types``, by default
    every FOCUS column lepton reads, typed as a FOCUS view types them."""
    if types is None:
        types = {s: _RAW_TYPES[c.kind] for c in schema.COLUMNS for s in c.sources}
    parts = name.split(".")
    catalog = parts[-3] if len(parts) > 2 else None
    database = parts[-2] if len(parts) > 1 else None
    return ibis.table(ibis.schema(types), name=parts[-1], catalog=catalog, database=database)


def charges(raw: ir.Table, engine: EngineName) -> ir.Table:
    """The normalised ``charges`` of ``raw`` on ``engine``."""
    return normalize.charges(raw, csv=False, fail=_fail_for(engine), to_json=_json_for(engine))


def to_sql(query: ir.Table, engine: EngineName) -> str:
    return str(ibis.to_sql(query, dialect=DIALECTS[engine]))


def query_set(charges_table: ir.Table, month: Period) -> dict[str, ir.Table]:
    """The billing queries lepton runs, by name: what the golden SQL files hold."""
    window = Period(start=month.start - dt.timedelta(days=28), end=month.start)
    return {
        "report_service_region": expr.aggregate(
            charges_table, ["service", "region"], with_tags=False
        ),
        "report_month_charge_basis": expr.aggregate(
            charges_table, ["month"], with_tags=False, basis=Basis.CHARGE
        ),
        "report_tags_period": expr.aggregate(
            charges_table, ["service"], with_tags=True, period=month
        ),
        "budget_daily_series": expr.aggregate(
            charges_table, ["day"], with_tags=False, period=month, filters={"provider": "AWS"}
        ),
        "forecast_trailing_window": expr.aggregate(
            charges_table, ["day"], with_tags=False, window=window
        ),
        "anomalies_series": expr.aggregate(
            charges_table, ["service", "day"], with_tags=False, window=window
        ),
        "scan_resources": expr.resources(charges_table, month),
        "scan_resource_details": expr.resource_details(charges_table, month),
        "pricing_currency_totals": expr.pricing_currency(charges_table, ["service"]),
        "report_pricing_service_region": expr.pricing_currency(
            charges_table, ["service", "region"]
        ),
        "cost_records": expr.records(charges_table, month),
    }
