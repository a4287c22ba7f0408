from __future__ import annotations

import json
from decimal import Decimal

from helpers import run, vm, write_inventory


def test_inventory_report_by_tag_with_used_idle_and_efficiency(tmp_path):
    inv = write_inventory(
        tmp_path / "inv.yaml",
        [
            vm(
                "a",
                tags={"team": "pay"},
                hourly_cost=0.1,
                vcpus=4,
                perf=1.5,
                utilization={"cpu_p95": 0.25, "days": 14},
            ),
            vm("b", tags={"team": "pay"}, hourly_cost=0.2, vcpus=2, utilization=None),
            vm(
                "c",
                tags={"team": "web"},
                hourly_cost=0.01,
                vcpus=2,
                utilization={"cpu_p95": 0.5, "days": 14},
            ),
        ],
    )
    result = run("report", "-s", inv, "--by", "tag:team", "-f", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["apiVersion"], doc["kind"], doc["by"]) == ("lepton/v1", "Report", ["tag:team"])
    pay, web = doc["rows"]
    assert pay["tag:team"] == "pay" and web["tag:team"] == "web"  # sorted by cost
    assert Decimal(pay["billed_cost"]) == Decimal("219.0")  # (0.1 + 0.2) * 730
    # C = 73 * 0.25 + 146 * 1.0 (no utilisation counts as fully used)
    assert Decimal(pay["used_cost"]) == Decimal("164.25")
    assert Decimal(pay["idle_cost"]) == Decimal("54.75")
    assert pay["efficiency"] == 4 * 1.5 + 2
    assert set(pay) == {
        "tag:team",
        "currency",
        "billed_cost",
        "effective_cost",
        "list_cost",
        "used_cost",
        "idle_cost",
        "efficiency",
    }


def test_report_markdown_and_csv(tmp_path):
    inv = write_inventory(tmp_path / "inv.yaml", [vm("a"), vm("b", provider="gcp")])
    md = run("report", "-s", inv, "--by", "provider", "-f", "markdown").stdout
    assert "| provider | currency | billed_cost |" in md
    assert "| aws | USD | 70.08 |" in md
    csv_out = run("report", "-s", inv, "--by", "provider", "-f", "csv").stdout.splitlines()
    assert csv_out[0].startswith("provider,currency,billed_cost")
    assert csv_out[1].startswith("aws,USD,70.080,")


def test_report_writes_file_atomically(tmp_path):
    inv = write_inventory(tmp_path / "inv.yaml", [vm("a")])
    out = tmp_path / "r.json"
    assert run("report", "-s", inv, "--by", "region", "-f", "json", "-o", out).exit_code == 0
    assert json.loads(out.read_text())["rows"][0]["region"] == "us-east-1"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".r.json")] == []


def test_mixing_exports_and_inventories_or_a_period_on_an_inventory_is_refused(tmp_path):
    inv = write_inventory(tmp_path / "inv.yaml", [vm("a")])
    focus = tmp_path / "f.csv"
    focus.write_text("BilledCost\n1\n")
    mixed = run("report", "-s", inv, "-s", focus)
    assert mixed.exit_code == 2 and "not both" in mixed.stderr
    period = run("report", "-s", inv, "--period", "2026-10")
    assert period.exit_code == 2 and "--period applies to FOCUS" in period.stderr
