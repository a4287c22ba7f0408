"""Every output document is its model's serialisation: the CLI's JSON validates against the
model of its kind, and its figures match sums computed here from the input files."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import Decimal
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers import run, write_inventory
from lepton_cli.analysis.anomaly_list import Anomalies
from lepton_cli.analysis.budget_status import BudgetStatus
from lepton_cli.analysis.report import CostReport
from lepton_cli.analysis.scan import ScanReport
from lepton_cli.commitments.document import CommitmentPlan
from lepton_cli.commitments.status_document import CommitmentStatusList
from lepton_cli.pricing.listing import OfferingList
from lepton_cli.providers.listing import ProviderList

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "examples" / "acme"
FOCUS = ACME / "focus-2026-10.csv"
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
        "pricing": "on-demand",
        "hourly_cost": "0.096",
        "vcpus": 2,
        "memory_gib": 8,
        "utilization": {"cpu_avg": 0.01, "cpu_p95": 0.02, "memory_p95": 0.1, "days": 14},
        "tags": {"team": "web"},
    },
    {
        "id": "i-busy",
        "provider": "aws",
        "account": "111",
        "region": "us-east-1",
        "kind": "compute",
        "type": "m5.xlarge",
        "pricing": "on-demand",
        "hourly_cost": "0.192",
        "vcpus": 4,
        "memory_gib": 16,
        "utilization": {"cpu_avg": 0.3, "cpu_p95": 0.5, "memory_p95": 0.5, "days": 14},
        "tags": {"team": "payments", "workload": "api"},
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
        "tags": {"team": "web"},
    },
]


def _monthly(r: dict[str, Any]) -> Decimal:
    return Decimal(r["hourly_cost"]) * HOURS


def _used(r: dict[str, Any]) -> Decimal:
    """DESIGN.md: u = cpu_p95 for running compute, 0 for anything unattached."""
    if r.get("state") == "unattached":
        return Decimal(0)
    return _monthly(r) * Decimal(str(r["utilization"]["cpu_p95"]))


def _json(*args: str | Path) -> dict[str, Any]:
    result = run(*args, "-f", "json")
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    return write_inventory(tmp_path / "inv.yaml", RESOURCES)


def _focus_rows() -> list[dict[str, str]]:
    with FOCUS.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_scan_document(cli, inventory: Path) -> None:
    raw = _json("scan", "-s", inventory, "--no-history")
    doc = ScanReport.model_validate(raw)
    assert doc.data() == ScanReport.model_validate(doc.data()).data()
    total = sum((_monthly(r) for r in RESOURCES), Decimal(0))
    # waste: the idle instance (cpu_p95 2% < 5% over 14 days) and the unattached volume
    waste = _monthly(RESOURCES[0]) + _monthly(RESOURCES[2])
    assert doc.totals.resources == 3 and doc.totals.findings == 2
    assert doc.totals.monthly_cost == total and doc.totals.monthly_waste == waste
    assert {f.resource: f.monthly_saving for f in doc.findings} == {
        "i-idle": _monthly(RESOURCES[0]),
        "vol-1": _monthly(RESOURCES[2]),
    }
    by_kind = {g.kind: g.monthly_cost for g in doc.summary}
    assert by_kind == {
        "compute": _monthly(RESOURCES[0]) + _monthly(RESOURCES[1]),
        "storage": _monthly(RESOURCES[2]),
    }
    assert "billed_costs" not in raw and "failures" not in raw  # nothing billed, none failed


def test_report_document_from_an_inventory(cli, inventory: Path) -> None:
    raw = _json("report", "-s", inventory, "--by", "tag:team")
    doc = CostReport.model_validate(raw)
    expected: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for r in RESOURCES:
        expected[r["tags"]["team"]][0] += _monthly(r)
        expected[r["tags"]["team"]][1] += _used(r)
    got = {row.keys["tag:team"]: row for row in doc.rows}
    assert set(got) == set(expected)
    for team, (cost, used) in expected.items():
        row = got[team]
        assert row.billed_cost == row.effective_cost == row.list_cost == cost
        assert row.used_cost == used and row.idle_cost == cost - used
    assert doc.total is None  # the fleet total is the table's last row, not a document row
    markdown = run("report", "-s", inventory, "--by", "tag:team", "-f", "markdown").stdout
    [total_line] = [line for line in markdown.splitlines() if "(total)" in line]
    fleet = sum((_monthly(r) for r in RESOURCES), Decimal(0))
    assert f"{fleet.quantize(CENT):,}" in total_line


def test_report_document_from_focus(cli) -> None:
    doc = CostReport.model_validate(_json("report", "-s", FOCUS, "--by", "service"))
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for row in _focus_rows():
        expected[row["ServiceName"]] += Decimal(row["BilledCost"])
    assert doc.basis == "billing"
    assert {r.keys["service"]: r.billed_cost for r in doc.rows} == expected


def test_budget_status_document(cli) -> None:
    config = ROOT / "examples" / "ci" / "lepton.yaml"
    raw = _json("--config", config, "budget", "status", "-s", FOCUS)
    doc = BudgetStatus.model_validate(raw)
    rows = _focus_rows()
    total = sum((Decimal(r["BilledCost"]) for r in rows), Decimal(0))
    aws = sum((Decimal(r["BilledCost"]) for r in rows if r["ProviderName"] == "AWS"), Decimal(0))
    budgets = {b.name: b for b in doc.budgets}
    assert doc.month == "2026-10" and set(budgets) == {"acme-total", "payments", "aws"}
    assert budgets["acme-total"].actual == total.quantize(CENT)
    assert budgets["aws"].actual == aws.quantize(CENT)
    assert budgets["acme-total"].share_actual == pytest.approx(float(total / 9000), abs=1e-4)
    crossed = [t for t in (0.8, 1.0) if float(total / 9000) >= t]
    assert budgets["acme-total"].crossed.actual == crossed


def test_anomalies_document(cli) -> None:
    raw = _json("anomalies", "-s", FOCUS, "--threshold", "2", "--min-delta", "0")
    doc = Anomalies.model_validate(raw)
    assert doc.anomalies, "the Acme month has cost spikes at a z-score of 2"
    daily: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for row in _focus_rows():
        day = row["ChargePeriodStart"][:10]
        daily[(day, row["ServiceName"], row["BillingAccountId"])] += Decimal(row["BilledCost"])
    for a in doc.anomalies:
        key = (a.day.isoformat(), a.group["service"] or "", a.group["account"] or "")
        assert a.actual == daily[key].quantize(CENT)
        assert a.delta == a.actual - a.expected


def test_catalog_document(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LEPTON_DATA_DIR", str(tmp_path / "data"))  # no refreshed prices
    raw = _json("catalog", "list", "-p", "aws", "--region", "us-east-1")
    doc = OfferingList.model_validate(raw)
    bundled = yaml.safe_load(
        (ROOT / "src" / "lepton_cli" / "pricing" / "data" / "catalog.yaml").read_text()
    )
    entries = bundled["providers"]["aws"]["us-east-1"]
    assert doc.as_of == bundled["as_of"] and len(doc.offerings) == len(entries)
    prices = {(o.type, o.platform): o.prices["on-demand"] for o in doc.offerings}
    for e in entries:
        assert prices[(e["type"], e.get("platform", "linux"))] == Decimal(
            str(e["prices"]["on-demand"])
        )


def test_providers_document(cli) -> None:
    doc = ProviderList.model_validate(_json("providers"))
    names = {ep.name for ep in entry_points(group="lepton.providers.v1")}
    assert {p.name for p in doc.providers} == names
    for p in doc.providers:
        assert p.sdk_installed == (not p.missing_modules) == (p.install is None)
    file = next(p for p in doc.providers if p.name == "file")
    assert "inventory" in file.capabilities and file.sdk_installed


def test_commitment_plan_document(cli) -> None:
    raw = _json("commitments", "plan", "-s", FOCUS, "--lookback", "7")
    doc = CommitmentPlan.model_validate(raw)
    assert list(raw)[:2] == ["apiVersion", "kind"]
    assert doc.monthly_savings == doc.baseline_monthly_cost - doc.planned_monthly_cost
    assert doc.upfront == sum((r.upfront for r in doc.recommendations), Decimal(0))


def test_commitment_status_document(cli, corpus: Path) -> None:
    f = corpus / "focus" / "spec-examples" / "commitment_discount_usage_scenario_3.csv"
    raw = _json("commitments", "status", "-s", f, "--as-of", "2023-01-02")
    doc = CommitmentStatusList.model_validate(raw)
    used = unused = Decimal(0)
    with f.open(newline="") as fh:
        for row in csv.DictReader(fh):
            status = row.get("CommitmentDiscountStatus")
            if row.get("ChargeCategory") == "Usage" and status in ("Used", "Unused"):
                cost = Decimal(row["EffectiveCost"])
                used, unused = (used + cost, unused) if status == "Used" else (used, unused + cost)
    [line] = doc.commitments
    assert line.used_cost == used and line.unused_cost == unused
    assert line.utilization == pytest.approx(float(used / (used + unused)))
    assert doc.totals.unused_cost == unused
