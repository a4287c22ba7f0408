"""The billing queries compiled to BigQuery, Athena and Trino SQL, reviewed as diffs of the
golden files in tests/golden/sql/ (rewrite them with ``pytest --update-golden``)."""

from __future__ import annotations

import re

import pytest

from lepton_cli.billing import sql
from lepton_cli.billing.engines import EngineName
from lepton_cli.models import Period

ENGINES = (EngineName.BIGQUERY, EngineName.ATHENA, EngineName.TRINO)
MONTH = Period.month("2026-10")


def stable(text: str) -> str:
    """Ibis names some aliases with random suffixes (BigQuery's UNNEST): number them instead."""
    names: dict[str, str] = {}
    return re.sub(
        r"(ibis_[a-z_]+?_)([a-z0-9]{26})",
        lambda m: m.group(1) + names.setdefault(m.group(2), str(len(names))),
        text,
    )


def compiled(engine: EngineName) -> dict[str, str]:
    charges = sql.charges(sql.raw_table("my-project.billing.focus"), engine)
    queries = sql.query_set(charges, MONTH).items()
    return {name: stable(sql.to_sql(q, engine)) for name, q in queries}


@pytest.mark.parametrize("engine", ENGINES, ids=lambda e: e.value)
def test_compiled_sql_matches_golden(golden, engine):
    for name, text in compiled(engine).items():
        golden(f"sql/{engine.value}/{name}.sql", text.rstrip() + "\n")


def test_bigquery_sql_reads_the_table_and_checks_rows():
    text = compiled(EngineName.BIGQUERY)["report_service_region"]
    assert "`my-project`.`billing`.`focus`" in text
    assert "ERROR('lepton: ChargePeriodStart is empty')" in text
    split = compiled(EngineName.BIGQUERY)["report_month_charge_basis"]
    assert "AS BIGNUMERIC)" in split  # money stays decimal: BIGNUMERIC holds DECIMAL(38, 24)
    assert "FLOAT64" in split  # the pro-rata share by seconds, as on DuckDB and Spark


def test_trino_sql_fails_bad_rows_with_the_same_marker():
    text = compiled(EngineName.TRINO)["scan_resources"]
    assert "FAIL('lepton: ChargePeriodEnd is before ChargePeriodStart')" in text
    assert '"my-project"."billing"."focus"' in text
