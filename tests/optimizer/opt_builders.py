"""Builders for optimiser tests: tiny catalogs and workloads, and an independent checker."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from lepton_cli.config import Settings
from lepton_cli.models import Inventory, Offering, Pricing, Resource, Workload
from lepton_cli.optimizer import SolveOptions, optimize
from lepton_cli.optimizer.problem import (
    Candidate,
    Problem,
    WorkloadProblem,
    build_problem,
    zones_of,
)
from lepton_cli.optimizer.solve import Solution
from lepton_cli.plan.model import Objective


def offer(
    provider: str,
    type_: str,
    vcpus: float,
    memory: float,
    on_demand: str,
    spot: str | None = None,
    reserved: str | None = None,
    region: str = "r1",
    perf: float = 1.0,
) -> Offering:
    prices = {Pricing.ON_DEMAND: Decimal(on_demand)}
    if spot:
        prices[Pricing.SPOT] = Decimal(spot)
    if reserved:
        prices[Pricing.RESERVED] = Decimal(reserved)
    return Offering(
        provider=provider,
        region=region,
        type=type_,
        vcpus=vcpus,
        memory_gib=memory,
        perf=perf,
        prices=prices,
    )


def workload(name: str = "app", vcpu: float = 4, memory: float = 8, **rules: Any) -> Workload:
    return Workload.model_validate(
        {"name": name, "demand": {"vcpu": vcpu, "memory_gib": memory}, **rules}
    )


def problem(
    workloads: Sequence[Workload],
    offerings: Sequence[Offering],
    resources: Sequence[Resource] = (),
    objective: Objective = Objective.COST,
    budget: str | None = None,
) -> Problem:
    inventory = Inventory(resources=list(resources), workloads=list(workloads))
    amount = Decimal(budget) if budget is not None else None
    return build_problem(inventory, offerings, Settings(), objective, amount)


def solve(p: Problem, **options: Any) -> Solution:
    return optimize(p, SolveOptions(**{"workers": 1, **options}))


def counts_by(solution: Solution, name: str) -> dict[tuple[str, str, str], int]:
    """(provider, type, pricing) -> instances for workload ``name``."""
    ws = next(w for w in solution.workloads if w.problem.name == name)
    out: dict[tuple[str, str, str], int] = {}
    for c, n in ws.counts.items():
        key = (c.provider, c.type, c.pricing.value)
        out[key] = out.get(key, 0) + n
    return out


def feasible(wp: WorkloadProblem, counts: dict[Candidate, int]) -> bool:
    """DESIGN.md's rules checked directly, independently of milp.py."""
    total = sum(counts.values())
    cap = sum(c.capacity * n for c, n in counts.items())
    mem = sum(c.memory_gib * n for c, n in counts.items())
    spot = sum(n for c, n in counts.items() if c.spot)
    providers = {c.provider for c, n in counts.items() if n > 0}
    per_region: dict[tuple[str, str], int] = {}
    for c, n in counts.items():
        per_region[(c.provider, c.region)] = per_region.get((c.provider, c.region), 0) + n
    zones = sum(min(n, len(zones_of(*pr))) for pr, n in per_region.items())
    lost_ok = (
        all(
            sum(c.capacity * n for c, n in counts.items() if c.provider != p)
            >= wp.survive_fraction * wp.vcpu - 1e-9
            for p in providers
        )
        if wp.survive_fraction > 0 and wp.vcpu > 0
        else True
    )
    return (
        cap >= wp.vcpu - 1e-9
        and mem >= wp.memory_gib - 1e-9
        and total >= wp.min_replicas
        and spot <= wp.max_spot_share * total + 1e-9
        and len(providers) >= wp.min_providers
        and zones >= wp.min_zones
        and lost_ok
    )


def brute_force(wp: WorkloadProblem, most: int) -> Decimal | None:
    """The cheapest feasible allocation by enumerating every count vector up to ``most``."""
    best: Decimal | None = None
    cands = list(wp.candidates)
    for combo in itertools.product(range(most + 1), repeat=len(cands)):
        counts = {c: n for c, n in zip(cands, combo, strict=True) if n}
        if feasible(wp, counts):
            cost = sum((c.monthly * n for c, n in counts.items()), Decimal(0))
            best = cost if best is None or cost < best else best
    return best
