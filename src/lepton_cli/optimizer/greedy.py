"""The greedy baseline (``--solver greedy``): the heuristic the MILP is measured against.

Cheapest price per performance-weighted vCPU first: take the best non-spot offering (so every
spot-share rule holds) of as many providers and zones as the workload's spread and
loss-of-provider rules need, split the demand (vCPU, memory) evenly across them, and fill each
with whole instances (enough for the GPUs too). Always feasible when the rules can be
met by one offering per provider or zone; never cheaper than the MILP (tested).
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from decimal import Decimal

from lepton_cli.optimizer.problem import Candidate, WorkloadProblem, zones_of

Counts = dict[Candidate, int]


def price_per_perf_vcpu(c: Candidate) -> Decimal:
    return c.monthly / Decimal(str(c.capacity))


Slot = tuple[Candidate, str | None]  # a candidate in one zone (None: zones not counted)


@functools.lru_cache(maxsize=512)
def _usable(candidates: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
    """Non-spot candidates, cheapest per perf-vCPU first (workloads share candidate sets)."""
    return tuple(
        sorted(
            (c for c in candidates if not c.spot),
            key=lambda c: (price_per_perf_vcpu(c), c.sort_key),
        )
    )


def _slots(wp: WorkloadProblem) -> list[Slot] | None:
    """The cheapest-per-vCPU candidates covering enough distinct providers and zones (one
    candidate may fill several zones of its region: they all offer it at the same price)."""
    need_providers = max(wp.min_providers, 2 if wp.survive_fraction > 0 else 1)
    chosen: list[Slot] = []
    providers: set[str] = set()
    zones: set[str | None] = set()
    for c in _usable(wp.candidates):
        if chosen and len(providers) >= need_providers and len(zones) >= wp.min_zones:
            break  # both met: no later candidate would be taken
        for zone in zones_of(c.provider, c.region) if wp.min_zones > 1 else [None]:
            new_provider = c.provider not in providers and len(providers) < need_providers
            new_zone = zone not in zones and len(zones) < wp.min_zones
            if chosen and not new_provider and not new_zone:
                break
            chosen.append((c, zone))
            providers.add(c.provider)
            zones.add(zone)
    enough = len(providers) >= need_providers
    zones_ok = len(zones) >= wp.min_zones
    return chosen if chosen and enough and zones_ok else None


def _per_slot(wp: WorkloadProblem, slots: list[Slot], demand: float) -> float:
    """Equal shares of ``demand`` (vCPU or memory), large enough that losing the biggest
    provider keeps f * demand."""
    n = len(slots)
    share = demand / n
    if wp.survive_fraction > 0:
        biggest = max(Counter(s.provider for s, _ in slots).values())
        share = max(share, wp.survive_fraction * demand / (n - biggest))
    return share


def _instances(wp: WorkloadProblem, s: Candidate, share: float, memory: float) -> int:
    gpus = math.ceil(wp.gpus / s.gpus - 1e-9) if wp.gpus > 0 and s.gpus > 0 else 0
    return max(
        math.ceil(share / s.capacity - 1e-9), math.ceil(memory / s.memory_gib - 1e-9), gpus, 1
    )


def greedy(wp: WorkloadProblem) -> Counts | None:
    """A feasible allocation for one workload, or None when the heuristic finds none."""
    idle = wp.vcpu <= 0 and wp.memory_gib <= 0 and wp.gpus <= 0 and wp.min_replicas == 0
    if idle and wp.min_providers <= 1 and wp.min_zones <= 1:
        return {}
    slots = _slots(wp)
    if slots is None:
        return None
    share = _per_slot(wp, slots, wp.vcpu)
    memory = _per_slot(wp, slots, wp.memory_gib)
    counts: Counts = {}
    for s, _ in slots:
        counts[s] = counts.get(s, 0) + _instances(wp, s, share, memory)
    for i in range(max(0, wp.min_replicas - sum(counts.values()))):
        counts[slots[i % len(slots)][0]] += 1  # replicas: round-robin keeps the spread
    return counts


def cost(counts: Counts) -> Decimal:
    return sum((c.monthly * n for c, n in counts.items()), Decimal(0))
