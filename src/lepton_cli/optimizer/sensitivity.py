"""What each binding rule of a cost plan costs.

For every workload that states a continuity rule (``spread.min_providers`` or
``spread.min_zones`` above 1, ``survive_loss_of_provider`` above 0, ``min_replicas`` above 1),
the workload is re-solved without that one rule, every other rule kept: the rule costs the
plan's objective for that workload (monthly cost plus amortised one-time costs) less the
re-solved one. A rule whose removal saves less than a cent does not bind and is not listed.
Equal re-solved shapes are solved once, in parallel, within the time left; what the deadline
cuts (or what was not proven optimal in the plan itself) is named as not computed, never
guessed. Workloads the plan holds back (``--max-changes``) keep today's placement, so their
rules are not priced.

The budget's shadow price under the efficiency objective is found by the multiplier search
itself (``efficiency.shadow_price``).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from decimal import Decimal

from lepton_cli.models.optimization import Objective
from lepton_cli.optimizer import milp
from lepton_cli.optimizer.milp import SolveOptions
from lepton_cli.optimizer.problem import WorkloadProblem
from lepton_cli.optimizer.result import RuleCost, Solution, Source, WorkloadSolution
from lepton_cli.optimizer.solve import solve_shapes

CENT = Decimal("0.01")

# rule name -> (its value on a workload, or None when the workload does not state it; the
# workload without it)
Rule = tuple[
    Callable[[WorkloadProblem], float | None], Callable[[WorkloadProblem], WorkloadProblem]
]
RULES: dict[str, Rule] = {
    "spread.min_providers": (
        lambda wp: wp.min_providers if wp.min_providers > 1 else None,
        lambda wp: dataclasses.replace(wp, min_providers=1),
    ),
    "spread.min_zones": (
        lambda wp: wp.min_zones if wp.min_zones > 1 else None,
        lambda wp: dataclasses.replace(wp, min_zones=1),
    ),
    "survive_loss_of_provider": (
        lambda wp: wp.survive_fraction if wp.survive_fraction > 0 else None,
        lambda wp: dataclasses.replace(wp, survive_fraction=0.0),
    ),
    "min_replicas": (
        lambda wp: wp.min_replicas if wp.min_replicas > 1 else None,
        lambda wp: dataclasses.replace(wp, min_replicas=1),
    ),
}


def _stated(solution: Solution) -> list[tuple[WorkloadSolution, str, float]]:
    """(workload, rule, value) for every rule stated on a workload the plan changes or could
    change."""
    held = {h.name for h in solution.held_back}
    out = []
    for ws in solution.workloads:
        if ws.problem.name in held:
            continue
        for rule, (value_of, _) in RULES.items():
            value = value_of(ws.problem)
            if value is not None:
                out.append((ws, rule, float(value)))
    return out


def rule_costs(solution: Solution, options: SolveOptions, deadline: float) -> Solution:
    """``solution`` with ``rule_costs`` (binding rules, costliest first) and
    ``rules_not_computed`` ("rule on workload": proven too late or not at all). Cost plans
    only; any other is returned as it is."""
    if solution.problem.objective is not Objective.COST or options.solver == "greedy":
        return solution
    stated = _stated(solution)
    if time.monotonic() >= deadline:  # every rule named, none relaxed (100,000 copies: 2 s)
        missing = sorted(f"{rule} on {ws.problem.name}" for ws, rule, _ in stated)
        return dataclasses.replace(solution, rule_costs=[], rules_not_computed=missing)
    relaxed = [RULES[rule][1](ws.problem) for ws, rule, _ in stated]
    unique = list({wp.shape(): wp for wp in relaxed}.values())
    solved = {}
    if unique:
        with milp.native_output_silenced():
            solved = {s.problem.shape(): s for s in solve_shapes(unique, options, deadline)}
    costs, missing = [], []
    for (ws, rule, value), wp in zip(stated, relaxed, strict=True):
        again = solved.get(wp.shape())
        if again is None or again.source is not Source.PROVEN or ws.source is not Source.PROVEN:
            missing.append(f"{rule} on {ws.problem.name}")
            continue
        saved = milp.objective_value(ws.problem, ws.counts) - milp.objective_value(wp, again.counts)
        if saved >= CENT:
            costs.append(RuleCost(ws.problem.name, rule, value, saved.quantize(CENT)))
    costs.sort(key=lambda c: (-c.monthly_cost, c.workload, c.rule))
    return dataclasses.replace(solution, rule_costs=costs, rules_not_computed=sorted(missing))
