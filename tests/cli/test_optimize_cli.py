"""`lepton optimize` end to end: formats, plan file, exit codes 0 / 2 / 5 / 6, clean stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from lepton_cli.cli.app import app
from lepton_cli.plan.io import load_plan
from lepton_cli.plan.model import Plan

OFFERINGS = [
    {
        "provider": "aws",
        "region": "us-east-1",
        "type": "m.large",
        "vcpus": 2,
        "memory_gib": 8,
        "prices": {"on-demand": 0.10, "spot": 0.04, "reserved": 0.06},
    },
    {
        "provider": "gcp",
        "region": "us-central1",
        "type": "n.std-2",
        "vcpus": 2,
        "memory_gib": 8,
        "prices": {"on-demand": 0.09, "spot": 0.03},
    },
]


def vm(id_: str, workload: str | None, cpu: float = 0.5) -> dict[str, Any]:
    return {
        "id": id_,
        "provider": "aws",
        "account": "1",
        "region": "us-east-1",
        "type": "m.xlarge",
        "hourly_cost": 0.20,
        "vcpus": 4,
        "memory_gib": 16,
        "utilization": {"cpu_p95": cpu, "memory_p95": 0.5, "days": 14},
        "tags": {"workload": workload} if workload else {},
    }


def inventory(tmp_path: Path, workloads: list[dict[str, Any]] | None = None) -> Path:
    doc = {
        "apiVersion": "lepton/v1",
        "kind": "Inventory",
        "resources": [vm("i-1", "checkout-api"), vm("i-2", "checkout-api"), vm("i-3", None, 0.01)],
        "workloads": workloads or [{"name": "checkout-api", "min_replicas": 2}],
        "offerings_mode": "replace",
        "offerings": OFFERINGS,
    }
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def invoke(*args: str | Path) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def _stable(plan: Plan) -> dict[str, Any]:
    """The plan without what differs between two runs (when, and how long the solve took)."""
    return plan.model_dump(exclude={"metadata": {"created"}, "solver": {"seconds"}})


def test_yaml_plan_written_and_printed(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "plan.yaml"
    result = invoke("optimize", "-s", inventory(tmp_path), "-o", out)
    assert result.exit_code == 0, result.output
    plan = load_plan(out)
    assert "Summary" in result.stdout and "Actions" not in result.stdout  # -o: the summary only
    printed = invoke("optimize", "-s", inventory(tmp_path), "-f", "yaml")
    assert _stable(Plan.model_validate(yaml.safe_load(printed.stdout))) == _stable(plan)
    assert plan.summary.within_budget and plan.solver.status == "optimal"
    assert {a.kind.value for a in plan.actions} >= {"terminate", "rightsize"}
    (w,) = plan.workloads
    assert w.name == "checkout-api" and sum(a.count for a in w.allocations) >= 2


def test_json_is_the_plan_document(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"  # -o takes the format from the extension
    result = invoke("optimize", "-s", inventory(tmp_path), "-o", out)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["apiVersion"] == "lepton/v1" and data["kind"] == "Plan"
    printed = invoke("optimize", "-s", inventory(tmp_path), "--format", "json")
    assert _stable(Plan.model_validate(json.loads(printed.stdout))) == _stable(
        Plan.model_validate(data)
    )


def test_table_and_markdown(cli: CliRunner, tmp_path: Path) -> None:
    src = inventory(tmp_path)
    table = invoke("optimize", "-s", src)
    assert table.exit_code == 0 and "Allocations" in table.stdout and "checkout-api" in table.stdout
    md = invoke("optimize", "-s", src, "-f", "markdown")
    assert md.stdout.startswith("<!-- lepton-plan -->")
    assert "**Actions**" in md.stdout and "| id | kind |" in md.stdout


def test_over_budget_exits_6_and_still_writes_the_plan(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "plan.yaml"
    result = invoke(
        "optimize", "-s", inventory(tmp_path), "--budget", "10", "-o", out, "-f", "json"
    )
    assert result.exit_code == 6
    plan = load_plan(out)
    assert not plan.summary.within_budget
    assert plan.summary.needed_budget is not None and plan.summary.needed_budget > 10
    assert plan.summary.planned_monthly_cost == plan.summary.needed_budget  # what --budget bounds
    assert "more than --budget $10.00" in result.stderr and "checkout-api" in result.stderr


def test_infeasible_exits_5_naming_workload_and_rule(cli: CliRunner, tmp_path: Path) -> None:
    rules = [
        {"name": "checkout-api", "spread": {"min_providers": 2}, "allowed": {"providers": ["aws"]}}
    ]
    result = invoke("optimize", "-s", inventory(tmp_path, rules))
    assert result.exit_code == 5
    assert "checkout-api needs 2 providers but allows only aws" in result.stderr


def test_efficiency_needs_a_budget(cli: CliRunner, tmp_path: Path) -> None:
    result = invoke("optimize", "-s", inventory(tmp_path), "--objective", "efficiency")
    assert result.exit_code == 2
    assert "--budget" in result.stderr


def test_efficiency_within_budget(cli: CliRunner, tmp_path: Path) -> None:
    args = ("optimize", "-s", inventory(tmp_path), "--objective", "efficiency", "-f", "json")
    result = invoke(*args, "--budget", "500")
    assert result.exit_code == 0, result.output
    plan = Plan.model_validate(json.loads(result.stdout))
    assert sum(w.planned_monthly_cost for w in plan.workloads) <= 500
    assert plan.metadata.objective == "efficiency" and plan.solver.gap is not None


def test_solver_choices(cli: CliRunner, tmp_path: Path) -> None:
    src = inventory(tmp_path)
    costs = {}
    for solver in ("highs", "cbc", "greedy"):
        result = invoke("optimize", "-s", src, "--solver", solver, "-f", "json")
        assert result.exit_code == 0, result.output
        plan = json.loads(result.stdout)
        assert plan["solver"]["name"] == solver
        costs[solver] = float(plan["summary"]["planned_monthly_cost"])
    assert costs["highs"] == costs["cbc"] <= costs["greedy"]
    assert invoke("optimize", "-s", src, "--solver", "glpk").exit_code == 2


def test_bad_inventory_exits_3(cli: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: lepton/v1\nkind: Inventory\nworkloads: [{name: x, max_spot_share: 2}]\n"
    )
    result = invoke("optimize", "-s", bad)
    assert result.exit_code == 3 and "workloads[0].max_spot_share" in result.stderr


def test_help_has_an_example() -> None:
    result = invoke("optimize", "--help")
    assert result.exit_code == 0 and "Example: lepton optimize" in result.stdout


def test_stdout_is_pure_json_in_a_real_process(tmp_path: Path) -> None:
    # HiGHS prints its banner with C stdio on fd 1: only a real process shows whether it leaks.
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "XDG_CACHE_HOME": str(tmp_path)}
    code = "from lepton_cli.cli.app import main; main()"
    src = inventory(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-c", code, "optimize", "-s", str(src), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["kind"] == "Plan"
    assert "HiGHS" not in proc.stdout


def test_fail_on_savings_gates_and_history_records(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "lepton.yaml").write_text(f"data_dir: {tmp_path / 'data'}\n")
    src = inventory(tmp_path)
    assert invoke("optimize", "-s", src, "--fail-on-savings", "100000").exit_code == 0
    gated = invoke("optimize", "-s", src, "--fail-on-savings", "1", "--no-history")
    assert gated.exit_code == 8 and "more than --fail-on-savings" in gated.stderr
    runs = json.loads(invoke("history", "-f", "json").stdout)["runs"]
    assert [r["kind"] for r in runs] == ["optimize"]  # --no-history left no second entry
    assert float(runs[0]["savings"]) > 0


def test_max_changes_and_no_perf_are_recorded_and_verify_agrees(
    cli: CliRunner, tmp_path: Path
) -> None:
    src = inventory(tmp_path)
    out = tmp_path / "plan.yaml"
    result = invoke("optimize", "-s", src, "--max-changes", "0", "--no-perf", "-o", out)
    assert result.exit_code == 0, result.output
    plan = load_plan(out)
    assert plan.metadata.max_changes == 0 and plan.metadata.no_perf is True
    assert not any(a.workload for a in plan.actions)  # nothing changes; idle still goes
    assert [h.workload for h in plan.held_back] == ["checkout-api"]
    verified = invoke("plan", "verify", out, "-s", src, "--strict")  # the digest is recomputed
    assert verified.exit_code == 0, verified.output


def test_max_changes_from_lepton_yaml(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "lepton.yaml").write_text("max_changes: 0\n")
    result = invoke("optimize", "-s", inventory(tmp_path), "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["held_back"][0]["workload"] == "checkout-api"


def test_max_changes_needs_the_cost_objective(cli: CliRunner, tmp_path: Path) -> None:
    args = ("--objective", "efficiency", "--budget", "500", "--max-changes", "1")
    result = invoke("optimize", "-s", inventory(tmp_path), *args)
    assert result.exit_code == 2 and "--max-changes works with --objective cost" in result.stderr


def test_a_billing_export_without_demand_is_exit_3(cli: CliRunner) -> None:
    acme = Path(__file__).resolve().parents[2] / "examples" / "acme" / "focus-2026-10.csv"
    result = invoke("optimize", "-s", acme)
    assert result.exit_code == 3
    assert "checkout-api" in result.stderr and "demand: {vcpu: N, memory_gib: M}" in result.stderr
