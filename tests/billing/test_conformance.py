"""The whole billing query set on DuckDB and on PySpark local, over the same FOCUS files:
identical results to the last digit (issue #18.3)."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest
from focus_data import rows, write_csv, write_parquet

from lepton_cli.analysis.anomalies import find_anomalies
from lepton_cli.analysis.budgets import budget_report, parse_budgets
from lepton_cli.billing import engines
from lepton_cli.billing.query import (
    Basis,
    aggregate,
    cost_records,
    pricing_currency_totals,
    resource_costs,
)
from lepton_cli.models import Period

pytestmark = pytest.mark.spark

DUCKDB = engines.Engine(engines.EngineName.DUCKDB)
SPARK = engines.Engine(engines.EngineName.SPARK)

GROUPINGS = (
    ["service", "region"],
    ["provider", "month"],
    ["tag:team", "account", "sub_account", "charge_category", "charge_class", "pricing"],
)


def query_set(paths: list[Path], engine: engines.Engine) -> dict[str, Any]:
    """Every query lepton runs, with its options, as plain comparable text."""
    out: dict[str, Any] = {}
    for by in GROUPINGS:
        for basis in Basis:
            out[f"aggregate {by} {basis}"] = aggregate(paths, by, basis=basis, engine=engine)
            out[f"pricing {by} {basis}"] = pricing_currency_totals(
                paths, by, basis=basis, engine=engine
            )
    october = Period.month("2026-10")
    out["period"] = aggregate(paths, ["service"], october, engine=engine)
    out["period charge"] = aggregate(paths, ["day"], october, basis=Basis.CHARGE, engine=engine)
    window = Period(start=dt.date(2026, 10, 20), end=dt.date(2026, 11, 3))
    out["window"] = aggregate(paths, ["day", "service"], window=window, engine=engine)
    out["filters"] = aggregate(
        paths, ["region"], filters={"provider": "AWS", "tag:team": "search"}, engine=engine
    )
    out["resources"] = resource_costs(paths, engine=engine)
    out["resources period"] = resource_costs(paths, october, {"region": "eu-west-1"}, engine=engine)
    out["records"] = list(cost_records(paths, engine=engine))
    out["records period"] = list(cost_records(paths, october, engine=engine))
    return out


def analyses(paths: list[Path], engine: engines.Engine) -> dict[str, Any]:
    """Budgets' and anomalies' series through the analysis layer on ``engine``."""
    engines.select(engine)
    try:
        budgets = parse_budgets(
            [
                {"name": "all", "amount": 5000, "currency": "USD"},
                {"name": "search", "amount": 900, "scope": "tag:team=search"},
            ]
        )
        report = budget_report(paths, budgets, Period.month("2026-10"))
        found = find_anomalies(paths, ["service"], last_days=10)
        return {
            "budgets": [(s.budget.name, s.forecast) for s in report.statuses],
            "anomalies": found.anomalies,
        }
    finally:
        engines.select(DUCKDB)


def assert_identical(left: dict[str, Any], right: dict[str, Any]) -> None:
    assert left.keys() == right.keys()
    for name in left:
        assert repr(left[name]) == repr(right[name]), name


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    folder = tmp_path_factory.mktemp("conformance")
    data = rows()
    return {
        "csv": [write_csv(folder / "focus.csv", data)],
        "parquet": [write_parquet(folder / "focus.parquet", data)],
    }


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_generated_files_give_identical_results(spark_session, generated, kind):
    paths = generated[kind]
    duck = query_set(paths, DUCKDB)
    assert_identical(duck, query_set(paths, SPARK))
    # Not vacuous: the set holds exact 24-decimal money, split months and virtual currency.
    total = duck["aggregate ['service', 'region'] billing"]
    assert any(len(str(r.billed_cost).partition(".")[2]) > 18 for r in total)
    assert duck["pricing ['service', 'region'] billing"]
    assert len(duck["aggregate ['provider', 'month'] charge"]) > len(
        duck["aggregate ['provider', 'month'] billing"]
    )


def test_money_is_exact_on_spark(spark_session, generated):
    """The USD total equals the Decimal sum of the file's billed cells."""
    data = rows()
    with localcontext(prec=60):  # the default 28 digits would round the expected total
        expected = sum(
            (Decimal(r["BilledCost"]) for r in data if r["BillingCurrency"] == "USD"), Decimal(0)
        )
    (usd,) = [r for r in aggregate(generated["csv"], [], engine=SPARK) if r.currency == "USD"]
    assert usd.billed_cost == expected


def test_analyses_identical(spark_session, generated):
    paths = generated["csv"]
    assert_identical(analyses(paths, DUCKDB), analyses(paths, SPARK))


def test_corpus_sample_identical(spark_session):
    root = os.environ.get("LEPTON_CORPUS")
    if not root:
        pytest.skip("LEPTON_CORPUS is not set")
    paths = [Path(root) / "focus" / "focus_1.0_sample_1000.csv"]
    assert_identical(query_set(paths, DUCKDB), query_set(paths, SPARK))
