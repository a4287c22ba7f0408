"""Budget sweep benchmark: the shared sweep against one independent solve per budget.

    python benchmarks/sweep.py                   # examples/ inventory and a 1,000-workload fleet
    python benchmarks/sweep.py --scale 0.1       # the fleet at 100 workloads
    python benchmarks/sweep.py --points 9        # more budgets (the default: 3)

Both sides solve the efficiency objective at the same budgets in the same run. The sweep builds
the problem once, solves the cheapest plan once and keeps the Lagrangian subproblems by
multiplier (optimizer/sweep.py); "independent" builds and solves each budget from scratch, as
`lepton optimize --objective efficiency --budget B` does. The budgets run from the cheapest plan
to 40% over it. Columns: points, the sweep's total and per-point seconds, the independent total
and per-point seconds, their ratio, and the largest difference in performance between the two
(both are solved to the same gap, 0.1%, so they may differ within it).
"""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from fleets import distinct_fleet
from lepton_cli.config import Settings
from lepton_cli.models import Inventory, Offering
from lepton_cli.optimizer import SolveOptions, build_problem, optimize
from lepton_cli.optimizer.efficiency import capacity
from lepton_cli.optimizer.sweep import sweep
from lepton_cli.plan.model import Objective
from lepton_cli.pricing.catalog import bundled_catalog, effective_offerings
from lepton_cli.sources import load_inventory

EXAMPLE = Path(__file__).parent.parent / "examples" / "acme" / "inventory.yaml"
HEAD = ["inventory", "workloads", "points", "sweep s", "s/point", "independent s", "s/point",
        "ratio", "max perf diff"]  # fmt: skip


def budgets(inventory: Inventory, offerings: list[Offering], points: int) -> list[Decimal]:
    """From the cheapest plan's bill to 40% over it."""
    problem = build_problem(inventory, offerings, Settings())
    cheapest = optimize(problem, SolveOptions(gap=1e-6))
    low = cheapest.planned_cost + problem.fixed
    step = low * Decimal("0.4") / max(points - 1, 1)
    return [(low + step * i).quantize(Decimal(1)) + 1 for i in range(points)]


def row(name: str, inventory: Inventory, offerings: list[Offering], points: int) -> list[str]:
    options = SolveOptions(gap=1e-3, time_limit=600)
    amounts = budgets(inventory, offerings, points)
    began = time.monotonic()
    problem = build_problem(inventory, offerings, Settings(), Objective.EFFICIENCY, amounts[-1])
    frontier = sweep(problem, amounts, options, time.monotonic() + 600)
    shared = time.monotonic() - began
    began = time.monotonic()
    alone = []
    for b in amounts:
        one = build_problem(inventory, offerings, Settings(), Objective.EFFICIENCY, b)
        alone.append(capacity(optimize(one, options).workloads))
    independent = time.monotonic() - began
    diff = max(abs(p.performance - a) for p, a in zip(frontier.points, alone, strict=True))
    n = len(amounts)
    return [name, f"{len(inventory.workloads):,}", str(n), f"{shared:.2f}", f"{shared / n:.3f}",
            f"{independent:.2f}", f"{independent / n:.3f}", f"{independent / shared:.1f}x",
            f"{diff:.3g}"]  # fmt: skip


def table(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [HEAD, *rows]) for i in range(len(HEAD))]
    for r in [HEAD, ["-" * w for w in widths], *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 1,000 fleet")
    parser.add_argument("--points", type=int, default=3, help="budgets per sweep")
    args = parser.parse_args()
    catalog = bundled_catalog()
    example = load_inventory([EXAMPLE])
    rows = [row("examples/acme", example, effective_offerings(catalog, example), args.points)]
    table(rows)
    offerings = list(catalog.offerings)
    n = max(10, int(1000 * args.scale))
    fleet = Inventory(workloads=distinct_fleet(n, 11, offerings))
    rows.append(row("distinct_fleet", fleet, offerings, args.points))
    print()
    table(rows)


if __name__ == "__main__":
    main()
