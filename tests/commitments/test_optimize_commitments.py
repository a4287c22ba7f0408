"""`lepton optimize` with commitments: pooled purchases on the planned fleet (one plan), and
owned capacity treated as sunk. Real solver, real files, figures worked out by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from helpers import vm, write_inventory
from lepton_cli.cli.app import app

ONLY_AWS = [
    {
        "provider": "aws",
        "region": "us-east-1",
        "type": "m6i.xlarge",
        "vcpus": 4,
        "memory_gib": 16,
        "family": "general",
        "prices": {"on-demand": 0.192, "reserved": 0.121},
    },
    {
        "provider": "aws",
        "region": "us-east-1",
        "type": "m6i.large",
        "vcpus": 2,
        "memory_gib": 8,
        "family": "general",
        "prices": {"on-demand": 0.096, "reserved": 0.0605},
    },
]


def optimize(inv: Path, *extra: str) -> dict[str, Any]:
    r = CliRunner().invoke(app, ["optimize", "-s", str(inv), "-f", "yaml", "--no-history", *extra])
    assert r.exit_code == 0, r.stderr
    return yaml.safe_load(r.stdout)


def fleet(tmp_path: Path, **workload: Any) -> Path:
    resources = [
        vm(
            f"i-{n}",
            type="m6i.xlarge",
            hourly_cost=0.192,
            vcpus=4,
            memory_gib=16,
            utilization={"cpu_p95": 0.6, "memory_p95": 0.5, "days": 14},
            tags={"workload": "api"},
        )
        for n in range(3)
    ]
    return write_inventory(
        tmp_path / "inv.yaml",
        resources,
        workloads=[{"name": "api", "min_replicas": 3, **workload}],
        offerings_mode="replace",
        offerings=ONLY_AWS,
    )


def test_commitments_plan_sizes_pooled_purchases_on_the_planned_fleet(tmp_path: Path) -> None:
    plan = optimize(fleet(tmp_path), "--commitments", "plan")
    allocations = [a for w in plan["workloads"] for a in w["allocations"]]
    assert allocations and all(a["pricing"] == "on-demand" for a in allocations)
    section = plan["commitments"]
    planned_hourly = sum(Decimal(str(a["monthly_cost"])) for a in allocations) / 730
    # a flat fleet: the optimum covers all of it, with the deepest 12-month product offered
    # (the catalog's RI: 1 - 0.121 / 0.192 = 36.98% beats the 34% EC2 Instance SP default)
    [rec] = section["recommendations"]
    # counted in the group's smallest size: size flexibility lets it cover the xlarges too
    assert (rec["product"], rec["unit_type"]) == ("aws.reserved-instance", "m6i.large")
    assert rec["count"] * Decimal("0.096") == planned_hourly
    assert rec["normalized_units"] == rec["count"] * 4
    d = 1 - Decimal("0.121") / Decimal("0.192")
    saving = planned_hourly * d * 730
    assert abs(Decimal(str(section["monthly_savings"])) - saving) < Decimal("0.01")
    assert rec["expected_utilization"] == 1.0


def test_per_instance_workloads_keep_reserved_candidates(tmp_path: Path) -> None:
    plan = optimize(fleet(tmp_path, commitments="per-instance"), "--commitments", "plan")
    allocations = [a for w in plan["workloads"] for a in w["allocations"]]
    assert {a["pricing"] for a in allocations} == {"reserved"}  # cheaper than on demand
    assert plan["commitments"]["recommendations"] == []  # nothing left on demand to pool


def test_without_the_flag_the_plan_has_no_commitments_section(tmp_path: Path) -> None:
    plan = optimize(fleet(tmp_path))
    assert "commitments" not in plan


def owned(tmp_path: Path) -> Path:
    """4 x m6i.xlarge on 1-year RIs (billed 0.121/h each whatever happens) and a cheaper
    Azure size the workload may move to."""
    covered = [
        vm(
            f"i-ri{n}",
            type="m6i.xlarge",
            pricing="reserved",
            hourly_cost=0.121,
            vcpus=4,
            memory_gib=16,
            utilization={"cpu_p95": 0.9, "memory_p95": 0.8, "days": 14},
            tags={"workload": "batch"},
        )
        for n in range(4)
    ]
    idle = vm(
        "i-idle",
        type="m6i.xlarge",
        pricing="reserved",
        hourly_cost=0.121,
        vcpus=4,
        memory_gib=16,
        utilization={"cpu_avg": 0.01, "cpu_p95": 0.01, "memory_p95": 0.1, "days": 14},
    )
    azure = {
        "provider": "azure",
        "region": "eastus",
        "type": "Standard_D4as_v5",
        "vcpus": 4,
        "memory_gib": 16,
        "family": "general",
        "prices": {"on-demand": 0.10},
    }
    return write_inventory(
        tmp_path / "owned.yaml",
        [*covered, idle],
        workloads=[
            {
                "name": "batch",
                "min_replicas": 4,
                "allowed": {"providers": ["aws", "azure"], "regions": ["us-east-1", "eastus"]},
            }
        ],
        offerings_mode="replace",
        offerings=[*ONLY_AWS, azure],
    )


def test_owned_capacity_is_sunk_not_moved(tmp_path: Path) -> None:
    plan = optimize(owned(tmp_path))
    # Azure at 0.10/h looks cheaper than the RI rate 0.121/h, but the RI is paid either way:
    # moving would add 4 x 0.10 x 730 = 292/month while saving nothing
    moves = [a for a in plan["actions"] if a["kind"] == "move" and a.get("workload") == "batch"]
    assert moves == []
    [batch] = [w for w in plan["workloads"] if w["name"] == "batch"]
    assert {(a["provider"], a["type"]) for a in batch["allocations"]} == {("aws", "m6i.xlarge")}


def test_stopping_covered_capacity_reports_unused_commitment_not_savings(tmp_path: Path) -> None:
    plan = optimize(owned(tmp_path))
    [term] = [a for a in plan["actions"] if a["kind"] == "terminate"]
    # the idle instance's RI fee (0.121 x 730 = 88.33) stays paid: the action saves nothing
    assert Decimal(str(term["monthly_saving"])) == 0
    assert "88.33/month of owned commitment stays paid" in term["reason"]
    summary = plan["summary"]
    assert Decimal(str(summary["planned_monthly_cost"])) >= Decimal("0.121") * 730 * 5 - Decimal(
        "0.01"
    )


def test_commitments_plan_from_a_saved_plan(tmp_path: Path) -> None:
    """`lepton commitments plan --from-plan` sizes on the same fleet as `optimize --commitments`."""
    inv = fleet(tmp_path)
    plan_file = tmp_path / "plan.yaml"
    r = CliRunner().invoke(
        app,
        ["optimize", "-s", str(inv), "--no-history", "--commitments", "plan", "-o", str(plan_file)],
    )
    assert r.exit_code == 0, r.stderr
    r = CliRunner().invoke(
        app, ["commitments", "plan", "--from-plan", str(plan_file), "-f", "yaml"]
    )
    assert r.exit_code == 0, r.stderr
    doc = yaml.safe_load(r.stdout)
    pooled = optimize(inv, "--commitments", "plan")["commitments"]
    assert doc["recommendations"] == pooled["recommendations"]
    assert doc["source"] == "plan plan.yaml"


def test_the_markdown_plan_shows_the_purchases(tmp_path: Path) -> None:
    inv = fleet(tmp_path)
    args = ["optimize", "-s", str(inv), "--no-history", "--commitments", "plan", "-f", "markdown"]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.stderr
    assert "**Recommended purchases**" in r.stdout and "aws.reserved-instance" in r.stdout
    plain = CliRunner().invoke(app, [*args[:-4], "-f", "markdown"])
    assert plain.exit_code == 0 and "**Actions**" in plain.stdout
    assert "Recommended purchases" not in plain.stdout
