"""Builders for optimiser tests: tiny catalogs and workloads, and an independent checker."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from lepton_cli.config import Settings, problem_options
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
    **extra: Any,
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
        **extra,
    )


def server(
    id_: str,
    workload: str,
    provider: str = "aws",
    region: str = "r1",
    type_: str = "gen",
    hourly: str = "0.20",
    vcpus: float = 4,
    memory: float = 16,
    **extra: Any,
) -> Resource:
    """A running compute resource of ``workload``, half used unless ``utilization`` says."""
    half = {"cpu_p95": 0.5, "memory_p95": 0.5, "days": 14}
    return Resource.model_validate(
        {
            "utilization": half,
            "id": id_,
            "provider": provider,
            "region": region,
            "type": type_,
            "hourly_cost": Decimal(hourly),
            "vcpus": vcpus,
            "memory_gib": memory,
            "tags": {"workload": workload},
            **extra,
        }
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
    settings: Settings | None = None,
    use_perf: bool = True,
) -> Problem:
    inventory = Inventory(resources=list(resources), workloads=list(workloads))
    amount = Decimal(budget) if budget is not None else None
    options = problem_options(settings or Settings(), use_perf=use_perf)
    return build_problem(inventory, offerings, options, objective, amount)


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


def _capacity(counts: dict[Candidate, int]) -> tuple[float, float]:
    return (
        sum(c.capacity * n for c, n in counts.items()),
        sum(c.memory_gib * n for c, n in counts.items()),
    )


def feasible(wp: WorkloadProblem, counts: dict[Candidate, int]) -> bool:
    """DESIGN.md's rules checked directly, independently of milp.py."""
    total = sum(counts.values())
    cap, mem = _capacity(counts)
    gpus = sum(c.gpus * n for c, n in counts.items())
    keep = 1 - wp.max_spot_share
    plain_cap, plain_mem = _capacity({c: n for c, n in counts.items() if not c.spot})
    providers = {c.provider for c, n in counts.items() if n > 0}
    per_region: dict[tuple[str, str], int] = {}
    for c, n in counts.items():
        per_region[(c.provider, c.region)] = per_region.get((c.provider, c.region), 0) + n
    zones = sum(min(n, len(zones_of(*pr))) for pr, n in per_region.items() if n > 0)
    f = wp.survive_fraction
    lost_ok = all(
        _capacity({c: n for c, n in counts.items() if c.provider != p})[0] >= f * wp.vcpu - 1e-9
        and _capacity({c: n for c, n in counts.items() if c.provider != p})[1]
        >= f * wp.memory_gib - 1e-9
        for p in providers
    )
    return (
        cap >= wp.vcpu - 1e-9
        and mem >= wp.memory_gib - 1e-9
        and gpus >= wp.gpus
        and total >= wp.min_replicas
        and plain_cap >= keep * wp.vcpu - 1e-9
        and plain_mem >= keep * wp.memory_gib - 1e-9
        and len(providers) >= wp.min_providers
        and zones >= wp.min_zones
        and lost_ok
    )


def objective(wp: WorkloadProblem, counts: dict[Candidate, int]) -> Decimal:
    """Monthly cost plus the amortised one-time cost of new placements, by hand."""
    monthly = sum((c.monthly * n for c, n in counts.items()), Decimal(0))
    new = {(c.provider, c.region) for c, n in counts.items() if n and wp.sites}
    new -= set(wp.sites)
    instances = sum(n for c, n in counts.items() if wp.sites and (c.provider, c.region) in new)
    once = Decimal(str(wp.move_cost)) * len(new) + Decimal(str(wp.per_instance)) * instances
    return monthly + once / Decimal(str(wp.horizon))


def brute_force(wp: WorkloadProblem, most: int) -> Decimal | None:
    """The cheapest feasible allocation (cost objective, one-time costs amortised) by
    enumerating every count vector up to ``most``."""
    best: Decimal | None = None
    cands = list(wp.candidates)
    for combo in itertools.product(range(most + 1), repeat=len(cands)):
        counts = {c: n for c, n in zip(cands, combo, strict=True) if n}
        if feasible(wp, counts):
            cost = objective(wp, counts)
            best = cost if best is None or cost < best else best
    return best
