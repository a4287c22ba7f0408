"""Live progress: the snapshot arithmetic, and what a real solve reports as it goes."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from opt_builders import brute_force, offer, problem, workload

from lepton_cli.optimizer import SolveOptions, optimize
from lepton_cli.optimizer.progress import Point, Snapshot, Tracker
from lepton_cli.plan.model import Objective


class Clock:
    """A clock the test moves by hand (throttling is tested without waiting)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _expected(
    starts: list[Point], got: dict[int, Point], copies: list[int]
) -> tuple[float | None, float]:
    """Incumbent and bound summed exactly (fractions), independently of the tracker."""
    values: list[Fraction] = []
    bound = Fraction(0)
    for i, (start, n) in enumerate(zip(starts, copies, strict=True)):
        now = got.get(i, start)
        if now.value is not None:
            values.append(n * Fraction(now.value))
        bound += n * Fraction(max(start.bound, now.bound) if i in got else start.bound)
    incumbent = float(sum(values)) if len(values) == len(starts) else None
    exact = float(bound)
    return incumbent, exact if incumbent is None else min(exact, incumbent)


def test_the_sums_match_an_exact_independent_sum_at_every_step() -> None:
    rng = random.Random(16)
    n = 40
    copies = [rng.randint(1, 5) for _ in range(n)]
    starts = []
    for _ in range(n):
        value = Decimal(rng.randint(1000, 90000)) / 100 if rng.random() > 0.1 else None
        starts.append(Point(value, rng.uniform(0, 9.0) if value is None else float(value) * 0.6))
    seen: list[Snapshot] = []
    tracker = Tracker(starts, copies, seen.append, interval=0.0, clock=Clock())
    got: dict[int, Point] = {}
    for i in rng.sample(range(n), n):
        # A solve ends cheaper than its start and proves a bound at or below its own value.
        start = starts[i].value or Decimal(500)
        value = (start * Decimal(rng.randint(60, 100)) / 100).quantize(Decimal("0.01"))
        got[i] = Point(value, float(value) * rng.uniform(0.5, 1.0))
        tracker.record(i, got[i])
        snapshot = seen[-1]
        incumbent, bound = _expected(starts, got, copies)
        assert snapshot.incumbent == incumbent  # money: exact
        assert snapshot.bound == pytest.approx(bound, rel=1e-13)
        assert incumbent is None or snapshot.bound <= incumbent
        assert snapshot.solved == sum(copies[j] for j in got)
        assert snapshot.total == sum(copies)
    assert seen[-1].incumbent is not None and seen[-1].solved == seen[-1].total


def test_a_shape_recorded_twice_counts_once_and_an_unknown_value_hides_the_incumbent() -> None:
    seen: list[Snapshot] = []
    starts = [Point(Decimal("10.50"), 7.0), Point(None, 2.0)]
    tracker = Tracker(starts, [3, 2], seen.append, interval=0.0, clock=Clock())
    tracker.flush()
    assert seen[-1] == Snapshot(0, 5, None, 3 * 7.0 + 2 * 2.0)
    tracker.record(0, Point(Decimal("9.25"), 9.0))
    tracker.record(0, Point(Decimal("1.00"), 1.0))  # ignored: shape 0 is back already
    assert seen[-1] == Snapshot(3, 5, None, 3 * 9.0 + 2 * 2.0)
    tracker.record(1, Point(Decimal("4.00"), 3.5))
    assert seen[-1] == Snapshot(5, 5, 3 * 9.25 + 2 * 4.0, 3 * 9.0 + 2 * 3.5)


def test_a_weaker_solved_bound_keeps_the_start_bound_and_the_bound_never_passes_the_value() -> None:
    seen: list[Snapshot] = []
    tracker = Tracker([Point(Decimal(12), 8.0)], [1], seen.append, interval=0.0, clock=Clock())
    tracker.record(0, Point(Decimal(10), 6.0))
    assert seen[-1].bound == 8.0  # both are valid lower bounds: the larger is kept
    tracker = Tracker([Point(Decimal(10), 10.000000001)], [1], seen.append, clock=Clock())
    tracker.flush()
    assert seen[-1].bound == 10.0  # float noise above the feasible value is cut


def test_reports_come_at_most_once_per_interval() -> None:
    seen: list[Snapshot] = []
    clock = Clock()
    starts = [Point(Decimal(1), 0.5)] * 10
    tracker = Tracker(starts, [], seen.append, interval=0.25, clock=clock)
    for i in range(10):
        clock.now = i * 0.1
        tracker.record(i, Point(Decimal(1), 1.0))
    # Reports at t = 0, 0.3, 0.6, 0.9 (each at least 0.25 after the one before).
    assert [s.solved for s in seen] == [1, 4, 7, 10]


def test_gap_formulas_and_outward_rounding() -> None:
    low = Snapshot(3, 9, incumbent=200.00004, bound=150.00006)
    assert low.gap == pytest.approx((200.00004 - 150.00006) / 200.00004, rel=1e-15)
    assert low.as_dict() == {
        "workloads_solved": 3,
        "workloads_total": 9,
        "incumbent": 200.0001,  # rounded up: still at least a real plan's value
        "bound": 150.0,  # rounded down: still a valid lower bound
        "gap": 0.25,
    }
    high = Snapshot(9, 9, incumbent=80.00006, bound=100.00004, maximize=True)
    assert high.gap == pytest.approx((100.00004 - 80.00006) / 100.00004, rel=1e-15)
    assert (high.as_dict()["incumbent"], high.as_dict()["bound"]) == (80.0, 100.0001)
    assert Snapshot(0, 9, None, 5.0).gap is None and Snapshot(0, 9).as_dict()["bound"] is None


# ---------------------------------------------------------------- a real solve

OFFERS = [
    offer("aws", "small", 2, 4, "0.05"),
    offer("aws", "large", 8, 32, "0.17"),
    offer("gcp", "mid", 4, 8, "0.09", region="g1"),
]


def _fleet(n: int, seed: int) -> list:  # type: ignore[type-arg]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        vcpu = round(rng.uniform(1, 11), 3)  # distinct shapes: 64 or more fork workers
        out.append(workload(f"w{i}", vcpu, round(vcpu * rng.uniform(1, 3), 3), min_replicas=2))
    return out


@pytest.mark.parametrize(("n", "workers"), [(9, 1), (80, 2)])
def test_a_solve_reports_valid_bounds_and_real_plans_as_it_goes(n: int, workers: int) -> None:
    fleet = _fleet(n, n)
    fleet.append(fleet[0].model_copy(update={"name": "twin"}))  # one shape, two workloads
    p = problem(fleet, OFFERS)
    seen: list[Snapshot] = []
    solution = optimize(p, SolveOptions(gap=1e-9, workers=workers), progress=seen.append)
    optimum = float(sum((brute_force(wp, 6) or Decimal(0) for wp in p.workloads), Decimal(0)))
    assert solution.objective == pytest.approx(optimum, rel=1e-12)
    assert seen[0].solved == 0 and seen[-1].solved == seen[-1].total == n + 1
    assert [s.solved for s in seen] == sorted(s.solved for s in seen)
    for s in seen:
        assert s.incumbent is not None and s.bound is not None
        assert s.bound <= optimum + 1e-9 <= s.incumbent + 2e-9  # valid bound, feasible plan
    assert seen[-1].incumbent == pytest.approx(optimum, rel=1e-12)
    assert seen[-1].as_dict()["bound"] <= round(solution.objective or 0.0, 4)


def test_efficiency_reports_counts_first_then_plans_within_budget_and_upper_bounds() -> None:
    p = problem(_fleet(6, 3), OFFERS, objective=Objective.EFFICIENCY, budget="2000")
    seen: list[Snapshot] = []
    solution = optimize(p, SolveOptions(gap=1e-6, workers=1), progress=seen.append)
    searched = [s for s in seen if s.incumbent is not None]
    assert searched and all(s.maximize for s in seen)
    assert all(s.bound is None for s in seen if s.incumbent is None)
    best = solution.objective or 0.0
    assert any(s.bound is not None for s in searched)  # none before the first round
    for s in searched:
        assert s.incumbent is not None and s.incumbent <= best + 1e-9
        assert s.bound is None or best <= s.bound + 1e-9  # a valid upper bound
