"""Live progress of a fleet solve: how many workloads are solved, the incumbent and the bound.

A :class:`Snapshot` is what a caller hears while the optimizer runs. Under the cost objective
the :class:`Tracker` keeps one value and one bound per distinct workload shape and sums them,
each shape counted once per workload that has it:

- incumbent = sum over solved shapes of their allocation's objective (monthly cost plus the
  amortised one-time costs of moves, as the plan's ``solver.objective``), plus, for each shape
  not yet back, its greedy start (``greedy`` within the capacity cap: the allocation the
  workload keeps when the deadline comes first). Every term is a feasible allocation of its
  workload, and the workloads share no constraint under ``cost``, so the sum is the objective
  of a feasible plan: the one lepton would write if it stopped now. It is unknown (None) while
  a shape not yet back has no greedy start.
- bound = sum over solved shapes of the larger of their proven bound (LP relaxation, MILP dual
  bound) and their covering bound, plus the covering bound (``result.covering_bound``: the best
  single covering row at the cheapest rate, no solve needed) of each shape not yet back. Each
  term is a valid lower bound on that workload's optimum, so the sum is one on the fleet's; it
  is capped at the incumbent (still valid: the optimum is at most any feasible plan's value).

The efficiency objective maximises performance within the budget, which couples workloads: its
snapshots carry the best plan and the Lagrangian upper bound after each multiplier round
(``maximize``), and only counts while the cheapest plan is being found.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

DIGITS = Decimal("0.0001")  # the plan's solver.objective and bound carry 4 decimals
INTERVAL = 0.25  # seconds between two reports: a few a second at most


@dataclass(frozen=True)
class Snapshot:
    """Progress at one moment. ``incumbent``: the objective of the best feasible plan known
    (None: not known yet); ``bound``: a proven bound on the optimum (a lower bound when
    minimising, an upper one when ``maximize``); ``solved`` of ``total`` workloads are back."""

    solved: int
    total: int
    incumbent: float | None = None
    bound: float | None = None
    maximize: bool = False

    @property
    def gap(self) -> float | None:
        """The relative gap, as the plan reports it: (incumbent - bound) / |incumbent| when
        minimising, (bound - incumbent) / |bound| when maximising; never below 0."""
        if self.incumbent is None or self.bound is None:
            return None
        if self.maximize:
            return max(0.0, (self.bound - self.incumbent) / max(abs(self.bound), 1e-9))
        return max(0.0, (self.incumbent - self.bound) / max(abs(self.incumbent), 1e-9))

    def as_dict(self) -> dict[str, Any]:
        """A JSON object. The incumbent and bound are rounded to 4 decimals outward (a bound
        down when minimising, up when maximising), so the rounded bound stays a valid one."""
        low, high = (ROUND_CEILING, ROUND_FLOOR) if self.maximize else (ROUND_FLOOR, ROUND_CEILING)
        gap = self.gap
        return {
            "workloads_solved": self.solved,
            "workloads_total": self.total,
            "incumbent": _outward(self.incumbent, high),
            "bound": _outward(self.bound, low),
            "gap": None if gap is None else float(f"{gap:.4g}"),
        }


def _outward(value: float | None, rounding: str) -> float | None:
    if value is None:
        return None
    return float(Decimal(repr(value)).quantize(DIGITS, rounding=rounding))


Progress = Callable[[Snapshot], None]


@dataclass(frozen=True)
class Point:
    """One shape's contribution: the objective of a feasible allocation (None: none known)
    and a valid lower bound on its optimum."""

    value: Decimal | None
    bound: float


class Tracker:
    """Sums the shapes' points as they come back and tells ``report`` at most once every
    ``interval`` seconds (and whenever ``flush`` is called)."""

    def __init__(
        self,
        starts: Sequence[Point],
        copies: Sequence[int],
        report: Progress,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.points = list(starts)
        self.copies = list(copies) or [1] * len(self.points)
        self.back = [False] * len(self.points)
        self.total = sum(self.copies)
        self.solved = 0
        pairs = zip(self.copies, self.points, strict=True)
        self.value = sum((n * p.value for n, p in pairs if p.value is not None), Decimal(0))
        self.unknown = sum(p.value is None for p in self.points)
        self.report, self.interval, self.clock = report, interval, clock
        self.last = -math.inf

    def record(self, i: int, point: Point) -> None:
        """Shape ``i`` is back with ``point``; report if the interval has passed."""
        if self.back[i]:
            return
        old = self.points[i]
        n = Decimal(self.copies[i])
        self.value -= n * old.value if old.value is not None else Decimal(0)
        self.value += n * point.value if point.value is not None else Decimal(0)
        self.unknown += (point.value is None) - (old.value is None)
        self.points[i] = Point(point.value, max(old.bound, point.bound))
        self.back[i] = True
        self.solved += self.copies[i]
        if self.clock() - self.last >= self.interval:
            self.flush()

    def snapshot(self) -> Snapshot:
        incumbent = float(self.value) if self.unknown == 0 else None
        bound = math.fsum(n * p.bound for n, p in zip(self.copies, self.points, strict=True))
        if incumbent is not None:
            bound = min(bound, incumbent)
        return Snapshot(self.solved, self.total, incumbent, bound)

    def flush(self) -> None:
        self.last = self.clock()
        self.report(self.snapshot())


def counts_only(progress: Progress | None, maximize: bool = False) -> Progress | None:
    """``progress`` told only how many workloads are back (for a phase whose objective is not
    the one the caller optimises)."""
    if progress is None:
        return None
    return lambda s: progress(Snapshot(s.solved, s.total, maximize=maximize))
