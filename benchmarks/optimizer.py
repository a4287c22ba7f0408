"""Optimizer benchmark on all-distinct fleets: prints a table (wall-clock numbers belong here).

    python benchmarks/optimizer.py                      # 10,000 cost + efficiency 1,000 / 10,000
    python benchmarks/optimizer.py --big                # and 100,000 workloads
    python benchmarks/optimizer.py --scale 0.05         # a quick look at 5% of every size
    python benchmarks/optimizer.py --one-by-one 2000    # time the naive PuLP loop on 2,000 only

Every fleet is drawn with a seed (benchmarks/fleets.py: log-normal vCPU demand, continuous
memory ratios, replicas 1-4, 25% spot shares, 12% provider spread, 10% loss-of-provider rules,
5% zone spread, provider and region subsets), so no two workloads share a shape. Columns:
status and gap of the plan; how many workloads are proven optimal / cut by the limit / on the
greedy fallback; seconds (the whole solve, building the problem included); peak memory (the
parent's peak plus each worker's, an upper bound on what the run held at once); greedy's cost
over the plan's; and the one-by-one approach (one PuLP model per workload, solved by HiGHS
through PuLP on one core, no LP skip), measured on the whole fleet unless --one-by-one sizes it
down, which the column then says.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from fleets import distinct_fleet
from lepton_cli.config import Settings, problem_options
from lepton_cli.models import Inventory, Offering
from lepton_cli.optimizer import build_problem, milp, optimize
from lepton_cli.optimizer.greedy import cost as counts_cost
from lepton_cli.optimizer.greedy import greedy
from lepton_cli.optimizer.milp import SolveOptions
from lepton_cli.optimizer.parallel import workers
from lepton_cli.optimizer.problem import Problem
from lepton_cli.plan.model import Objective
from lepton_cli.pricing.catalog import bundled_catalog

OPTIONS = problem_options(Settings())  # what `lepton optimize` reads at the default settings

HEAD = [
    "run",
    "workloads",
    "status",
    "gap",
    "proven/cut/fallback",
    "seconds",
    "peak GiB",
    "greedy/plan",
    "one-by-one PuLP s",
]


def peak_gib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + workers(0) * kids) / 1024 / 1024  # Linux reports KiB


def one_by_one(problem: Problem, limit: int | None) -> str:
    """The naive loop: one PuLP model per workload, HiGHS through PuLP, one core."""
    chosen = problem.workloads[:limit] if limit else problem.workloads
    began = time.monotonic()
    with milp.native_output_silenced():
        for wp in chosen:
            start = greedy(wp)
            prob, _ = milp.cost_model(
                wp, milp.upper_bound(wp, counts_cost(start) if start else None)
            )
            milp.run(prob, SolveOptions(gap=1e-6, time_limit=60))
    seconds = time.monotonic() - began
    if len(chosen) == len(problem.workloads):
        return f"{seconds:.0f}"
    return f"{seconds:.0f} (on {len(chosen):,} of them)"


def greedy_ratio(problem: Problem, objective: float | None) -> str:
    total = sum((counts_cost(greedy(wp) or {}) for wp in problem.workloads), Decimal(0))
    return f"{float(total) / (objective or 1):.3f}"


def cost_row(offerings: list[Offering], n: int, limit: int | None, naive: int | None) -> list[str]:
    began = time.monotonic()
    problem = build_problem(
        Inventory(workloads=distinct_fleet(n, 7, offerings)), offerings, OPTIONS
    )
    s = optimize(problem, SolveOptions(gap=1e-6, time_limit=float(limit or 3600)))
    seconds = time.monotonic() - began
    c = s.counts
    return [
        "cost, gap 1e-6",
        f"{n:,}",
        s.status.value,
        f"{s.gap if s.gap is not None else float('nan'):.1e}",
        f"{c.proven:,}/{c.limited:,}/{c.fallback:,}",
        f"{seconds:.1f}",
        f"{peak_gib():.2f}",
        greedy_ratio(problem, s.objective),
        one_by_one(problem, naive) if naive != 0 else "skipped",
    ]


def efficiency_row(offerings: list[Offering], n: int, gap: float) -> list[str]:
    """The budget: 15% over the cheapest plan, so it binds (more capacity always costs)."""
    inventory = Inventory(workloads=distinct_fleet(n, 11, offerings))
    cheapest = optimize(build_problem(inventory, offerings, OPTIONS), SolveOptions(gap=1e-6))
    budget = (Decimal(str(cheapest.objective)) * Decimal("1.15")).quantize(Decimal(1))
    began = time.monotonic()
    problem = build_problem(inventory, offerings, OPTIONS, Objective.EFFICIENCY, budget)
    s = optimize(problem, SolveOptions(gap=gap, time_limit=120))
    seconds = time.monotonic() - began
    c = s.counts
    return [
        f"efficiency, +15% budget, gap {gap:.1%}",
        f"{n:,}",
        s.status.value,
        f"{s.gap if s.gap is not None else float('nan'):.1e}",
        f"{c.proven:,}/{c.limited:,}/{c.fallback:,}",
        f"{seconds:.1f}",
        f"{peak_gib():.2f}",
        "-",
        "-",
    ]


def table(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [HEAD, *rows]) for i in range(len(HEAD))]
    for r in [HEAD, ["-" * w for w in widths], *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of every fleet size")
    parser.add_argument("--big", action="store_true", help="add the 100,000-workload row")
    parser.add_argument("--only-big", action="store_true", help="only the 100,000-workload row")
    parser.add_argument(
        "--one-by-one",
        type=int,
        default=None,
        help="time the naive loop on this many workloads only (0: skip; default: all)",
    )
    args = parser.parse_args()
    size = lambda n: max(1, int(n * args.scale))  # noqa: E731
    offerings = list(bundled_catalog().offerings)
    rows: list[list[str]] = []
    if not args.only_big:
        rows.append(cost_row(offerings, size(10_000), 600, args.one_by_one))
        table(rows)
        rows.append(efficiency_row(offerings, size(1_000), 0.001))
        rows.append(efficiency_row(offerings, size(10_000), 0.005))
        table(rows)
    if args.big or args.only_big:
        rows.append(cost_row(offerings, size(100_000), 3600, args.one_by_one))
        table(rows)
    print(f"\n{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
