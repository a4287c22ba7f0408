"""The greedy baseline (``--solver greedy``): the heuristic the MILP is measured against.

Cheapest price per performance-weighted vCPU first: take the best non-spot offering (so every
spot-share rule holds) of as many providers and zones as the workload's spread and
loss-of-provider rules need, split the demand (vCPU, memory) evenly across them, and fill each
with whole instances (enough for the GPUs too). Always feasible when the rules can be
met by one offering per provider or zone; never cheaper than the MILP (tested).
"""

from __future__ import annotations

import math
from collections import Counter
from decimal import Decimal

from lepton_cli.optimizer.problem import Candidate, WorkloadProblem

Counts = dict[Candidate, int]


def price_per_perf_vcpu(c: Candidate) -> Decimal:
    return c.monthly / Decimal(str(c.capacity))


def _slots(wp: WorkloadProblem) -> list[Candidate] | None:
    """The cheapest-per-vCPU candidates covering enough distinct providers and zones."""
    need_providers = max(wp.min_providers, 2 if wp.survive_fraction > 0 else 1)
    usable = sorted(
        (c for c in wp.candidates if not c.spot),
        key=lambda c: (price_per_perf_vcpu(c), c.sort_key),
    )
    chosen: list[Candidate] = []
    for c in usable:
        providers = {s.provider for s in chosen}
        zones = {s.zone for s in chosen}
        new_provider = c.provider not in providers and len(providers) < need_providers
        new_zone = c.zone not in zones and len(zones) < wp.min_zones
        if not chosen or new_provider or new_zone:
            chosen.append(c)
    enough = len({s.provider for s in chosen}) >= need_providers
    return chosen if chosen and enough and len({s.zone for s in chosen}) >= wp.min_zones else None


def _per_slot(wp: WorkloadProblem, slots: list[Candidate], demand: float) -> float:
    """Equal shares of ``demand`` (vCPU or memory), large enough that losing the biggest
    provider keeps f * demand."""
    n = len(slots)
    share = demand / n
    if wp.survive_fraction > 0:
        biggest = max(Counter(s.provider for s in slots).values())
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
    counts: Counts = {s: _instances(wp, s, share, memory) for s in slots}
    for i in range(max(0, wp.min_replicas - sum(counts.values()))):
        counts[slots[i % len(slots)]] += 1  # replicas: round-robin keeps the spread
    return counts


def cost(counts: Counts) -> Decimal:
    return sum((c.monthly * n for c, n in counts.items()), Decimal(0))
