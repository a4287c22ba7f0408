"""`lepton history` shows each kind of run's figures under their own names: a scan's waste and
an optimize run's idle cost are different measures, never one column."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from helpers import run, write_inventory
from lepton_cli.config import Settings
from lepton_cli.history import History, entries, history_path

HOURS = Decimal(730)
CENT = Decimal("0.01")
RESOURCES: list[dict[str, Any]] = [
    {
        "id": "i-idle",
        "provider": "aws",
        "account": "111",
        "region": "us-east-1",
        "kind": "compute",
        "type": "m5.large",
        "hourly_cost": "0.096",
        "vcpus": 2,
        "memory_gib": 8,
        "utilization": {"cpu_avg": 0.01, "cpu_p95": 0.02, "memory_p95": 0.1, "days": 14},
    },
    {
        "id": "i-busy",
        "provider": "aws",
        "account": "111",
        "region": "us-east-1",
        "kind": "compute",
        "type": "m5.xlarge",
        "hourly_cost": "0.192",
        "vcpus": 4,
        "memory_gib": 16,
        "utilization": {"cpu_avg": 0.3, "cpu_p95": 0.5, "memory_p95": 0.5, "days": 14},
        "tags": {"workload": "api"},
    },
    {
        "id": "vol-1",
        "provider": "aws",
        "account": "111",
        "region": "us-east-1",
        "kind": "storage",
        "type": "gp3",
        "hourly_cost": "0.011",
        "state": "unattached",
    },
]


def _monthly(r: dict[str, Any]) -> Decimal:
    return Decimal(r["hourly_cost"]) * HOURS


def _idle(r: dict[str, Any]) -> Decimal:
    """DESIGN.md: idle cost c * (1 - u), u = cpu_p95 of running compute, 0 when unattached."""
    if r.get("state") == "unattached":
        return _monthly(r)
    return _monthly(r) * (1 - Decimal(str(r["utilization"]["cpu_p95"])))


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LEPTON_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_scan_waste_and_optimize_idle_cost_have_their_own_columns(
    cli, tmp_path: Path, data_dir: Path
) -> None:
    inv = write_inventory(tmp_path / "inv.yaml", RESOURCES)
    assert run("scan", "-s", inv).exit_code == 0
    optimized = run("optimize", "-s", inv, "-f", "json")
    assert optimized.exit_code == 0, optimized.output
    result = run("history", "-f", "json")
    assert result.exit_code == 0, result.output
    doc = History.model_validate(json.loads(result.stdout))
    scan, optimize = doc.runs
    waste = _monthly(RESOURCES[0]) + _monthly(RESOURCES[2])  # the idle VM, the loose volume
    idle = sum((_idle(r) for r in RESOURCES), Decimal(0))
    total = sum((_monthly(r) for r in RESOURCES), Decimal(0))
    assert (scan.kind, scan.cost, scan.waste) == ("scan", total.quantize(CENT), waste)
    assert scan.idle_cost is None and scan.savings is None
    assert (optimize.kind, optimize.cost) == ("optimize", total.quantize(CENT))
    assert optimize.idle_cost == idle.quantize(CENT) and optimize.waste is None
    plan = json.loads(optimized.stdout)
    assert optimize.savings == Decimal(plan["summary"]["monthly_savings"]).quantize(CENT)
    table = run("history").stdout
    header = next(line for line in table.splitlines() if line.strip().startswith("recorded"))
    assert header.split()[-6:] == ["cost", "waste", "idle", "cost", "savings", "found"]
    assert "idle cost" in table and f"{idle.quantize(CENT):,}" in table


OLD_SCHEMA = """
CREATE TABLE runs (
    recorded_at TIMESTAMP NOT NULL, kind VARCHAR NOT NULL, currency VARCHAR,
    cost DECIMAL(18, 2), waste DECIMAL(18, 2), savings DECIMAL(18, 2), summary VARCHAR NOT NULL
)
"""


def _old_history(path: Path) -> None:
    """A file written before idle_cost had its column: an optimize run's idle cost is in waste."""
    path.parent.mkdir(parents=True)
    with duckdb.connect(str(path)) as con:
        con.execute(OLD_SCHEMA)
        rows = [
            (dt.datetime(2026, 10, 1), "scan", "USD", "1000", "81.47", None, "{}"),
            (dt.datetime(2026, 10, 2), "optimize", "USD", "1000", "536.64", "120.00", "{}"),
        ]
        con.executemany("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def _figures(settings: Settings) -> list[tuple[Any, ...]]:
    return [(e.kind, e.waste, e.idle_cost, e.savings) for e in entries(settings)]


def test_an_older_history_reads_and_migrates(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    _old_history(history_path(settings))
    want = [
        ("scan", Decimal("81.47"), None, None),
        ("optimize", None, Decimal("536.64"), Decimal("120.00")),
    ]
    assert _figures(settings) == want  # read-only: read as it will be migrated
    from lepton_cli.history import record

    notes: list[str] = []
    record("scan", {"monthly_cost": "5", "monthly_waste": "1"}, settings, notes=notes)
    assert notes and "idle_cost" in notes[0]
    assert _figures(settings) == [*want, ("scan", Decimal("1.00"), None, None)]
    with duckdb.connect(str(history_path(settings))) as con:
        stored = con.execute("SELECT waste, idle_cost FROM runs WHERE kind = 'optimize'").fetchall()
    assert stored == [(None, Decimal("536.64"))]


def test_a_summary_that_is_not_its_kinds_is_a_warning(tmp_path: Path) -> None:
    from lepton_cli.history import OptimizeSummary, try_record

    settings = Settings(data_dir=tmp_path / "data")
    warning = try_record("optimize", {"monthly_waste": "3", "currency": "USD"}, settings)
    assert warning and "optimize summary does not fit" in warning
    assert entries(settings) == []
    full = OptimizeSummary(
        current_monthly_cost=Decimal("10"),
        planned_monthly_cost=Decimal("7"),
        monthly_savings=Decimal("3"),
        current_idle_cost=Decimal("4.5"),
        currency="EUR",
        actions=2,
    )
    assert try_record("optimize", full, settings) is None
    [entry] = entries(settings)
    assert (entry.currency, entry.cost, entry.idle_cost, entry.savings, entry.waste) == (
        "EUR",
        Decimal("10.00"),
        Decimal("4.50"),
        Decimal("3.00"),
        None,
    )
    assert entry.summary["actions"] == 2
