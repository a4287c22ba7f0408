"""Plans written the way `lepton optimize` writes them, for resources the tests create."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from lepton_cli.models import Pricing, ResourceState
from lepton_cli.plan.build import action_id
from lepton_cli.plan.io import save_plan
from lepton_cli.plan.model import (
    Action,
    ActionKind,
    Allocation,
    DemandSpec,
    Placement,
    Plan,
    PlanMetadata,
    ResourceRef,
    SolverInfo,
    SolverStatus,
    Summary,
    WorkloadPlan,
)


def ref(rid: str, provider: str, account: str, region: str, **kw: Any) -> ResourceRef:
    return ResourceRef(id=rid, provider=provider, account=account, region=region, **kw)


def instance(
    rid: str, provider: str, account: str, region: str, type_: str, state: str = "running"
) -> ResourceRef:
    return ref(
        rid,
        provider,
        account,
        region,
        type=type_,
        pricing=Pricing.ON_DEMAND,
        state=ResourceState(state),
    )


def action(
    kind: ActionKind,
    resources: list[ResourceRef],
    to: Placement | None = None,
    workload: str | None = None,
    saving: str = "10",
) -> Action:
    made = Action.model_validate(
        {
            "id": "",
            "kind": kind,
            "workload": workload,
            "resources": resources,
            "to": to,
            "monthly_saving": Decimal(saving),
            "reason": "test",
        }
    )
    return made.model_copy(update={"id": action_id(made)})


def workload(name: str, *allocs: tuple[str, str, str, int]) -> WorkloadPlan:
    return WorkloadPlan(
        name=name,
        demand=DemandSpec(vcpu=1, memory_gib=1),
        allocations=[
            Allocation(
                provider=p,
                region=r,
                type=t,
                pricing=Pricing.ON_DEMAND,
                count=n,
                monthly_cost=Decimal(1),
            )
            for p, r, t, n in allocs
        ],
    )


def plan(actions: list[Action], workloads: list[WorkloadPlan] | None = None) -> Plan:
    return Plan(
        metadata=PlanMetadata(
            created=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
            lepton_version="test",
            inputs_digest="sha256:" + "0" * 64,
            catalog_date="2026-11-01",
        ),
        solver=SolverInfo(name="highs", status=SolverStatus.OPTIMAL),
        summary=Summary(
            current_monthly_cost=Decimal(100),
            planned_monthly_cost=Decimal(50),
            monthly_savings=Decimal(50),
            within_budget=True,
        ),
        workloads=workloads or [],
        actions=actions,
    )


def write(p: Plan, path: Path) -> Path:
    save_plan(p, path)
    return path
