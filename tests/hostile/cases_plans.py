"""Saved plans edited by hand or damaged: exit 3 naming the file and key."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from hostile_case import Case, inv_files, inventory, vm
from typer.testing import CliRunner

from lepton_cli.cli.app import app

Mutate = Callable[[dict[str, Any]], None]


def _plan(mutate: Mutate) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        os.chdir(tmp)
        result = CliRunner().invoke(app, ["optimize", "-s", "inv.yaml", "-o", "good.yaml"])
        assert result.exit_code == 0, result.output
        doc = yaml.safe_load((tmp / "good.yaml").read_text())
        mutate(doc)
        (tmp / "p.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))

    return setup


def _summary(**values: Any) -> Mutate:
    return lambda d: d["summary"].update(values)


def _action(**values: Any) -> Mutate:
    return lambda d: d["actions"][0].update(values)


def _case(name: str, mutate: Mutate, words: tuple[str, ...], cmd: str = "show") -> Case:
    args = ("plan", cmd, "p.yaml") if cmd == "show" else ("plan", "diff", "good.yaml", "p.yaml")
    return Case(f"plan-{cmd}-{name}", args, 3, ("p.yaml", *words), inv_files(), setup=_plan(mutate))


IDLE = inventory([vm("i-1"), vm("i-idle", utilization={"cpu_p95": 0.01, "days": 30}, tags={})])

CASES: list[Case] = [
    _case("savings-nan", _summary(monthly_savings=float("nan")), ("monthly_savings",)),
    _case("cost-inf", _summary(current_monthly_cost=float("inf")), ("current_monthly_cost",)),
    _case("cost-text", _summary(planned_monthly_cost="lots"), ("planned_monthly_cost",)),
    _case("no-summary", lambda d: d.pop("summary"), ("summary",)),
    _case(
        "bad-created", lambda d: d["metadata"].update(created="2026-13-45T00:00:00"), ("created",)
    ),
    _case("wrong-kind", lambda d: d.update(kind="Inventory"), ("kind",)),
    _case("wrong-version", lambda d: d.update(apiVersion="lepton/v9"), ("apiVersion",)),
    _case("extra-key", lambda d: d.update(extra=1), ("extra",)),
    _case("diff-savings-nan", _summary(monthly_savings=float("nan")), ("monthly_savings",), "diff"),
    Case(
        "plan-show-action-unknown",
        ("plan", "show", "p.yaml", "--action", "nope"),
        2,
        ("nope",),
        {"inv.yaml": IDLE},
        setup=_plan(lambda d: None),
    ),
    Case(
        "plan-show-action-saving-nan",
        ("plan", "show", "p.yaml"),
        3,
        ("monthly_saving",),
        {"inv.yaml": IDLE},
        setup=_plan(_action(monthly_saving=float("nan"))),
    ),
]
