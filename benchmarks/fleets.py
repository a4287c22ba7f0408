"""Seeded fleets where every workload is a distinct shape (for benchmarks/optimizer.py).

Log-normal vCPU demand, continuous memory ratios, replicas 1-4, 25% with a spot share, 12%
spread over providers, 10% with a loss-of-provider rule, 5% spread over zones, and provider and
region subsets drawn per workload.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from lepton_cli.models import Demand, Offering, Workload
from lepton_cli.models.workload import Allowed, Spread


def _allowed(rng: random.Random, regions: dict[str, list[str]]) -> Allowed | None:
    """A provider subset (one, two or all), and sometimes a region subset of those."""
    providers = sorted(regions)
    pick = rng.random()
    if pick < 0.3:
        return None
    chosen = rng.sample(providers, 1 if pick < 0.55 else 2)
    if rng.random() < 0.5:
        return Allowed(providers=chosen)
    subset = [r for p in chosen for r in rng.sample(regions[p], max(1, len(regions[p]) // 2))]
    return Allowed(providers=chosen, regions=sorted(subset))


def _spread_ok(allowed: Allowed | None, n_providers: int) -> bool:
    return allowed is None or len(allowed.providers or ()) >= 2 or n_providers < 2


def distinct_fleet(n: int, seed: int, offerings: Sequence[Offering]) -> list[Workload]:
    """``n`` workloads, each its own shape (demand drawn from continuous distributions)."""
    rng = random.Random(seed)
    regions: dict[str, list[str]] = {}
    for o in offerings:
        regions.setdefault(o.provider, [])
        if o.region not in regions[o.provider]:
            regions[o.provider].append(o.region)
    out = []
    for i in range(n):
        vcpu = round(min(2000.0, math.exp(rng.gauss(math.log(12), 1.0))), 3)
        memory = round(vcpu * math.exp(rng.uniform(math.log(1.0), math.log(8.0))), 3)
        allowed = _allowed(rng, regions)
        multi = allowed is None or len(allowed.providers or ()) >= 2
        roll = rng.random()
        out.append(
            Workload(
                name=f"w{i:06d}",
                demand=Demand(vcpu=vcpu, memory_gib=memory),
                min_replicas=rng.randint(1, 4),
                max_spot_share=round(rng.uniform(0.1, 0.6), 3) if rng.random() < 0.25 else 0.0,
                spread=(
                    Spread(min_providers=2)
                    if multi and roll < 0.12
                    else Spread(min_zones=rng.choice([2, 3]))
                    if 0.12 <= roll < 0.17
                    else None
                ),
                survive_loss_of_provider=(
                    round(rng.uniform(0.3, 0.7), 3) if multi and rng.random() < 0.10 else 0.0
                ),
                allowed=allowed,
            )
        )
    return out
