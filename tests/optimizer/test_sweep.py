"""The budget sweep: its specs, its points against independent solves, its knee, its CLI."""

from __future__ import annotations

import json
import math
import time
from decimal import Decimal
from pathlib import Path

import pytest
from opt_builders import offer, problem, solve, workload
from typer.testing import CliRunner

from lepton_cli.cli.app import app
from lepton_cli.errors import UsageError
from lepton_cli.optimizer import SolveOptions
from lepton_cli.optimizer.efficiency import capacity
from lepton_cli.optimizer.sweep import MAX_POINTS, parse_sweep, sweep
from lepton_cli.plan.model import Objective

ACME = Path(__file__).resolve().parents[2] / "examples" / "acme" / "inventory.yaml"
CATALOG = [
    offer("aws", "fast", 4, 16, "0.10"),
    offer("gcp", "slow", 4, 16, "0.20"),
    offer("gcp", "big", 8, 32, "0.35"),
]
WORKLOADS = [
    workload("a", vcpu=8, memory=8, allowed={"providers": ["aws"]}, max_scale=3),
    workload("b", vcpu=8, memory=8, allowed={"providers": ["gcp"]}, max_scale=6),
]


def test_specs_give_sorted_budgets() -> None:
    assert parse_sweep("100:300:100") == [Decimal(100), Decimal(200), Decimal(300)]
    assert parse_sweep("100:350:100") == [Decimal(100), Decimal(200), Decimal(300)]
    assert parse_sweep("300, 100,200,100") == [Decimal(100), Decimal(200), Decimal(300)]
    assert parse_sweep("7.5") == [Decimal("7.5")]


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("500:100:50", "above MAX"),
        ("100:500:0", "STEP must be above 0"),
        ("100:500:-5", "STEP must be above 0"),
        (f"1:{MAX_POINTS + 1}:1", f"at most {MAX_POINTS}"),
        ("nan:500:50", "not a finite number"),
        ("100,inf", "not a finite number"),
        ("100,abc", "not a number"),
        ("100:200", "three numbers"),
        ("0,100", "above 0"),
    ],
)
def test_bad_specs_name_the_flag(spec: str, says: str) -> None:
    with pytest.raises(UsageError, match=says) as e:
        parse_sweep(spec)
    assert "--sweep" in str(e.value)


def _independent(budget: Decimal) -> float:
    p = problem(WORKLOADS, CATALOG, objective=Objective.EFFICIENCY, budget=str(budget))
    return capacity(solve(p, gap=0).workloads)


def test_each_point_equals_an_independent_solve_at_its_budget() -> None:
    budgets = [Decimal(b) for b in (300, 450, 600, 800, 1000, 1400, 2000)]
    p = problem(WORKLOADS, CATALOG, objective=Objective.EFFICIENCY, budget=str(budgets[-1]))
    options = SolveOptions(gap=0, workers=1)
    frontier = sweep(p, budgets, options, time.monotonic() + 60)
    assert [pt.budget for pt in frontier.points] == budgets
    for pt in frontier.points:
        if pt.status == "over-budget":
            assert _independent(pt.budget) == pytest.approx(pt.performance)  # the cheapest
            continue
        assert pt.planned_cost <= pt.budget
        assert pt.performance == pytest.approx(_independent(pt.budget), rel=1e-9)
    solved = [pt for pt in frontier.points if pt.status != "over-budget"]
    assert [pt.performance for pt in solved] == sorted(pt.performance for pt in solved)


def test_the_knee_is_farthest_from_the_chord() -> None:
    budgets = [Decimal(b) for b in (450, 600, 800, 1000, 1400, 2000)]
    p = problem(WORKLOADS, CATALOG, objective=Objective.EFFICIENCY, budget="2000")
    frontier = sweep(p, budgets, SolveOptions(gap=0, workers=1), time.monotonic() + 60)
    pts = [(float(pt.budget), pt.performance) for pt in frontier.points]
    (x0, y0), (x1, y1) = pts[0], pts[-1]
    # distance to the chord through the end points, in the scaled plane, by hand
    far = [((y - y0) / (y1 - y0) - (x - x0) / (x1 - x0)) / math.sqrt(2) for x, y in pts]
    assert frontier.knee == far.index(max(far))
    assert 0 < frontier.knee < len(pts) - 1


def _cli(*args: str) -> object:
    return CliRunner().invoke(app, [*args], catch_exceptions=False)


@pytest.mark.parametrize(
    "extra",
    [["--sweep", "9000:1000:500"], ["--sweep", "1000:9000:500", "--budget", "5000"],
     ["--sweep", "1:1000000:1"], ["--sweep", "100,nan"]],
)  # fmt: skip
def test_the_cli_refuses_bad_sweeps_with_exit_2(extra: list[str]) -> None:
    result = _cli("optimize", "-s", str(ACME), "--no-history", *extra)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "--sweep" in result.output  # type: ignore[attr-defined]


def test_the_cli_prints_the_frontier_as_json_and_csv(tmp_path: Path) -> None:
    result = _cli("optimize", "-s", str(ACME), "--sweep", "5500,5600,5700,5800", "-f", "json",
                  "--no-history")  # fmt: skip
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    doc = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert (doc["apiVersion"], doc["kind"]) == ("lepton/v1", "Frontier")
    assert [Decimal(p["budget"]) for p in doc["points"]] == [5500, 5600, 5700, 5800]
    for point in doc["points"]:
        assert set(point) >= {"budget", "planned_cost", "performance", "status", "gap"}
        if point["status"] != "over-budget":
            assert Decimal(point["planned_cost"]) <= Decimal(point["budget"])
    out = tmp_path / "frontier.csv"
    written = _cli("optimize", "-s", str(ACME), "--sweep", "5600,5700", "-o", str(out))
    assert written.exit_code == 0  # type: ignore[attr-defined]
    lines = out.read_text().splitlines()
    assert lines[0].startswith("budget,planned cost,performance") and len(lines) == 3
