"""Solution -> Plan: allocations per workload, and the actions that get from today to them.

Per workload, today's resources are matched with the planned allocation in a fixed order:
same placement (kept, no action), same type at another pricing (convert-pricing), another type
in the same provider and region (rightsize), another provider or region (move); what is left
over is scale-down (today) or scale-up (planned). Idle resources in no workload are terminated.
Every action id is a digest of what it does, so the same plan always has the same ids.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from lepton_cli import __version__
from lepton_cli.analysis.breakdown import fleet_metrics
from lepton_cli.models import Inventory, Offering, Pricing, Resource, ResourceKind
from lepton_cli.models.resource import ResourceState
from lepton_cli.optimizer.problem import PlacementKey
from lepton_cli.optimizer.solve import Solution, WorkloadSolution
from lepton_cli.plan.io import inputs_digest
from lepton_cli.plan.model import (
    Action,
    ActionKind,
    Allocation,
    DemandSpec,
    Placement,
    Plan,
    PlanMetadata,
    ResourceRef,
    Risk,
    SolverInfo,
    Summary,
    WorkloadPlan,
)

Q = Decimal("0.0001")


def created_at() -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible plans), else now; UTC, whole seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _money(value: Decimal) -> Decimal:
    return value.quantize(Q)


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


# ---------------------------------------------------------------- allocations


def allocations(ws: WorkloadSolution) -> list[Allocation]:
    """Planned instances grouped by placement (zones merged), sorted."""
    counts: dict[PlacementKey, int] = defaultdict(int)
    monthly: dict[PlacementKey, Decimal] = {}
    for c, n in ws.counts.items():
        counts[c.key] += n
        monthly[c.key] = c.monthly
    return [
        Allocation(
            provider=k[0],
            region=k[1],
            type=k[2],
            pricing=k[3],
            count=counts[k],
            monthly_cost=_money(monthly[k] * counts[k]),
        )
        for k in sorted(counts, key=lambda k: (k[0], k[1], k[2], k[3].value))
    ]


def workload_plan(ws: WorkloadSolution) -> WorkloadPlan:
    wp = ws.problem
    return WorkloadPlan(
        name=wp.name,
        demand=DemandSpec(vcpu=round(wp.vcpu, 4), memory_gib=round(wp.memory_gib, 4)),
        current_monthly_cost=_money(_sum(r.monthly_cost for r in wp.resources)),
        planned_monthly_cost=_money(ws.cost),
        allocations=allocations(ws),
    )


# ---------------------------------------------------------------- actions


def action_id(
    kind: ActionKind, workload: str | None, ids: Sequence[str], to: Placement | None
) -> str:
    """``kind-<10 hex>``: a digest of what the action does, never a counter."""
    # Not the price: a price refresh changes an action's saving, not which action it is.
    target = to.model_dump(mode="json", exclude_none=True, exclude={"monthly_cost"}) if to else None
    text = json.dumps([kind.value, workload, sorted(ids), target], sort_keys=True)
    return f"{kind.value}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"


def ref(r: Resource) -> ResourceRef:
    return ResourceRef(
        id=r.id,
        provider=r.provider,
        account=r.account,
        region=r.region,
        type=r.type,
        pricing=r.pricing,
        state=r.state,
    )


def _from(resources: Sequence[Resource]) -> Placement:
    r = resources[0]
    cost = _money(_sum(x.monthly_cost for x in resources))
    return Placement(
        provider=r.provider,
        region=r.region,
        type=r.type,
        pricing=r.pricing,
        count=len(resources),
        monthly_cost=cost,
    )


def _to(key: PlacementKey, count: int, unit: Decimal) -> Placement:
    return Placement(
        provider=key[0],
        region=key[1],
        type=key[2],
        pricing=key[3],
        count=count,
        monthly_cost=_money(unit * count),
    )


def _cost_of(placement: Placement | None) -> Decimal:
    if placement is None or placement.monthly_cost is None:
        return Decimal(0)
    return placement.monthly_cost


def make_action(
    kind: ActionKind,
    workload: str | None,
    resources: Sequence[Resource],
    to: Placement | None,
    reason: str,
    risk: Risk,
) -> Action:
    before = _from(resources) if resources else None
    saving = _cost_of(before) - _cost_of(to)
    ids = [r.id for r in resources]
    return Action.model_validate(
        {
            "id": action_id(kind, workload, ids, to),
            "kind": kind,
            "workload": workload,
            "resources": [ref(r) for r in sorted(resources, key=lambda r: r.id)],
            "from": before,
            "to": to,
            "monthly_saving": _money(saving),
            "reason": reason,
            "risk": risk,
        }
    )


@dataclass
class _Match:
    """Today's resources and the plan's counts still to be paired, per placement."""

    current: dict[PlacementKey, list[Resource]]
    planned: dict[PlacementKey, int]
    unit: dict[PlacementKey, Decimal]


def _match_state(ws: WorkloadSolution) -> _Match:
    current: dict[PlacementKey, list[Resource]] = defaultdict(list)
    for r in sorted(ws.problem.resources, key=lambda r: r.id):
        current[(r.provider, r.region, r.type or "", r.pricing)].append(r)
    planned: dict[PlacementKey, int] = defaultdict(int)
    unit: dict[PlacementKey, Decimal] = {}
    for c, n in ws.counts.items():
        planned[c.key] += n
        unit[c.key] = c.monthly
    for key in list(planned):  # same placement: kept as is, no action
        keep = min(len(current.get(key, [])), planned[key])
        current[key] = current.get(key, [])[keep:]
        planned[key] -= keep
    return _Match(
        {k: v for k, v in current.items() if v}, {k: n for k, n in planned.items() if n}, unit
    )


def _sorted_keys(keys: Iterable[PlacementKey]) -> list[PlacementKey]:
    return sorted(keys, key=lambda k: (k[0], k[1], k[2], k[3].value))


def _pricing_risk(to: Pricing) -> Risk:
    if to is Pricing.SPOT:
        return Risk.HIGH  # can be reclaimed at two minutes' notice
    return Risk.MEDIUM if to is Pricing.RESERVED else Risk.LOW  # reserved: a 1-year commitment


def _convert(name: str, m: _Match) -> list[Action]:
    out = []
    for key in _sorted_keys(m.planned):
        for old in _sorted_keys(m.current):
            if old[:3] != key[:3] or not m.planned.get(key):
                continue
            n = min(len(m.current[old]), m.planned[key])
            moved, m.current[old] = m.current[old][:n], m.current[old][n:]
            m.planned[key] -= n
            reason = f"{n} x {key[2]}: {old[3].value} -> {key[3].value}, same capacity for less"
            out.append(
                make_action(
                    ActionKind.CONVERT_PRICING,
                    name,
                    moved,
                    _to(key, n, m.unit[key]),
                    reason,
                    _pricing_risk(key[3]),
                )
            )
    m.current = {k: v for k, v in m.current.items() if v}
    m.planned = {k: n for k, n in m.planned.items() if n}
    return out


def _replace(name: str, m: _Match, ws: WorkloadSolution) -> list[Action]:
    out = []
    demand = f"{ws.problem.vcpu:g} vCPU / {ws.problem.memory_gib:g} GiB"
    for key in _sorted_keys(m.planned):
        olds = _sorted_keys(m.current)
        same = [k for k in olds if k[:2] == key[:2]]
        if not olds:
            break
        old = (same or olds)[0]
        kind = ActionKind.RIGHTSIZE if same else ActionKind.MOVE
        resources = m.current.pop(old)
        n = m.planned.pop(key)
        reason = (
            f"{len(resources)} x {old[2]} -> {n} x {key[2]} ({key[0]} {key[1]}); "
            f"the workload's plan serves {demand} in all"
        )
        risk = Risk.HIGH if kind is ActionKind.MOVE else Risk.MEDIUM
        out.append(make_action(kind, name, resources, _to(key, n, m.unit[key]), reason, risk))
    return out


def _leftovers(name: str, m: _Match) -> list[Action]:
    out = []
    for key in _sorted_keys(m.planned):
        reason = f"add {m.planned[key]} x {key[2]} to meet demand and continuity rules"
        out.append(
            make_action(
                ActionKind.SCALE_UP,
                name,
                [],
                _to(key, m.planned[key], m.unit[key]),
                reason,
                Risk.LOW,
            )
        )
    for old in _sorted_keys(m.current):
        resources = m.current[old]
        reason = f"remove {len(resources)} x {old[2]}: the rest of the plan serves the demand"
        out.append(make_action(ActionKind.SCALE_DOWN, name, resources, None, reason, Risk.MEDIUM))
    return out


def workload_actions(ws: WorkloadSolution) -> list[Action]:
    m = _match_state(ws)
    name = ws.problem.name
    return [*_convert(name, m), *_replace(name, m, ws), *_leftovers(name, m)]


def terminate(r: Resource) -> Action:
    u = r.utilization
    p95 = u.cpu_p95 if u and u.cpu_p95 is not None else 0.0
    days = u.days if u and u.days is not None else 0
    reason = f"idle: cpu p95 {p95:.1%} over {days} days, and in no workload"
    return make_action(ActionKind.TERMINATE, None, [r], None, reason, Risk.LOW)


def sort_actions(actions: Iterable[Action]) -> list[Action]:
    """Biggest saving first; ids break ties (stable across runs)."""
    return sorted(actions, key=lambda a: (-a.monthly_saving, a.id))


# ---------------------------------------------------------------- summary


def _compute(resources: Iterable[Resource]) -> list[Resource]:
    return [
        r for r in resources if r.kind is ResourceKind.COMPUTE and r.state is ResourceState.RUNNING
    ]


def summary(inventory: Inventory, solution: Solution) -> Summary:
    """Today's cost and the plan's, both over the whole inventory (untouched resources count in
    both), and the used/idle split and efficiency of DESIGN.md."""
    current = _sum(r.monthly_cost for r in inventory.resources)
    replaced = _sum(r.monthly_cost for w in solution.workloads for r in w.problem.resources)
    idle = _sum(r.monthly_cost for r in solution.problem.idle)
    planned = current - replaced - idle + solution.planned_cost
    budget = solution.problem.budget
    over = budget is not None and solution.planned_cost > budget
    compute = _compute(inventory.resources)
    fleet = fleet_metrics(inventory.resources)  # the same figures `lepton report` shows
    touched = {r.id for w in solution.workloads for r in w.problem.resources}
    touched |= {r.id for r in solution.problem.idle}
    kept = sum((r.vcpus or 0) * r.perf for r in compute if r.id not in touched)
    planned_capacity = sum(c.capacity * n for w in solution.workloads for c, n in w.counts.items())
    return Summary(
        current_monthly_cost=_money(current),
        planned_monthly_cost=_money(planned),
        monthly_savings=_money(current - planned),
        within_budget=not over,
        needed_budget=_money(solution.planned_cost) if over else None,
        budgeted_monthly_cost=_money(solution.planned_cost),
        current_used_cost=_money(fleet.used_cost),
        current_idle_cost=_money(fleet.idle_cost),
        current_efficiency=round(fleet.efficiency, 4),
        planned_efficiency=round(kept + planned_capacity, 4),
    )


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def solver_info(solution: Solution) -> SolverInfo:
    # Reproducible plans (SOURCE_DATE_EPOCH set) record no wall-clock time: it differs per run.
    seconds = 0.0 if os.environ.get("SOURCE_DATE_EPOCH") else round(solution.seconds, 3)
    return SolverInfo(
        name=solution.solver,
        status=solution.status,
        objective=_round(solution.objective, 4),
        bound=_round(solution.bound, 4),
        gap=_round(solution.gap, 9),
        seconds=seconds,
        proven_optimal=solution.counts.proven,
        cut_by_limit=solution.counts.limited,
        on_fallback=solution.counts.fallback,
    )


def build_plan(
    inventory: Inventory,
    offerings: Sequence[Offering],
    solution: Solution,
    catalog_date: str,
    options: Mapping[str, object],
) -> Plan:
    """The Plan document for ``solution`` (``options`` are the solve options, for the digest)."""
    problem = solution.problem
    actions = [a for w in solution.workloads for a in workload_actions(w)]
    actions += [terminate(r) for r in problem.idle]
    return Plan(
        metadata=PlanMetadata(
            created=created_at(),
            lepton_version=__version__,
            inputs_digest=inputs_digest(inventory, offerings, options),
            catalog_date=catalog_date,
            objective=problem.objective,
            budget=problem.budget,
            currency=problem.currency,
        ),
        solver=solver_info(solution),
        summary=summary(inventory, solution),
        workloads=[
            workload_plan(w) for w in sorted(solution.workloads, key=lambda w: w.problem.name)
        ],
        actions=sort_actions(actions),
    )
