"""Solution -> Plan: every action kind, stable ids, deterministic order, summary by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from lepton_cli.config import Settings, problem_options
from lepton_cli.models import Inventory
from lepton_cli.optimizer import SolveOptions, optimize_inventory
from lepton_cli.plan.build import build_plan, created_at
from lepton_cli.plan.model import ActionKind, Plan, Risk, SolverStatus
from lepton_cli.pricing.catalog import effective_offerings, load_catalog
from lepton_cli.sources import load_inventory


def vm(
    id_: str,
    type_: str,
    hourly: float,
    vcpus: int,
    memory: int,
    cpu: float,
    workload: str | None,
    provider: str = "aws",
    pricing: str = "on-demand",
    **tags: str,
) -> dict[str, Any]:
    labels = {**tags, **({"workload": workload} if workload else {})}
    return {
        "id": id_,
        "provider": provider,
        "account": "111",
        "region": "r1",
        "type": type_,
        "pricing": pricing,
        "hourly_cost": hourly,
        "vcpus": vcpus,
        "memory_gib": memory,
        "utilization": {"cpu_p95": cpu, "memory_p95": cpu, "days": 14},
        "tags": labels,
    }


OFFERINGS = [
    {
        "provider": "aws",
        "region": "r1",
        "type": "small",
        "vcpus": 2,
        "memory_gib": 8,
        "prices": {"on-demand": 0.10, "reserved": 0.06},
    },
    {
        "provider": "aws",
        "region": "r1",
        "type": "big",
        "vcpus": 8,
        "memory_gib": 32,
        "prices": {"on-demand": 0.40},
    },
    {
        "provider": "gcp",
        "region": "r1",
        "type": "g",
        "vcpus": 2,
        "memory_gib": 8,
        "prices": {"on-demand": 0.08},
    },
]


def inventory_doc() -> dict[str, Any]:
    resources = [
        vm("i-api-1", "big", 0.40, 8, 32, 0.1, "api"),
        vm("i-api-2", "big", 0.40, 8, 32, 0.1, "api"),
        vm("i-db-1", "small", 0.10, 2, 8, 0.4, "db"),
        vm("i-db-2", "small", 0.10, 2, 8, 0.4, "db"),
        vm("i-web-1", "small", 0.10, 2, 8, 0.2, "web"),
        vm("i-batch-1", "small", 0.06, 2, 8, 0.3, "batch", pricing="reserved"),
        vm("i-batch-2", "small", 0.06, 2, 8, 0.3, "batch", pricing="reserved"),
        vm("i-batch-3", "small", 0.06, 2, 8, 0.3, "batch", pricing="reserved"),
        vm("i-idle", "small", 0.10, 2, 8, 0.01, None),
        vm("i-kept", "small", 0.10, 2, 8, 0.01, None, **{"lepton:protect": "true"}),
        {"id": "vol-1", "provider": "aws", "region": "r1", "kind": "storage", "hourly_cost": 0.01},
    ]
    workloads = [
        {"name": "api", "min_replicas": 2, "allowed": {"providers": ["aws"]}},
        {"name": "db", "min_replicas": 2, "allowed": {"providers": ["aws"]}},
        {"name": "web", "min_replicas": 2, "allowed": {"providers": ["gcp"]}},
        {"name": "batch", "allowed": {"providers": ["aws"]}},
        {"name": "new", "demand": {"vcpu": 2, "memory_gib": 4}, "allowed": {"providers": ["gcp"]}},
    ]
    return {
        "apiVersion": "lepton/v1",
        "kind": "Inventory",
        "currency": "USD",
        "resources": resources,
        "workloads": workloads,
        "offerings_mode": "replace",
        "offerings": OFFERINGS,
    }


def write(path: Path, doc: dict[str, Any] | None = None) -> Path:
    path.write_text(yaml.safe_dump(doc or inventory_doc(), sort_keys=False), encoding="utf-8")
    return path


def make_plan(tmp_path: Path, budget: str | None = None) -> tuple[Plan, Inventory]:
    settings = Settings(cache_dir=tmp_path / "cache")
    inventory = load_inventory([write(tmp_path / "inv.yaml")])
    offerings = effective_offerings(load_catalog(settings), inventory)
    amount = Decimal(budget) if budget else None
    solution = optimize_inventory(
        inventory, offerings, problem_options(settings), SolveOptions(workers=1), budget=amount
    )
    return build_plan(inventory, offerings, solution, "2025-06-01", {"budget": amount}), inventory


def by_kind(plan: Plan) -> dict[ActionKind, list[str]]:
    out: dict[ActionKind, list[str]] = {}
    for a in plan.actions:
        out.setdefault(a.kind, []).append(a.workload or "-")
    return out


def test_every_action_kind(tmp_path: Path) -> None:
    plan, _ = make_plan(tmp_path)
    kinds = by_kind(plan)
    assert kinds == {
        ActionKind.RIGHTSIZE: ["api"],
        ActionKind.TERMINATE: ["-"],
        ActionKind.CONVERT_PRICING: ["db"],
        ActionKind.SCALE_DOWN: ["batch"],
        ActionKind.MOVE: ["web"],
        ActionKind.SCALE_UP: ["new"],
    }


def test_actions_carry_resources_and_preconditions(tmp_path: Path) -> None:
    plan, _ = make_plan(tmp_path)
    actions = {a.kind: a for a in plan.actions}
    rightsize = actions[ActionKind.RIGHTSIZE]
    assert [r.id for r in rightsize.resources] == ["i-api-1", "i-api-2"]
    assert rightsize.resources[0].type == "big" and rightsize.resources[0].state == "running"
    assert rightsize.from_ is not None and rightsize.from_.count == 2
    assert rightsize.to is not None and (rightsize.to.type, rightsize.to.count) == ("small", 2)
    # 2 x big on-demand (0.40/h) -> 2 x small reserved (0.06/h): (0.80 - 0.12) * 730
    assert rightsize.monthly_saving == Decimal("496.4000")
    convert = actions[ActionKind.CONVERT_PRICING]
    assert convert.to is not None and convert.to.pricing == "reserved"
    assert convert.risk is Risk.MEDIUM  # a one-year commitment
    assert [r.id for r in actions[ActionKind.TERMINATE].resources] == ["i-idle"]  # not i-kept
    assert [r.id for r in actions[ActionKind.SCALE_DOWN].resources] == ["i-batch-3"]
    assert actions[ActionKind.MOVE].risk is Risk.HIGH
    assert actions[ActionKind.SCALE_UP].resources == []


def test_summary_by_hand(tmp_path: Path) -> None:
    plan, _ = make_plan(tmp_path)
    s = plan.summary
    # every resource: (0.8 + 0.2 + 0.1 + 0.18 + 0.1 + 0.1 + 0.01) per hour * 730
    assert s.current_monthly_cost == Decimal("1087.7000")
    assert s.monthly_savings == s.current_monthly_cost - s.planned_monthly_cost
    assert s.monthly_savings == sum(a.monthly_saving for a in plan.actions)
    assert s.within_budget and s.needed_budget is None
    assert plan.solver.status is SolverStatus.OPTIMAL


def test_ids_are_stable_unique_and_sorted(tmp_path: Path) -> None:
    first, _ = make_plan(tmp_path)
    second, _ = make_plan(tmp_path)
    ids = [a.id for a in first.actions]
    assert ids == [a.id for a in second.actions]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith(f"{a.kind.value}-") for i, a in zip(ids, first.actions, strict=True))
    savings = [a.monthly_saving for a in first.actions]
    assert savings == sorted(savings, reverse=True)


def test_workload_allocations(tmp_path: Path) -> None:
    plan, _ = make_plan(tmp_path)
    web = next(w for w in plan.workloads if w.name == "web")
    assert [(a.provider, a.type, a.count) for a in web.allocations] == [("gcp", "g", 2)]
    assert web.planned_monthly_cost == Decimal("116.8000")  # 2 * 0.08 * 730
    assert [w.name for w in plan.workloads] == sorted(w.name for w in plan.workloads)


def test_over_budget_sets_needed_budget(tmp_path: Path) -> None:
    plan, _ = make_plan(tmp_path, budget="100")
    assert not plan.summary.within_budget
    compute = sum(w.planned_monthly_cost for w in plan.workloads)
    # --budget bounds the bill: what the plan keeps outside workloads counts too
    # (i-kept, protected: 0.10/h; vol-1: 0.01/h).
    kept = Decimal("0.11") * 730
    assert plan.summary.compute_monthly_cost == compute
    assert plan.summary.needed_budget == compute + kept == plan.summary.planned_monthly_cost


def test_budget_bounds_the_bill_not_only_compute(tmp_path: Path) -> None:
    plan, _ = make_plan(tmp_path)
    compute = plan.summary.compute_monthly_cost
    assert compute is not None
    bill = compute + Decimal("0.11") * 730
    just_under = str(bill - Decimal("0.01"))
    over, _ = make_plan(tmp_path, budget=just_under)  # compute alone would fit
    assert not over.summary.within_budget and over.summary.needed_budget == bill
    within, _ = make_plan(tmp_path, budget=str(bill))
    assert within.summary.within_budget


def test_created_from_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert created_at().isoformat() == "2023-11-14T22:13:20+00:00"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert created_at().microsecond == 0
