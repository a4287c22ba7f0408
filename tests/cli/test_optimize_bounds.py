"""`lepton optimize` says "over budget" (exit 6) only when the bound proves it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from lepton_cli.cli.app import app
from lepton_cli.plan.io import load_plan

# Greedy takes the cheapest price per vCPU (big: $0.03125) and needs one whole big instance for
# 4 vCPU ($0.50 x 730 = $365.00); the optimum is two small ones ($0.08 x 2 x 730 = $116.80).
OFFERINGS = [
    {"provider": "aws", "region": "us-east-1", "type": "big", "vcpus": 16, "memory_gib": 64,
     "prices": {"on-demand": 0.50}},
    {"provider": "aws", "region": "us-east-1", "type": "small", "vcpus": 2, "memory_gib": 8,
     "prices": {"on-demand": 0.08}},
]  # fmt: skip


def inventory(tmp_path: Path) -> Path:
    doc: dict[str, Any] = {
        "apiVersion": "lepton/v1",
        "kind": "Inventory",
        "workloads": [{"name": "api", "demand": {"vcpu": 4, "memory_gib": 8}}],
        "offerings_mode": "replace",
        "offerings": OFFERINGS,
    }
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def invoke(*args: str | Path) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_unproven_over_budget_is_not_exit_6(cli: CliRunner, tmp_path: Path) -> None:
    """Greedy's plan ($365.00) is over --budget 200, but no bound shows the budget is too small:
    the cheapest rate times the demand, 4 x $0.03125 x 730 = $91.25, is all that is proven."""
    out = tmp_path / "plan.yaml"
    args = ("optimize", "-s", inventory(tmp_path), "--budget", "200", "-o", out)
    result = invoke(*args, "--solver", "greedy")
    assert result.exit_code == 10, result.output
    assert "not proven over budget: best plan $365.00, bound $91.25" in result.stderr
    assert "raise --time-limit" in result.stderr
    assert "cheapest feasible plan" not in result.stderr
    assert load_plan(out).summary.needed_budget == 365  # the plan is still written
    assert invoke(*args).exit_code == 0  # the MILP finds $116.80


def test_proven_over_budget_exits_6_with_the_bound(cli: CliRunner, tmp_path: Path) -> None:
    result = invoke("optimize", "-s", inventory(tmp_path), "--budget", "100")
    assert result.exit_code == 6, result.output
    assert "no feasible plan costs less than $116.80/month" in result.stderr
    assert "$16.80 more than --budget $100.00" in result.stderr


def test_greedy_plan_over_a_budget_below_its_bound_exits_6(cli: CliRunner, tmp_path: Path) -> None:
    result = invoke("optimize", "-s", inventory(tmp_path), "--budget", "50", "--solver", "greedy")
    assert result.exit_code == 6, result.output
    assert "no feasible plan costs less than $91.25/month" in result.stderr
    assert "the best plan found: $365.00" in result.stderr


def test_plan_records_bound_and_counts(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "plan.yaml"
    assert invoke("optimize", "-s", inventory(tmp_path), "-o", out).exit_code == 0
    solver = load_plan(out).solver
    assert solver.objective == 116.8 and solver.bound is not None and solver.bound <= 116.8
    assert (solver.proven_optimal, solver.cut_by_limit, solver.on_fallback) == (1, 0, 0)


def test_a_limit_below_what_reading_and_planning_take_is_said(
    cli: CliRunner, tmp_path: Path
) -> None:
    """The reserve for building and writing the plan (0.5 s and a little per workload) is
    more than --time-limit 0.4: the command says so, and what it would take, and still plans
    with a bound."""
    out = tmp_path / "plan.yaml"
    short = invoke("optimize", "-s", inventory(tmp_path), "--time-limit", "0.4", "-o", out)
    assert short.exit_code == 0, short.output
    assert (
        "--time-limit 0.4 s is shorter than reading and planning 1 workload takes" in short.stderr
    )
    assert re.search(r"raise --time-limit above \d+ s to prove more", short.stderr)
    assert load_plan(out).solver.bound is not None
    enough = invoke("optimize", "-s", inventory(tmp_path), "--time-limit", "5", "-o", out)
    assert enough.exit_code == 0 and "shorter than" not in enough.stderr
