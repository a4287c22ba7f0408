"""The budget sweep: the efficiency objective solved at many budgets, as a frontier.

Work is shared between the points, which is what makes a sweep cheaper than one solve per
budget:

- the problem is built once, and the cheapest plan (the start, the over-budget test and the
  capacity caps) is solved once: none of it depends on the budget;
- the Lagrangian subproblems are solved once per multiplier and kept (``Multipliers``), their
  columns bounded by the largest budget, so every point can use every multiplier seen before;
- the budgets are solved in increasing order, and each search starts from the bracket the
  multipliers seen so far give its budget (the neighbouring point's, at least): the best
  multiplier falls as the budget rises, so the previous point's high end still fits.

The knee: the point farthest from the chord between the first and the last solved points,
both axes scaled to [0, 1] (budget and performance have different units): where the curve
bends most, after which extra money buys visibly less. None with fewer than three points.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from lepton_cli.errors import UsageError
from lepton_cli.optimizer.efficiency import Multipliers, capacity, cheapest, solve_at
from lepton_cli.optimizer.milp import SolveOptions
from lepton_cli.optimizer.problem import Problem
from lepton_cli.optimizer.result import Solution

MAX_POINTS = 200
OVER_BUDGET = "over-budget"  # a point's status when its budget is below the cheapest plan


@dataclass(frozen=True)
class Point:
    """One budget of the frontier: what the plan costs and the capacity it buys."""

    budget: Decimal  # the whole planned bill, as --budget
    planned_cost: Decimal  # the plan's whole bill
    performance: float  # priority-weighted perf-vCPUs
    status: str  # optimal | feasible | over-budget
    gap: float | None
    shadow_price: float | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class Frontier:
    points: list[Point]
    knee: int | None  # index into points
    currency: str
    seconds: float


def parse_sweep(spec: str) -> list[Decimal]:
    """``MIN:MAX:STEP`` (MAX included when the steps reach it) or ``B1,B2,...``: the budgets,
    sorted and without repeats. UsageError naming ``--sweep`` for anything else."""
    text = spec.strip()
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise _bad(spec, "MIN:MAX:STEP has three numbers")
        low, high, step = (_number(p, spec) for p in parts)
        if low > high:
            raise _bad(spec, f"MIN {low} is above MAX {high}")
        if step <= 0:
            raise _bad(spec, "STEP must be above 0")
        count = int((high - low) / step) + 1
        if count > MAX_POINTS:
            raise _bad(spec, f"{count} points; at most {MAX_POINTS}")
        values = [low + step * i for i in range(count)]
    else:
        values = [_number(p, spec) for p in text.split(",")]
    if any(v <= 0 for v in values):
        raise _bad(spec, "every budget must be above 0")
    budgets = sorted(set(values))
    if len(budgets) > MAX_POINTS:
        raise _bad(spec, f"{len(budgets)} points; at most {MAX_POINTS}")
    return budgets


def _number(text: str, spec: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        raise _bad(spec, f"{text.strip()!r} is not a number") from None
    if not value.is_finite():
        raise _bad(spec, f"{text.strip()!r} is not a finite number")
    return value


def _bad(spec: str, why: str) -> UsageError:
    return UsageError(
        f"--sweep {spec!r}: {why}",
        hint="give --sweep MIN:MAX:STEP (e.g. 4000:12000:1000) or a list (e.g. 4000,6000,9000)",
    )


def sweep(problem: Problem, budgets: Sequence[Decimal], options: SolveOptions,
          deadline: float) -> Frontier:  # fmt: skip
    """Solve the efficiency objective of ``problem`` (built with any budget) at each whole-bill
    budget of ``budgets`` by ``deadline``, sharing the work (module docstring). Each point
    gets an equal share of the time left when it starts."""
    began = time.monotonic()
    ordered = sorted(budgets)
    top = ordered[-1] - problem.fixed
    start = cheapest(dataclasses.replace(problem, budget=top), options, deadline)
    if isinstance(start, Solution):  # the largest budget is below the cheapest plan
        points = [_over(b, start, problem) for b in ordered]
        return Frontier(points, None, problem.currency, time.monotonic() - began)
    capped, base = start
    multipliers = Multipliers(capped, options, column_budget=top)
    points = []
    for i, bill in enumerate(ordered):
        now = time.monotonic()
        share = now + max(deadline - now, 0.0) / (len(ordered) - i)
        points.append(_point(capped, base, bill, options, share, multipliers))
    return Frontier(points, knee(points), problem.currency, time.monotonic() - began)


def _point(
    capped: Problem,
    base: Solution,
    bill: Decimal,
    options: SolveOptions,
    deadline: float,
    multipliers: Multipliers,
) -> Point:
    began = time.monotonic()
    at = dataclasses.replace(capped, budget=bill - capped.fixed)
    if base.planned_cost > bill - capped.fixed:
        return _over(bill, base, capped)
    start = dataclasses.replace(base, problem=at)
    solved = solve_at(at, start, options, began, deadline, multipliers)
    price = solved.shadow_price
    return Point(
        bill,
        solved.planned_cost + capped.fixed,
        capacity(solved.workloads),
        solved.status.value,
        solved.gap,
        price.value if price else None,
        time.monotonic() - began,
    )


def _over(bill: Decimal, base: Solution, problem: Problem) -> Point:
    """A budget below the cheapest plan: that plan, marked over budget."""
    cost = base.planned_cost + problem.fixed
    return Point(bill, cost, capacity(base.workloads), OVER_BUDGET, base.gap)


def knee(points: Sequence[Point]) -> int | None:
    """The index of the solved point farthest from the chord between the first and the last
    solved points, on axes scaled to [0, 1]; None when there are fewer than three or the
    curve is straight."""
    solved = [i for i, p in enumerate(points) if p.status != OVER_BUDGET]
    if len(solved) < 3:
        return None
    xs = [float(points[i].budget) for i in solved]
    ys = [points[i].performance for i in solved]
    x0, y0, dx, dy = xs[0], ys[0], (xs[-1] - xs[0]) or 1.0, (ys[-1] - ys[0]) or 1.0
    scaled = [((x - x0) / dx, (y - y0) / dy) for x, y in zip(xs, ys, strict=True)]
    # The chord runs from (0, 0) to (1, 1): a point's distance is |y - x| / sqrt(2); only
    # points above it (the curve bends towards fewer gains) can be a knee.
    distances = [(y - x) / math.sqrt(2) for x, y in scaled]
    best = max(range(len(solved)), key=lambda k: (distances[k], -k))
    return solved[best] if distances[best] > 1e-9 else None
