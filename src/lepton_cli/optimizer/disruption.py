"""Disruption: which workloads a plan changes (DESIGN.md, ``--max-changes``).

Each workload either keeps what it runs today (when that meets its own rules) or takes its best
plan. Under the cost objective the workloads share no row, so the cheapest plan that changes at
most N workloads takes the N largest savings (amortised one-time costs included): exact, by a
sort. Workloads whose current placement breaks their rules must change; when there are more of
them than N no such plan exists. A change that saves next to nothing (under ``NEAR_TIE`` of the
workload's cost) keeps what runs today whatever N is: a near-tie is not worth a change window.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from decimal import Decimal

from lepton_cli.errors import InfeasibleError
from lepton_cli.models.optimization import Objective, SolverStatus
from lepton_cli.optimizer.checks import today_counts, today_meets_rules
from lepton_cli.optimizer.milp import objective_value, one_time_cost
from lepton_cli.optimizer.problem import HeldBack, PlacementKey
from lepton_cli.optimizer.solve import Solution, WorkloadSolution

NEAR_TIE = Decimal("0.01")  # a change saving under 1% of the workload's monthly cost


def changes(ws: WorkloadSolution) -> bool:
    """Whether the planned allocation differs from what runs today."""
    planned: Counter[PlacementKey] = Counter()
    for c, n in ws.counts.items():
        planned[c.key] += n
    today = Counter(c.key for c in ws.problem.today)
    return +planned != +today


def today_cost(ws: WorkloadSolution) -> Decimal:
    return sum((r.monthly_cost for r in ws.problem.resources), Decimal(0))


def saving(ws: WorkloadSolution) -> Decimal:
    """Monthly cost today less the best plan's objective (moves amortised)."""
    return today_cost(ws) - objective_value(ws.problem, ws.counts)


def _kept(ws: WorkloadSolution, reason: str) -> tuple[WorkloadSolution, HeldBack]:
    monthly = today_cost(ws) - ws.cost
    once = one_time_cost(ws.problem, ws.counts)
    held = HeldBack(ws.problem.name, monthly.quantize(Decimal("0.0001")), once, reason)
    cost = float(today_cost(ws))
    return WorkloadSolution(ws.problem, today_counts(ws.problem), SolverStatus.OPTIMAL, cost), held


def _must_change(forced: list[str], limit: int) -> InfeasibleError:
    names = ", ".join(forced[:5]) + (f" (and {len(forced) - 5} more)" if len(forced) > 5 else "")
    many = len(forced) != 1
    return InfeasibleError(
        f"{len(forced)} workload{'s' if many else ''} break{'' if many else 's'} "
        f"{'their' if many else 'its'} own rules as {'they run' if many else 'it runs'} today "
        f"and must change, more than --max-changes {limit}: {names}",
        hint=f"raise --max-changes to at least {len(forced)}, or relax those workloads' rules",
    )


def limit_changes(solution: Solution, max_changes: int | None) -> Solution:
    """The solution with each workload kept as it runs today unless changing it is required
    or among the ``max_changes`` largest savings (and more than a near-tie)."""
    if solution.problem.objective is not Objective.COST:
        return solution
    forced, optional = [], []
    changed = {ws.problem.name for ws in solution.workloads if changes(ws)}
    for ws in solution.workloads:
        if ws.problem.name not in changed:
            continue
        if not today_meets_rules(ws.problem):
            forced.append(ws.problem.name)
        elif saving(ws) > NEAR_TIE * today_cost(ws):
            optional.append(ws)
    if max_changes is not None and len(forced) > max_changes:
        raise _must_change(sorted(forced), max_changes)
    optional.sort(key=lambda ws: (-saving(ws), ws.problem.name))
    room = len(optional) if max_changes is None else max_changes - len(forced)
    chosen = {ws.problem.name for ws in optional[:room]} | set(forced)
    if chosen == changed:
        return solution  # nothing held back
    return _with_kept(solution, chosen, changed, max_changes)


def _with_kept(
    solution: Solution, chosen: set[str], changed: set[str], max_changes: int | None
) -> Solution:
    workloads, held = [], []
    for ws in solution.workloads:
        if ws.problem.name not in changed or ws.problem.name in chosen:
            workloads.append(ws)
            continue
        gain = saving(ws)
        reason = f"--max-changes {max_changes}"
        if gain <= 0:
            reason = "no saving: what runs today costs no more"
        elif gain <= NEAR_TIE * today_cost(ws):
            reason = "near-tie: keeps what runs today"
        kept, record = _kept(ws, reason)
        workloads.append(kept)
        held.append(record)
    if not held:
        return solution
    objective = float(sum((objective_value(w.problem, w.counts) for w in workloads), Decimal(0)))
    bounds = [w.bound for w in workloads]
    bound = None if any(b is None for b in bounds) else sum(b or 0.0 for b in bounds)
    bound = None if bound is None else min(objective, bound)
    gap = None if bound is None else (objective - bound) / max(abs(objective), 1e-9)
    return dataclasses.replace(
        solution,
        workloads=workloads,
        objective=objective,
        bound=bound,
        gap=gap,
        held_back=sorted(held, key=lambda h: (-h.monthly_saving, h.name)),
    )
