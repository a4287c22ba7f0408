"""Solution -> Plan: allocations per workload, and the actions that get from today to them.

One action per workload that changes, carrying the whole before -> after of that workload and
its true saving; its steps are the per-resource operations, in a safe order (launch first,
then convert and resize in place, then terminate), from matching today's resources with the
planned allocation: same placement (kept, no step), same type at another pricing
(convert-pricing), another type in the same provider and region (resize), what is left over is
launched (planned) or terminated (today). Approving any subset of actions keeps every workload
within its rules: each action is a whole workload, and the others touch no workload's resources.
Idle resources in no workload are terminated one by one, and what scan flags (stopped instances
still paying, unattached volumes and addresses, old snapshots) is released or deleted, one action
each; protected resources never. Every action id is a digest of what it does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from lepton_cli import __version__
from lepton_cli.analysis.breakdown import fleet_metrics
from lepton_cli.analysis.waste import FindingKind
from lepton_cli.models import Inventory, Offering, Pricing, Resource, ResourceKind
from lepton_cli.models.resource import ResourceState
from lepton_cli.optimizer.milp import one_time_cost
from lepton_cli.optimizer.problem import Candidate, Cleanup, PlacementKey, Site, zones_of
from lepton_cli.optimizer.solve import Solution, WorkloadSolution
from lepton_cli.plan.io import inputs_digest
from lepton_cli.plan.model import (
    Action,
    ActionKind,
    Allocation,
    BudgetSensitivity,
    DemandSpec,
    HeldBack,
    Placement,
    Plan,
    PlanMetadata,
    ResourceRef,
    Risk,
    RuleCost,
    Sensitivity,
    SolverInfo,
    Step,
    StepOp,
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


def _sorted_keys(keys: Iterable[PlacementKey]) -> list[PlacementKey]:
    return sorted(keys, key=lambda k: (k[0], k[1], k[2], k[3].value))


# ---------------------------------------------------------------- allocations


def _in_zones(ws: WorkloadSolution) -> list[tuple[Candidate, str | None, int]]:
    """(candidate, zone, instances): a workload that spreads over zones has its region-wide
    candidates' instances dealt over the region's zones in turn (the zones it runs in today
    first), as the model counts them: n instances in region r use min(n, zones of r) zones."""
    wp = ws.problem
    if wp.min_zones <= 1:
        return [(c, c.zone, n) for c, n in ws.counts.items()]
    today: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in wp.resources:
        if r.zone:
            today[(r.provider, r.region)].add(r.zone)
    turn: dict[tuple[str, str], int] = defaultdict(int)
    out: list[tuple[Candidate, str | None, int]] = []
    for c, n in sorted(ws.counts.items(), key=lambda cn: cn[0].sort_key):
        if c.zone is not None:
            out.append((c, c.zone, n))
            continue
        site = (c.provider, c.region)
        known = today[site]
        zones = sorted(known) + [z for z in zones_of(*site) if z not in known]
        for _ in range(n):
            out.append((c, zones[turn[site] % len(zones)], 1))
            turn[site] += 1
    return out


def allocations(ws: WorkloadSolution) -> list[Allocation]:
    """Planned instances grouped by placement and zone (zones named when it spreads), sorted."""
    counts: dict[tuple[PlacementKey, str | None], int] = defaultdict(int)
    monthly: dict[tuple[PlacementKey, str | None], Decimal] = defaultdict(Decimal)
    for c, zone, n in _in_zones(ws):
        at = (c.key, zone)
        counts[at] += n
        monthly[at] += c.monthly * n
    order = sorted(counts, key=lambda a: (a[0][0], a[0][1], a[0][2], a[0][3].value, a[1] or ""))
    return [
        Allocation(
            provider=k[0],
            region=k[1],
            type=k[2],
            pricing=k[3],
            count=counts[(k, zone)],
            monthly_cost=_money(monthly[(k, zone)]),
            zone=zone,
        )
        for k, zone in order
    ]


def workload_plan(ws: WorkloadSolution) -> WorkloadPlan:
    wp = ws.problem
    return WorkloadPlan(
        name=wp.name,
        demand=DemandSpec(
            vcpu=round(wp.vcpu, 4), memory_gib=round(wp.memory_gib, 4), gpus=wp.gpus or None
        ),
        current_monthly_cost=_money(_sum(r.monthly_cost for r in wp.resources)),
        planned_monthly_cost=_money(ws.cost),
        allocations=allocations(ws),
        min_zones=wp.min_zones if wp.min_zones > 1 else None,
    )


# ---------------------------------------------------------------- actions


def _aim(p: Placement | None) -> list[object] | None:
    # Not the price: a price refresh changes an action's saving, not which action it is.
    if p is None:
        return None
    return [p.provider, p.region, p.type, p.pricing.value if p.pricing else None, p.count]


def action_id(action: Action) -> str:
    """``kind-<10 hex>``: a digest of what the action does — kind, workload, the resources it
    touches and each step's operation, resource and target — never a counter. ``lepton apply``
    recomputes it to refuse a hand-edited action."""
    ids = [r.id for r in action.resources]
    return _digest(action.kind, action.workload, ids, action.to, action.steps)


def _digest(
    kind: ActionKind,
    workload: str | None,
    resources: Iterable[str],
    to: Placement | None,
    steps: Sequence[Step],
) -> str:
    """:func:`action_id` from an action's parts (before the action is made)."""
    done = [[s.op.value, s.resource.id if s.resource else None, _aim(s.to)] for s in steps]
    what = [kind.value, workload, sorted(resources)]
    text = json.dumps([*what, _aim(to), done], sort_keys=True, default=str)
    return f"{kind.value}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"


def _identified(action: Action) -> Action:
    return action.model_copy(update={"id": action_id(action)})


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


def _target(key: PlacementKey, count: int, unit: Decimal) -> Placement:
    return Placement(
        provider=key[0],
        region=key[1],
        type=key[2],
        pricing=key[3],
        count=count,
        monthly_cost=_money(unit * count),
    )


def summary_placement(counts: Mapping[PlacementKey, int], cost: Decimal) -> Placement:
    """A workload's whole fleet as one placement: the fields all its instances share."""
    keys = list(counts)

    def shared(i: int) -> object | None:
        values = {k[i] for k in keys}
        return values.pop() if len(values) == 1 else None

    return Placement.model_validate(
        {
            "provider": shared(0),
            "region": shared(1),
            "type": shared(2),
            "pricing": shared(3),
            "count": sum(counts.values()),
            "monthly_cost": _money(cost),
        }
    )


@dataclass
class _Match:
    """Today's resources and the plan's counts still to be paired, per placement."""

    current: dict[PlacementKey, list[Resource]]
    planned: dict[PlacementKey, int]
    unit: dict[PlacementKey, Decimal]
    steps: dict[StepOp, list[Step]] = field(default_factory=lambda: defaultdict(list))


def _match_state(ws: WorkloadSolution) -> _Match:
    current: dict[PlacementKey, list[Resource]] = defaultdict(list)
    for r in sorted(ws.problem.resources, key=lambda r: r.id):
        current[(r.provider, r.region, r.type or "", r.pricing)].append(r)
    planned: dict[PlacementKey, int] = defaultdict(int)
    unit: dict[PlacementKey, Decimal] = {}
    for c, n in ws.counts.items():
        planned[c.key] += n
        unit[c.key] = c.monthly
    for key in list(planned):  # same placement: kept as is, no step
        keep = min(len(current.get(key, [])), planned[key])
        current[key] = current.get(key, [])[keep:]
        planned[key] -= keep
    return _Match(
        {k: v for k, v in current.items() if v}, {k: n for k, n in planned.items() if n}, unit
    )


def _pair(m: _Match, same: int, op: StepOp) -> None:
    """Pair leftover resources with planned instances sharing the first ``same`` key fields
    (3: provider, region, type -> convert-pricing; 2: provider, region -> resize)."""
    for key in _sorted_keys(m.planned):
        for old in _sorted_keys(m.current):
            if old[:same] != key[:same] or not m.planned.get(key) or not m.current.get(old):
                continue
            n = min(len(m.current[old]), m.planned[key])
            moved, m.current[old] = m.current[old][:n], m.current[old][n:]
            m.planned[key] -= n
            for r in moved:
                to = _target(key, 1, m.unit[key])
                m.steps[op].append(Step(op=op, resource=ref(r), to=to))
    m.current = {k: v for k, v in m.current.items() if v}
    m.planned = {k: n for k, n in m.planned.items() if n}


def workload_steps(ws: WorkloadSolution) -> list[Step]:
    """The per-resource operations from today's fleet to the plan, in a safe order."""
    m = _match_state(ws)
    if m.current:  # else nothing is left of today's fleet to pair: every step is a launch
        _pair(m, 3, StepOp.CONVERT_PRICING)
        _pair(m, 2, StepOp.RESIZE)
    launch = [
        Step(op=StepOp.LAUNCH, to=_target(k, n, m.unit[k]))
        for k, n in ((k, m.planned[k]) for k in _sorted_keys(m.planned))
    ]
    terminate = [
        Step(op=StepOp.TERMINATE, resource=ref(r))
        for k in _sorted_keys(m.current)
        for r in m.current[k]
    ]
    return [*launch, *m.steps[StepOp.CONVERT_PRICING], *m.steps[StepOp.RESIZE], *terminate]


def _kind(steps: Sequence[Step], sites: set[Site]) -> ActionKind:
    ops = {s.op for s in steps}
    launched = {(s.to.provider, s.to.region) for s in steps if s.op is StepOp.LAUNCH and s.to}
    if any(site not in sites for site in launched) and sites:
        return ActionKind.MOVE
    if ops == {StepOp.CONVERT_PRICING}:
        return ActionKind.CONVERT_PRICING
    if ops == {StepOp.TERMINATE}:
        return ActionKind.SCALE_DOWN
    if ops == {StepOp.LAUNCH}:
        return ActionKind.SCALE_UP
    return ActionKind.RIGHTSIZE


def _risk(kind: ActionKind, planned: Iterable[PlacementKey]) -> Risk:
    if kind is ActionKind.MOVE or any(k[3] is Pricing.SPOT for k in planned):
        return Risk.HIGH  # a move crosses a region or cloud; spot is reclaimed at short notice
    if kind in (ActionKind.SCALE_UP, ActionKind.CONVERT_PRICING) and not any(
        k[3] is Pricing.RESERVED for k in planned
    ):
        return Risk.LOW
    return Risk.MEDIUM  # in-place type changes restart instances; reserved is a commitment


def _fleet(counts: Mapping[PlacementKey, int]) -> str:
    """``7 x Standard_D4s_v5 on-demand (azure eastus)``, grouped per site."""
    by_site: dict[Site, list[str]] = defaultdict(list)
    for k, n in counts.items():
        by_site[(k[0], k[1])].append(f"{n} x {k[2]} {k[3].value}")
    return "; ".join(f"{', '.join(v)} ({p} {r})" for (p, r), v in by_site.items())


def _counts(items: Iterable[tuple[PlacementKey, int]]) -> dict[PlacementKey, int]:
    out: dict[PlacementKey, int] = defaultdict(int)
    for k, n in items:
        out[k] += n
    return {k: out[k] for k in _sorted_keys(out)}


def workload_action(ws: WorkloadSolution, currency: str) -> Action | None:
    """The one action that takes ``ws`` from today to its plan, or None when it stays."""
    steps = workload_steps(ws)
    if not steps:
        return None
    wp = ws.problem
    before = _counts(((r.provider, r.region, r.type or "", r.pricing), 1) for r in wp.resources)
    after = _counts((c.key, n) for c, n in ws.counts.items())
    today = _sum(r.monthly_cost for r in wp.resources)
    kind = _kind(steps, {(r.provider, r.region) for r in wp.resources})
    saving = _money(today - ws.cost)
    once = one_time_cost(wp, ws.counts)
    touched = {s.resource.id: s.resource for s in steps if s.resource is not None}
    to = summary_placement(after, ws.cost)
    return Action.model_validate(
        {
            "id": _digest(kind, wp.name, touched, to, steps),
            "kind": kind,
            "workload": wp.name,
            "resources": [touched[i] for i in sorted(touched)],
            "from": summary_placement(before, today) if before else None,
            "to": to,
            "monthly_saving": saving,
            "reason": _reason(ws, before, after, once, currency),
            "risk": _risk(kind, after),
            "steps": steps,
            "one_time_cost": _money(once) if once > 0 else None,
            "payback_months": round(float(once / saving), 2) if once > 0 and saving > 0 else None,
        }
    )


def _reason(
    ws: WorkloadSolution,
    before: Mapping[PlacementKey, int],
    after: Mapping[PlacementKey, int],
    once: Decimal,
    currency: str,
) -> str:
    from lepton_cli.models import fmt_money

    wp = ws.problem
    gpus = f" / {wp.gpus} GPU" if wp.gpus else ""
    text = (
        f"{_fleet(before) or 'nothing'} -> {_fleet(after) or 'nothing'}: serves "
        f"{wp.vcpu:.4g} vCPU / {wp.memory_gib:.4g} GiB{gpus} within its rules"
    )
    if once > 0:
        text += f"; one-time {fmt_money(once, currency)} to move (data copied, instances placed)"
    return text


def _single(
    kind: ActionKind,
    resources: Sequence[Resource],
    ops: Sequence[StepOp],
    saving: Decimal,
    reason: str,
) -> Action:
    """An action on resources outside workloads: one step per resource."""
    first = resources[0]
    return _identified(
        Action.model_validate(
            {
                "id": "",
                "kind": kind,
                "resources": [ref(r) for r in resources],
                "from": Placement(
                    provider=first.provider,
                    region=first.region,
                    type=first.type,
                    pricing=first.pricing if first.kind is ResourceKind.COMPUTE else None,
                    count=1,
                    monthly_cost=_money(_sum(r.monthly_cost for r in resources)),
                ),
                "monthly_saving": _money(saving),
                "reason": reason,
                "risk": Risk.LOW,
                "steps": [
                    Step(op=op, resource=ref(r)) for r, op in zip(resources, ops, strict=True)
                ],
            }
        )
    )


def terminate(r: Resource) -> Action:
    u = r.utilization
    p95 = u.cpu_p95 if u and u.cpu_p95 is not None else 0.0
    days = u.days if u and u.days is not None else 0
    reason = f"idle: cpu p95 {p95:.1%} over {days} days, and in no workload"
    return _single(ActionKind.TERMINATE, [r], [StepOp.TERMINATE], r.monthly_cost, reason)


CLEANUP = {
    FindingKind.STOPPED_PAYING: (ActionKind.TERMINATE, StepOp.TERMINATE),
    FindingKind.UNATTACHED_VOLUME: (ActionKind.DELETE_VOLUME, StepOp.DELETE_VOLUME),
    FindingKind.OLD_SNAPSHOT: (ActionKind.DELETE_SNAPSHOT, StepOp.DELETE_SNAPSHOT),
    FindingKind.UNATTACHED_ADDRESS: (ActionKind.RELEASE_ADDRESS, StepOp.RELEASE_ADDRESS),
}


def cleanup_action(c: Cleanup) -> Action:
    """Release or delete what scan flags; a stopped instance goes with the disks it pays for."""
    kind, op = CLEANUP[c.finding.kind]
    ops = [op] + [StepOp.DELETE_VOLUME] * (len(c.resources) - 1)
    return _single(kind, c.resources, ops, c.finding.monthly_saving, c.finding.reason)


def sort_actions(actions: Iterable[Action]) -> list[Action]:
    """Biggest saving first; ids break ties (stable across runs)."""
    return sorted(actions, key=lambda a: (-a.monthly_saving, a.id))


# ---------------------------------------------------------------- summary


def _compute(resources: Iterable[Resource]) -> list[Resource]:
    return [
        r for r in resources if r.kind is ResourceKind.COMPUTE and r.state is ResourceState.RUNNING
    ]


def summary(inventory: Inventory, solution: Solution, actions: Sequence[Action]) -> Summary:
    """Today's bill and the plan's, both over the whole inventory: the plan's is what it keeps
    outside workloads plus the workloads' planned compute, and --budget bounds it. Plus the
    one-time cost of its moves, and the used/idle split and efficiency of DESIGN.md."""
    problem = solution.problem
    current = _sum(r.monthly_cost for r in inventory.resources)
    compute_cost = solution.planned_cost
    planned = problem.fixed + compute_cost
    budget = problem.bill_budget
    over = budget is not None and planned > budget
    compute = _compute(inventory.resources)
    fleet = fleet_metrics(inventory.resources)  # the same figures `lepton report` shows
    touched = {r.id for w in solution.workloads for r in w.problem.resources}
    touched |= {r.id for r in problem.idle}
    kept = sum((r.vcpus or 0) * r.perf for r in compute if r.id not in touched)
    planned_capacity = sum(c.capacity * n for w in solution.workloads for c, n in w.counts.items())
    return Summary(
        current_monthly_cost=_money(current),
        planned_monthly_cost=_money(planned),
        monthly_savings=_money(current - planned),
        within_budget=not over,
        needed_budget=_money(planned) if over else None,
        compute_monthly_cost=_money(compute_cost),
        one_time_cost=_money(_sum(a.one_time_cost or Decimal(0) for a in actions)),
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


LEVERS = ("idle", "clean-up", "rightsizing", "pricing", "moves")


def _catalog_on_demand(offerings: Sequence[Offering]) -> dict[tuple[str, ...], Decimal]:
    """On-demand monthly Linux price of each (provider, region, type) in the catalog: the
    same for every workload, so built once per plan (a fleet of 100,000 workloads over a
    catalog of thousands of offerings would otherwise be billions of look-ups)."""
    out: dict[tuple[str, ...], Decimal] = {}
    for o in offerings:
        if Pricing.ON_DEMAND in o.prices and o.platform == "linux":
            out.setdefault((o.provider, o.region, o.type), o.monthly(Pricing.ON_DEMAND))
    return out


def _on_demand(ws: WorkloadSolution) -> dict[tuple[str, ...], Decimal]:
    """On-demand monthly price of each type among a workload's candidates (its platform's);
    they take precedence over the catalog's Linux prices."""
    return {
        (c.provider, c.region, c.type): c.monthly
        for c in ws.problem.candidates
        if c.pricing is Pricing.ON_DEMAND
    }


def pricing_saving(ws: WorkloadSolution, catalog: Mapping[tuple[str, ...], Decimal]) -> Decimal:
    """What the plan's pricing models (reserved, spot) save on its types at on-demand
    (``catalog``: :func:`_catalog_on_demand`)."""
    priced = [(c, n) for c, n in ws.counts.items() if c.pricing is not Pricing.ON_DEMAND]
    if not priced:
        return _sum(())
    own = _on_demand(ws)

    def od(c: Candidate) -> Decimal:
        key = c.key[:3]
        return own[key] if key in own else catalog.get(key, c.monthly)

    return _sum((od(c) - c.monthly) * n for c, n in priced)


def levers(
    solution: Solution, actions: Sequence[Action], offerings: Sequence[Offering]
) -> dict[str, Decimal]:
    """The plan's monthly savings by lever: idle terminations, clean-up of what scan flags,
    rightsizing (workload changes in place, at on-demand prices), pricing (what reserved and
    spot take off those), moves (workloads that take a new placement)."""
    out = dict.fromkeys(LEVERS, Decimal(0))
    idle = {r.id for r in solution.problem.idle}
    by_name = {w.problem.name: w for w in solution.workloads}
    catalog = _catalog_on_demand(offerings)
    for a in actions:
        if a.workload is None:
            lever = "idle" if a.resources and a.resources[0].id in idle else "clean-up"
            out[lever] += a.monthly_saving
        elif a.kind is ActionKind.MOVE:
            out["moves"] += a.monthly_saving
        else:
            priced = pricing_saving(by_name[a.workload], catalog)
            out["pricing"] += priced
            out["rightsizing"] += a.monthly_saving - priced
    return {k: _money(v) for k, v in out.items()}


def plan_actions(solution: Solution) -> list[Action]:
    """Every action of the plan, sorted: workload changes, idle terminations, clean-up."""
    problem = solution.problem
    actions = [
        a for w in solution.workloads if (a := workload_action(w, problem.currency)) is not None
    ]
    actions += [terminate(r) for r in problem.idle]
    actions += [cleanup_action(c) for c in problem.cleanup]
    return sort_actions(actions)


def build_plan(
    inventory: Inventory,
    offerings: Sequence[Offering],
    solution: Solution,
    catalog_date: str,
    options: Mapping[str, object],
    digest: str | None = None,
) -> Plan:
    """The Plan document for ``solution`` (``options`` are the solve options, for the digest;
    ``digest``: :func:`~lepton_cli.plan.io.inputs_digest` of the same inputs, if known)."""
    problem = solution.problem
    actions = plan_actions(solution)
    max_changes = options.get("max_changes")
    return Plan(
        metadata=PlanMetadata(
            created=created_at(),
            lepton_version=__version__,
            inputs_digest=digest or inputs_digest(inventory, offerings, options),
            catalog_date=catalog_date,
            objective=problem.objective,
            budget=problem.bill_budget,
            currency=problem.currency,
            max_changes=max_changes if isinstance(max_changes, int) else None,
            no_perf=True if options.get("perf") is False else None,
            assumptions=sorted(set(problem.assumptions)),
        ),
        solver=solver_info(solution),
        summary=summary(inventory, solution, actions).model_copy(
            update={"savings_by_lever": levers(solution, actions, offerings)}
        ),
        workloads=[
            workload_plan(w) for w in sorted(solution.workloads, key=lambda w: w.problem.name)
        ],
        actions=actions,
        held_back=[
            HeldBack(
                workload=h.name,
                monthly_saving=h.monthly_saving,
                one_time_cost=_money(h.one_time_cost),
                reason=h.reason,
            )
            for h in solution.held_back
        ],
        sensitivity=sensitivity(solution),
    )


def sensitivity(solution: Solution) -> Sensitivity | None:
    """The budget's shadow price (efficiency) or what each binding rule costs (cost plans
    whose rules were priced); None when neither was computed."""
    price = solution.shadow_price
    if price is not None:
        budget = BudgetSensitivity(
            shadow_price=_round(price.value, 9) or 0.0,
            multiplier_low=_round(price.low, 9) or 0.0,
            multiplier_high=_round(price.high, 9) or 0.0,
            valid_from=_money(price.valid_from),
            valid_to=None if price.valid_to is None else _money(price.valid_to),
        )
        return Sensitivity(budget=budget)
    if solution.rule_costs is None:
        return None
    costs = [
        RuleCost(workload=c.workload, rule=c.rule, value=c.value, monthly_cost=c.monthly_cost)
        for c in solution.rule_costs
    ]
    return Sensitivity(rule_costs=costs, not_computed=solution.rules_not_computed)
