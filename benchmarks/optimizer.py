"""Optimizer benchmark: prints a table (not a test; wall-clock numbers belong here).

    python benchmarks/optimizer.py                 # full sizes (10,000 and 1,000 workloads)
    python benchmarks/optimizer.py --scale 0.1     # a quick look

Rows: the cost objective over 10,000 workloads on the bundled catalog and on a synthetic
catalog of ~300 candidates a workload (gap asked: 1e-6), the efficiency objective over 1,000
workloads under a budget (gap asked: 0.5%), the greedy baseline's cost over the MILP's, and the
one-by-one approach (one PuLP+HiGHS model per workload, no pruning, no shape sharing, one core)
timed on a sample and scaled to the fleet.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import resource
import sys
import time
from decimal import Decimal

from lepton_cli.config import Settings
from lepton_cli.models import Demand, Inventory, Offering, Pricing, Workload
from lepton_cli.models.workload import Allowed, Spread
from lepton_cli.optimizer import milp
from lepton_cli.optimizer.greedy import cost as counts_cost
from lepton_cli.optimizer.greedy import greedy
from lepton_cli.optimizer.milp import SolveOptions
from lepton_cli.optimizer.problem import Problem, build_problem, expand
from lepton_cli.optimizer.solve import optimize
from lepton_cli.plan.model import Objective
from lepton_cli.pricing.catalog import bundled_catalog

PROVIDERS = ("aws", "azure", "gcp")


def fleet(n: int, seed: int, providers: tuple[str, ...], shapes: int = 0) -> list[Workload]:
    """``n`` workloads drawn from ``shapes`` service templates (0: every one its own).

    A plausible mix: most workloads plain, some on spot, some spread, a few must survive the
    loss of a provider. Demands come in the steps people size services in, and real fleets
    repeat them (the same service per environment, region and tenant)."""
    if shapes:
        rng = random.Random(seed + 1)
        templates = fleet(shapes, seed, providers)
        picks = [rng.choice(templates) for _ in range(n)]
        return [w.model_copy(update={"name": f"w{i:05d}"}) for i, w in enumerate(picks)]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        vcpu = rng.choice([2, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128]) * rng.choice([1, 1, 1.5])
        memory = vcpu * rng.choice([1, 2, 4, 4, 8])
        kind = rng.random()
        allowed = rng.choice([None, None, [rng.choice(providers)], rng.sample(providers, 2)])
        two = allowed is None or len(allowed) >= 2
        out.append(
            Workload(
                name=f"w{i:05d}",
                demand=Demand(vcpu=vcpu, memory_gib=memory),
                min_replicas=rng.choice([1, 2, 3]),
                max_spot_share=0.5 if 0.6 <= kind < 0.75 else 0.0,
                spread=Spread(min_providers=2) if two and 0.75 <= kind < 0.9 else None,
                survive_loss_of_provider=0.5 if two and kind >= 0.9 else 0.0,
                allowed=Allowed(providers=allowed) if allowed else None,
            )
        )
    return out


def synthetic_offerings(seed: int) -> list[Offering]:
    """~300 candidates a workload: 3 providers x 2 regions x 50 types, with irregular prices."""
    rng = random.Random(seed)
    out = []
    for p in PROVIDERS:
        for r in (f"{p}-r1", f"{p}-r2"):
            for t in range(50):
                vcpus = rng.choice([2, 4, 8, 16, 32, 64])
                ratio = rng.choice([1, 2, 4, 8])
                od = vcpus * (0.03 + 0.004 * ratio) * rng.uniform(0.85, 1.25)
                prices = {
                    Pricing.ON_DEMAND: Decimal(f"{od:.4f}"),
                    Pricing.RESERVED: Decimal(f"{od * rng.uniform(0.55, 0.7):.4f}"),
                    Pricing.SPOT: Decimal(f"{od * rng.uniform(0.25, 0.5):.4f}"),
                }
                out.append(
                    Offering(
                        provider=p,
                        region=r,
                        type=f"t{t}-{vcpus}x{ratio}",
                        vcpus=vcpus,
                        memory_gib=vcpus * ratio,
                        perf=round(rng.uniform(0.8, 1.4), 2),
                        prices=prices,
                    )
                )
    return out


def peak_gib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024 / 1024  # Linux reports KiB


def raw_candidates(problem: Problem, offerings: list[Offering]) -> float:
    """Mean candidates a workload before pruning (allowed providers, all pricing models)."""
    total = 0
    for wp in problem.workloads:
        allowed = set(wp.allowed_providers) or set(PROVIDERS)
        for o in offerings:
            if o.provider in allowed:
                total += sum(1 for c in expand(o, False) if wp.max_spot_share > 0 or not c.spot)
    return total / max(1, len(problem.workloads))


def one_by_one(problem: Problem, offerings: list[Offering], sample: int) -> float:
    """Seconds for the naive approach on ``sample`` workloads, scaled to the fleet."""
    began = time.monotonic()
    chosen = problem.workloads[:sample]
    for wp in chosen:
        allowed = set(wp.allowed_providers) or set(PROVIDERS)
        cands = tuple(
            c
            for o in offerings
            if o.provider in allowed
            for c in expand(o, False)
            if wp.max_spot_share > 0 or not c.spot
        )
        full = dataclasses.replace(wp, candidates=cands)
        prob, _ = milp.cost_model(full, milp.upper_bound(full, None))
        with milp.native_output_silenced():
            milp.run(prob, SolveOptions(gap=1e-6, time_limit=60))
    return (time.monotonic() - began) * len(problem.workloads) / len(chosen)


def cost_row(label: str, offerings: list[Offering], n: int, sample: int, shapes: int) -> list[str]:
    inventory = Inventory(workloads=fleet(n, 7, PROVIDERS, shapes))
    problem = build_problem(inventory, offerings, Settings())
    shapes = len({wp.shape() for wp in problem.workloads})
    began = time.monotonic()
    solution = optimize(problem, SolveOptions(gap=1e-6, time_limit=600))
    seconds = time.monotonic() - began
    greedy_total = sum((counts_cost(greedy(wp) or {}) for wp in problem.workloads), Decimal(0))
    ratio = float(greedy_total) / (solution.objective or 1)
    kept = sum(len(wp.candidates) for wp in problem.workloads) / n
    naive = one_by_one(problem, offerings, sample)
    return [
        label,
        f"{n:,}",
        f"{raw_candidates(problem, offerings):.0f} -> {kept:.0f}",
        f"{shapes:,}",
        solution.status.value,
        f"{solution.gap or 0:.1e}",
        f"{seconds:.1f}",
        f"{peak_gib():.2f}",
        f"{ratio:.3f}",
        f"{naive:.0f} (from {sample})",
    ]


def efficiency_row(label: str, offerings: list[Offering], n: int) -> list[str]:
    inventory = Inventory(workloads=fleet(n, 11, PROVIDERS))  # every shape distinct
    cheapest = optimize(build_problem(inventory, offerings, Settings()), SolveOptions(gap=1e-4))
    budget = (Decimal(str(cheapest.objective)) * Decimal("1.15")).quantize(Decimal(1))
    problem = build_problem(inventory, offerings, Settings(), Objective.EFFICIENCY, budget)
    began = time.monotonic()
    solution = optimize(problem, SolveOptions(gap=0.005, time_limit=60))
    seconds = time.monotonic() - began
    kept = sum(len(wp.candidates) for wp in problem.workloads) / n
    return [
        label,
        f"{n:,}",
        f"{raw_candidates(problem, offerings):.0f} -> {kept:.0f}",
        "-",
        solution.status.value,
        f"{solution.gap if solution.gap is not None else float('nan'):.1e}",
        f"{seconds:.1f}",
        f"{peak_gib():.2f}",
        "-",
        "-",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the fleet sizes")
    parser.add_argument("--sample", type=int, default=50, help="workloads timed one by one")
    parser.add_argument("--shapes", type=int, default=500, help="service templates in the fleet")
    args = parser.parse_args()
    big, small = max(1, int(10_000 * args.scale)), max(1, int(1_000 * args.scale))
    bundled = bundled_catalog().offerings
    synthetic = synthetic_offerings(3)
    shapes = max(1, int(args.shapes * args.scale))
    rows = [
        cost_row("cost, bundled catalog", bundled, big, args.sample, shapes),
        cost_row("cost, synthetic catalog", synthetic, big, args.sample, shapes),
        cost_row("cost, synthetic, no templates", synthetic, big, args.sample, 0),
        efficiency_row("efficiency +15% budget, bundled", bundled, small),
        efficiency_row("efficiency +15% budget, synthetic", synthetic, small),
    ]
    head = [
        "run",
        "workloads",
        "candidates (raw -> kept)",
        "shapes",
        "status",
        "gap",
        "seconds",
        "peak GiB",
        "greedy/MILP",
        "one-by-one s",
    ]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    for r in [head, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
