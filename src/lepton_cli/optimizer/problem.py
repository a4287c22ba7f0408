"""The optimisation problem as pure data (DESIGN.md, "The optimisation model").

``build_problem`` turns an inventory and the offerings it may use into one
:class:`WorkloadProblem` per workload (derived demand, candidates, continuity rules) plus the
idle resources to terminate. Nothing here solves anything.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from lepton_cli.analysis.waste import is_idle
from lepton_cli.config import Settings
from lepton_cli.models import Inventory, Offering, Pricing, Resource, ResourceKind, Workload
from lepton_cli.models.optimization import Objective
from lepton_cli.models.resource import ResourceState

ZONES_PER_REGION = 3
"""Every region lepton's catalog lists has at least three zones on AWS, Azure and GCP."""

PlacementKey = tuple[str, str, str, Pricing]  # provider, region, type, pricing


@dataclass(frozen=True, slots=True)
class Candidate:
    """One offering at one pricing model (and, when a workload spreads over zones, one zone)."""

    provider: str
    region: str
    type: str
    pricing: Pricing
    vcpus: float
    memory_gib: float
    perf: float
    monthly: Decimal
    zone: str | None = None

    @property
    def capacity(self) -> float:
        """Performance-weighted vCPUs."""
        return self.vcpus * self.perf

    @property
    def spot(self) -> bool:
        return self.pricing is Pricing.SPOT

    @property
    def key(self) -> PlacementKey:
        return (self.provider, self.region, self.type, self.pricing)

    @property
    def sort_key(self) -> tuple[str, str, str, str, str]:
        return (self.provider, self.region, self.type, self.pricing.value, self.zone or "")


@dataclass(frozen=True)
class WorkloadProblem:
    """One workload's demand, rules and candidates: a small MILP of its own under ``cost``."""

    name: str
    vcpu: float  # performance-weighted vCPUs to serve
    memory_gib: float
    min_replicas: int
    max_spot_share: float
    min_providers: int
    min_zones: int
    survive_fraction: float  # f_w: share of vcpu kept after losing any one provider
    candidates: tuple[Candidate, ...]
    current: frozenset[PlacementKey] = frozenset()  # ties go to these
    allowed_providers: tuple[str, ...] = ()
    resources: tuple[Resource, ...] = field(default=(), compare=False)

    def shape(self) -> tuple[object, ...]:
        """Everything the solution depends on: equal shapes have equal optimal allocations."""
        return (
            self.vcpu,
            self.memory_gib,
            self.min_replicas,
            self.max_spot_share,
            self.min_providers,
            self.min_zones,
            self.survive_fraction,
            self.candidates,
            self.current,
        )


@dataclass(frozen=True)
class Problem:
    workloads: list[WorkloadProblem]
    idle: list[Resource]  # idle, unprotected, in no workload: proposed for termination
    objective: Objective = Objective.COST
    budget: Decimal | None = None
    currency: str = "USD"


def zones_of(provider: str, region: str) -> list[str]:
    """The zone names a provider gives a region (AWS ``us-east-1a``, GCP ``-a``, Azure ``-1``)."""
    if provider == "aws":
        return [f"{region}{c}" for c in "abc"]
    if provider == "gcp":
        return [f"{region}-{c}" for c in "abc"]
    return [f"{region}-{n}" for n in range(1, ZONES_PER_REGION + 1)]


def expand(offering: Offering, zones: bool) -> list[Candidate]:
    """One candidate per pricing model the offering has (per zone when ``zones``)."""
    out = []
    for pricing in sorted(offering.prices, key=lambda p: p.value):
        for zone in zones_of(offering.provider, offering.region) if zones else [None]:
            out.append(
                Candidate(
                    provider=offering.provider,
                    region=offering.region,
                    type=offering.type,
                    pricing=pricing,
                    vcpus=offering.vcpus,
                    memory_gib=offering.memory_gib,
                    perf=offering.perf,
                    monthly=offering.monthly(pricing),
                    zone=zone,
                )
            )
    return out


def prune_dominated(candidates: Iterable[Candidate], by_region: bool = False) -> list[Candidate]:
    """Drop every candidate that another one beats within its group: same provider, zone and
    spot-ness, so the same rows of every constraint (type appears in none; region only in the
    zone-spread rows, so ``by_region`` for a workload that spreads over zones).

    ``a`` beats ``b`` when m instances of ``a`` give at least ``b``'s capacity and memory for at
    most its price. m = 1 needs a strict improvement somewhere (exact ties are kept). m >= 2 is
    only sound off spot: more instances only help the replica rows, but more spot instances can
    break the spot-share row. Every optimum then has an equal-cost twin among the kept ones;
    dropping the many exact multiples (``2xlarge`` = 2 x ``xlarge``) removes the symmetry that
    makes branch and bound slow."""
    groups: dict[tuple[str, str | None, bool], list[Candidate]] = defaultdict(list)
    for c in candidates:
        groups[(c.provider, c.region if by_region else c.zone, c.spot)].append(c)
    kept: list[Candidate] = []
    for group in groups.values():
        kept += _pareto(group)
    return sorted(kept, key=lambda c: c.sort_key)


def _pareto(group: list[Candidate]) -> list[Candidate]:
    # Beating is transitive and a beater never has a higher price per capacity, so in this
    # order comparing with the survivors so far suffices.
    order = sorted(
        group, key=lambda c: (c.monthly / Decimal(str(c.capacity)), c.monthly, -c.memory_gib)
    )
    front: list[Candidate] = []
    for c in order:
        if not any(_beats(f, c) for f in front):
            front.append(c)
    return front


def _beats(a: Candidate, b: Candidate) -> bool:
    m = max(
        math.ceil(b.capacity / a.capacity - 1e-9), math.ceil(b.memory_gib / a.memory_gib - 1e-9), 1
    )
    if m >= 2:
        return not b.spot and a.monthly * m <= b.monthly
    same = a.capacity == b.capacity and a.memory_gib == b.memory_gib and a.monthly == b.monthly
    return a.monthly <= b.monthly and not same


def derived_demand(resources: Iterable[Resource], headroom: float) -> tuple[float, float]:
    """(vcpu, memory_gib) = sum of used perf-vCPUs and used memory, times (1 + headroom).

    A resource with no utilisation counts at full size."""
    vcpu = memory = 0.0
    for r in resources:
        u = r.utilization
        mem_used = 1.0 if u is None or u.memory_p95 is None else u.memory_p95
        vcpu += (r.vcpus or 0.0) * r.perf * r.cpu_used
        memory += (r.memory_gib or 0.0) * mem_used
    return vcpu * (1 + headroom), memory * (1 + headroom)


def _serving(r: Resource) -> bool:
    return r.kind is ResourceKind.COMPUTE and r.state is ResourceState.RUNNING


def workload_list(inventory: Inventory) -> list[Workload]:
    """Declared workloads, then one default workload per other ``workload`` tag, by name."""
    declared = {w.name: w for w in inventory.workloads}
    tagged = {r.workload for r in inventory.resources if r.workload and _serving(r)}
    for name in sorted(tagged - declared.keys()):
        declared[name] = Workload(name=name)
    return [declared[n] for n in sorted(declared)]


class CandidatePool:
    """Candidates per (allowed providers, regions, zones, spot): built and pruned once each."""

    def __init__(self, offerings: Sequence[Offering]) -> None:
        self.offerings = sorted(offerings, key=lambda o: o.key)
        self._memo: dict[tuple[object, ...], tuple[Candidate, ...]] = {}
        self._all: dict[tuple[object, ...], list[Candidate]] = {}
        self._candidates: dict[int, list[Candidate]] = {}

    def get(self, w: Workload, zones: bool) -> tuple[Candidate, ...]:
        providers = (
            tuple(sorted(w.allowed.providers)) if w.allowed and w.allowed.providers else None
        )
        regions = tuple(sorted(w.allowed.regions)) if w.allowed and w.allowed.regions else None
        key = (providers, regions, zones, w.max_spot_share > 0)
        if key not in self._memo:
            self._all[key] = self._allowed(providers, regions, w.max_spot_share > 0)
            self._memo[key] = tuple(prune_dominated(self._all[key], by_region=zones))
        return self._memo[key]

    def with_current(
        self, w: Workload, zones: bool, current: frozenset[PlacementKey]
    ) -> tuple[Candidate, ...]:
        """The pruned candidates plus any pruned one the workload runs today (ties go to it)."""
        kept = self.get(w, zones)
        have = {c.key for c in kept}
        if current <= have:
            return kept
        key = next(k for k, v in self._memo.items() if v is kept)
        extra = [c for c in self._all[key] if c.key in current and c.key not in have]
        return tuple(sorted((*kept, *extra), key=lambda c: c.sort_key))

    def _allowed(
        self,
        providers: tuple[str, ...] | None,
        regions: tuple[str, ...] | None,
        spot: bool,
    ) -> list[Candidate]:
        return [
            c
            for o in self.offerings
            if (providers is None or o.provider in providers)
            and (regions is None or o.region in regions)
            for c in self._expanded(o)  # zones are counted per region (milp), not copied
            if spot or not c.spot  # a share of 0 forbids spot: no use keeping the columns
        ]

    def _expanded(self, o: Offering) -> list[Candidate]:
        # Every (providers, regions) subset re-reads the same offerings: expand each once
        # (by identity: self.offerings keeps every one alive).
        if id(o) not in self._candidates:
            self._candidates[id(o)] = expand(o, False)
        return self._candidates[id(o)]


def workload_problem(
    w: Workload, resources: Sequence[Resource], pool: CandidatePool, settings: Settings
) -> WorkloadProblem:
    """A workload's demand (given, else derived), rules with their defaults, and candidates."""
    headroom = settings.headroom if w.headroom is None else w.headroom
    if w.demand is not None:
        vcpu, memory = w.demand.vcpu, w.demand.memory_gib
    else:
        vcpu, memory = derived_demand(resources, headroom)
    replicas = w.min_replicas if w.min_replicas is not None else (1 if vcpu > 0 else 0)
    spread = w.spread
    min_zones = spread.min_zones if spread and spread.min_zones else 1
    current = frozenset(_current_key(r) for r in resources)
    return WorkloadProblem(
        name=w.name,
        vcpu=_round(vcpu),
        memory_gib=_round(memory),
        min_replicas=replicas,
        max_spot_share=w.max_spot_share,
        min_providers=spread.min_providers if spread and spread.min_providers else 1,
        min_zones=min_zones,
        survive_fraction=w.survive_loss_of_provider,
        candidates=pool.with_current(w, min_zones > 1, current),
        current=current,
        allowed_providers=tuple(w.allowed.providers or ()) if w.allowed else (),
        resources=tuple(resources),
    )


def _round(value: float) -> float:
    # Derived demand is a sum of float products: round so equal fleets give equal shapes.
    return math.ceil(value * 1e6 - 1e-6) / 1e6


def _current_key(r: Resource) -> PlacementKey:
    return (r.provider, r.region, r.type or "", r.pricing)


def build_problem(
    inventory: Inventory,
    offerings: Sequence[Offering],
    settings: Settings,
    objective: Objective = Objective.COST,
    budget: Decimal | None = None,
) -> Problem:
    """The whole problem: one WorkloadProblem per workload, and the idle resources."""
    by_workload: dict[str, list[Resource]] = defaultdict(list)
    for r in inventory.resources:
        if r.workload and _serving(r):
            by_workload[r.workload].append(r)
    pool = CandidatePool(offerings)
    workloads = [
        workload_problem(w, by_workload.get(w.name, []), pool, settings)
        for w in workload_list(inventory)
    ]
    idle = [
        r
        for r in inventory.resources
        if not r.workload and not r.protected and is_idle(r, settings)
    ]
    return Problem(
        workloads, sorted(idle, key=lambda r: r.id), objective, budget, inventory.currency
    )
