"""The optimisation problem as pure data (DESIGN.md, "The optimisation model").

``build_problem`` turns an inventory and the offerings it may use into one
:class:`WorkloadProblem` per workload (derived demand, candidates after the placement and
compatibility filters, continuity rules, what a move costs) plus the idle resources to terminate
and what scan flags for clean-up. Nothing here solves anything.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from lepton_cli.analysis.waste import Finding, FindingKind, findings, is_idle
from lepton_cli.errors import InputError
from lepton_cli.models import Inventory, Offering, Pricing, Resource, ResourceKind, Workload
from lepton_cli.models.optimization import Objective, ProblemOptions
from lepton_cli.models.resource import ResourceState

ZONES_PER_REGION = 3
"""Every region lepton's catalog lists has at least three zones on AWS, Azure and GCP."""

DEFAULT_ARCH = "x86_64"
DEFAULT_PLATFORM = "linux"

PlacementKey = tuple[str, str, str, Pricing]  # provider, region, type, pricing
Site = tuple[str, str]  # (provider, region): a placement q of DESIGN.md


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
    gpus: int = 0

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
    def site(self) -> Site:
        return (self.provider, self.region)

    @property
    def sort_key(self) -> tuple[str, str, str, str, str]:
        return (self.provider, self.region, self.type, self.pricing.value, self.zone or "")


class Shape(tuple[object, ...]):
    """A workload's shape as a dict key: hashed once (it holds every candidate)."""

    _hash: int

    def __new__(cls, fields: tuple[object, ...]) -> Shape:
        shape = super().__new__(cls, fields)
        shape._hash = tuple.__hash__(shape)
        return shape

    def __hash__(self) -> int:
        return self._hash


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
    survive_fraction: float  # f_w: share of vcpu and memory kept after losing any one provider
    candidates: tuple[Candidate, ...]
    current: frozenset[PlacementKey] = frozenset()  # ties go to these
    allowed_providers: tuple[str, ...] = ()
    resources: tuple[Resource, ...] = field(default=(), compare=False)
    gpus: int = 0  # G_w: total GPUs to serve
    sites: frozenset[Site] = frozenset()  # the (provider, region) pairs it runs in today
    move_cost: float = 0.0  # one-time cost of copying its data to a new site
    per_instance: float = 0.0  # one-time cost of each instance placed in a new site
    horizon: float = 12.0  # H: months the one-time costs are amortised over
    priority: float = 1.0
    max_scale: float = 2.0
    capacity_cap: float | None = None  # efficiency: the most capacity worth buying
    today: tuple[Candidate, ...] = field(default=(), compare=False)  # one per resource
    today_allowed: bool = True  # today's resources pass its placement and compatibility rules
    needs: str = field(default="", compare=False)  # its requirements, for messages
    where: str = field(default="", compare=False)  # where it may run, for messages

    def is_new(self, c: Candidate) -> bool:
        """Whether ``c`` is a new placement for this workload (one it does not run in today).
        A workload with nothing running today has nothing to move: no placement is new."""
        return bool(self.sites) and c.site not in self.sites

    def shape(self) -> Shape:
        """Everything the solution depends on: equal shapes have equal optimal allocations.
        Built once per workload (it is a dict key in every stage)."""
        known: Shape | None = self.__dict__.get("_shape")
        if known is None:
            known = self.__dict__["_shape"] = Shape(self._shape_fields())
        return known

    def _shape_fields(self) -> tuple[object, ...]:
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
            self.gpus,
            self.sites,
            self.move_cost,
            self.per_instance,
            self.horizon,
            self.priority,
            self.max_scale,
            self.capacity_cap,
        )


@dataclass(frozen=True)
class HeldBack:
    """A workload the plan leaves as it runs today, and what changing it would have saved."""

    name: str
    monthly_saving: Decimal  # monthly cost today less its best plan's (amortised moves too)
    one_time_cost: Decimal
    reason: str


@dataclass(frozen=True)
class Cleanup:
    """What scan flags and the plan removes: the finding and every resource it removes."""

    finding: Finding
    resources: tuple[Resource, ...]


@dataclass(frozen=True)
class Problem:
    workloads: list[WorkloadProblem]
    idle: list[Resource]  # idle, unprotected, in no workload: proposed for termination
    objective: Objective = Objective.COST
    budget: Decimal | None = None  # what the workloads' compute may cost: B - fixed
    currency: str = "USD"
    fixed: Decimal = Decimal(0)  # what the plan keeps outside workloads (disks, databases, ...)
    cleanup: list[Cleanup] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)

    @property
    def bill_budget(self) -> Decimal | None:
        """--budget as given: the whole planned monthly bill."""
        return None if self.budget is None else self.budget + self.fixed


GCP_ZONE_LETTERS = {
    # Regions whose first three zones are not -a, -b, -c (Compute Engine's zone list).
    "europe-west1": "bcd",
    "us-east1": "bcd",
    "europe-west4": "abc",
    "asia-east1": "abc",
}


def zones_of(provider: str, region: str) -> list[str]:
    """The zone names a provider gives a region: AWS ``us-east-1a``, GCP ``europe-west1-b``,
    Azure ``eastus-1`` (Azure's zones are "1".."3" per region; lepton prefixes the region, as
    its inventory does, so zone names are unique)."""
    if provider == "aws":
        return [f"{region}{c}" for c in "abc"]
    if provider == "gcp":
        return [f"{region}-{c}" for c in GCP_ZONE_LETTERS.get(region, "abc")]
    return [f"{region}-{n}" for n in range(1, ZONES_PER_REGION + 1)]


def expand(offering: Offering, zones: bool, use_perf: bool = True) -> list[Candidate]:
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
                    perf=offering.perf if use_perf else 1.0,
                    monthly=offering.monthly(pricing),
                    zone=zone,
                    gpus=offering.gpus,
                )
            )
    return out


def prune_dominated(
    candidates: Iterable[Candidate], by_region: bool = False, multiples: bool = True
) -> list[Candidate]:
    """Drop every candidate that another one beats within its group: same provider, zone and
    spot-ness (and region, when ``by_region``: a new region's one-time cost is a row of its
    own; and within regions when it spreads over zones: the zone rows count per region),
    so the same rows of every constraint.

    ``a`` beats ``b`` when m instances of ``a`` give at least ``b``'s capacity, memory and GPUs
    for at most its price. m = 1 needs a strict improvement somewhere (exact ties are kept).
    m >= 2 (only with ``multiples``) adds instances, which only helps every row: capacity,
    memory, GPUs, replicas, the non-spot capacity of the spot-share rows (spot or not: the
    groups never mix them), what survives the loss of a provider. Only a per-instance one-time
    cost of a new placement makes more instances cost more: then ``multiples`` is off. Every
    optimum has an equal-cost twin among the kept ones; dropping the many exact multiples
    (``2xlarge`` = 2 x ``xlarge``) removes the symmetry that makes branch and bound slow."""
    groups: dict[tuple[str, str, str | None, bool], list[Candidate]] = defaultdict(list)
    for c in candidates:
        groups[(c.provider, c.region if by_region else "", c.zone, c.spot)].append(c)
    kept: list[Candidate] = []
    for group in groups.values():
        kept += _pareto(group, multiples)
    return sorted(kept, key=lambda c: c.sort_key)


def _pareto(group: list[Candidate], multiples: bool = True) -> list[Candidate]:
    # Beating is transitive and a beater never has a higher price per capacity, so in this
    # order comparing with the survivors so far suffices.
    order = sorted(
        group,
        key=lambda c: (c.monthly / Decimal(str(c.capacity)), c.monthly, -c.memory_gib, -c.gpus),
    )
    front: list[Candidate] = []
    for c in order:
        if not any(_beats(f, c, multiples) for f in front):
            front.append(c)
    return front


def _beats(a: Candidate, b: Candidate, multiples: bool = True) -> bool:
    if b.gpus > 0 and a.gpus == 0:
        return False
    m = max(
        math.ceil(b.capacity / a.capacity - 1e-9),
        math.ceil(b.memory_gib / a.memory_gib - 1e-9),
        math.ceil(b.gpus / a.gpus - 1e-9) if a.gpus else 1,
        1,
    )
    if m >= 2:
        return multiples and a.monthly * m <= b.monthly
    same = (
        a.capacity == b.capacity
        and a.memory_gib == b.memory_gib
        and a.gpus == b.gpus
        and a.monthly == b.monthly
    )
    return a.monthly <= b.monthly and not same


class TypeFacts:
    """What the catalog says about the instance types resources run on: arch and perf."""

    def __init__(self, offerings: Sequence[Offering], use_perf: bool = True) -> None:
        self.use_perf = use_perf
        self._by_type: dict[tuple[str, str], Offering] = {}
        for o in offerings:
            self._by_type.setdefault((o.provider, o.type), o)

    def perf(self, r: Resource) -> float:
        """The resource's own ``perf``, else its type's in the catalog, else 1.0: demand and
        candidates on one scale. 1.0 everywhere with ``--no-perf``."""
        if not self.use_perf:
            return 1.0
        if "perf" in r.model_fields_set:
            return r.perf
        o = self._by_type.get((r.provider, r.type or ""))
        return o.perf if o is not None else 1.0

    def arch(self, r: Resource) -> tuple[str, bool]:
        """(arch, known): its own, else its type's in the catalog, else x86_64 (assumed)."""
        if r.arch:
            return r.arch, True
        o = self._by_type.get((r.provider, r.type or ""))
        if o is not None:
            return o.arch or DEFAULT_ARCH, True
        return DEFAULT_ARCH, False


def derived_demand(
    resources: Iterable[Resource], headroom: float, facts: TypeFacts | None = None
) -> tuple[float, float]:
    """(vcpu, memory_gib) = sum of used perf-vCPUs and used memory, times (1 + headroom).

    A resource with no utilisation counts at full size, without headroom: its full size is
    already the most it can use, and adding headroom to a guess would make every fleet without
    memory metrics (EC2 without the CloudWatch agent) "need" 20% more than it has."""
    vcpu = memory = 0.0
    grow = 1 + headroom
    for r in resources:
        u = r.utilization
        perf = facts.perf(r) if facts is not None else r.perf
        cpu = grow * u.cpu_p95 if u is not None and u.cpu_p95 is not None else 1.0
        mem = grow * u.memory_p95 if u is not None and u.memory_p95 is not None else 1.0
        vcpu += (r.vcpus or 0.0) * perf * cpu
        memory += (r.memory_gib or 0.0) * mem
    return vcpu, memory


def _serving(r: Resource) -> bool:
    return r.kind is ResourceKind.COMPUTE and r.state is ResourceState.RUNNING


def workload_list(inventory: Inventory) -> list[Workload]:
    """Declared workloads, then one default workload per other ``workload`` tag, by name."""
    declared = {w.name: w for w in inventory.workloads}
    tagged = {r.workload for r in inventory.resources if r.workload and _serving(r)}
    for name in sorted(tagged - declared.keys()):
        declared[name] = Workload(name=name)
    return [declared[n] for n in sorted(declared)]


@dataclass(frozen=True)
class Filter:
    """Which offerings a workload may use (DESIGN.md, "Placement and compatibility")."""

    providers: tuple[str, ...] | None  # None: any
    regions: tuple[str, ...] | None
    sites: tuple[Site, ...] | None  # residency by default: where it runs today
    arch: tuple[str, ...] | None
    platforms: tuple[str, ...]
    gpus: bool  # GPU workloads need gpus_o >= 1; the others take no GPU instance
    gpu_models: tuple[str, ...] | None
    spot: bool  # a spot share of 0 forbids spot: no use keeping the columns
    zones: bool
    by_region: bool = False  # prune within regions: new placements cost something
    multiples: bool = True  # prune b for m x a (off when placing an instance anew costs)

    def admits(self, o: Offering) -> bool:
        return (
            (self.providers is None or o.provider in self.providers)
            and (self.regions is None or o.region in self.regions)
            and (self.sites is None or (o.provider, o.region) in self.sites)
            and (self.arch is None or (o.arch or DEFAULT_ARCH) in self.arch)
            and o.platform in self.platforms
            and (o.gpus > 0) == self.gpus
            and (self.gpu_models is None or o.gpu_model in self.gpu_models)
        )

    def admits_today(self, r: Resource, arch: str) -> bool:
        """Whether a resource it runs on today keeps these rules (else the workload must
        change, whatever ``--max-changes`` says)."""
        gpus = r.gpus or 0
        return (
            (self.providers is None or r.provider in self.providers)
            and (self.regions is None or r.region in self.regions)
            and (self.arch is None or arch in self.arch)
            and (r.platform or DEFAULT_PLATFORM) in self.platforms
            and (gpus > 0 or not self.gpus)
            and (self.gpu_models is None or gpus == 0 or r.gpu_model in self.gpu_models)
        )


class CandidatePool:
    """Candidates per filter: built and pruned once each."""

    def __init__(self, offerings: Sequence[Offering], use_perf: bool = True) -> None:
        self.offerings = sorted(offerings, key=lambda o: o.key)
        self.use_perf = use_perf
        self._memo: dict[Filter, tuple[Candidate, ...]] = {}
        self._all: dict[Filter, list[Candidate]] = {}
        self._candidates: dict[int, list[Candidate]] = {}

    def get(self, f: Filter) -> tuple[Candidate, ...]:
        if f not in self._memo:
            self._all[f] = [
                c
                for o in self.offerings
                if f.admits(o)
                for c in self._expanded(o)  # zones are counted per region (milp), not copied
                if f.spot or not c.spot
            ]
            by_region = f.by_region or f.zones
            self._memo[f] = tuple(prune_dominated(self._all[f], by_region, f.multiples))
        return self._memo[f]

    def _expanded(self, o: Offering) -> list[Candidate]:
        # Every filter re-reads the same offerings: expand each once (by identity:
        # self.offerings keeps every one alive).
        if id(o) not in self._candidates:
            self._candidates[id(o)] = expand(o, False, self.use_perf)
        return self._candidates[id(o)]

    def with_current(self, f: Filter, current: frozenset[PlacementKey]) -> tuple[Candidate, ...]:
        """The pruned candidates plus any pruned one the workload runs today (ties go to it)."""
        kept = self.get(f)
        have = {c.key for c in kept}
        if current <= have:
            return kept
        extra = [c for c in self._all[f] if c.key in current and c.key not in have]
        return tuple(sorted((*kept, *extra), key=lambda c: c.sort_key))


def _listed(value: list[str] | str | None) -> tuple[str, ...] | None:
    """An ``allowed`` / ``requires`` list, or None for ``any`` / not given."""
    return None if value is None or value == "any" else tuple(sorted(value))


@dataclass
class Context:
    """What every workload's problem is built from."""

    pool: CandidatePool
    options: ProblemOptions
    facts: TypeFacts
    data_gib: dict[str, float]  # GiB of storage attached to each workload's resources
    assumptions: list[str] = field(default_factory=list)


def _arch(w: Workload, resources: Sequence[Resource], ctx: Context) -> tuple[str, ...] | None:
    if w.requires is not None and w.requires.arch is not None:
        return _listed(w.requires.arch)
    found = set()
    for r in resources:
        arch, known = ctx.facts.arch(r)
        found.add(arch)
        if not known:
            ctx.assumptions.append(
                f"{w.name}: {r.id} ({r.type or 'no type'}) assumed {DEFAULT_ARCH}: neither the "
                "inventory nor the catalog says its architecture"
            )
    return tuple(sorted(found or {DEFAULT_ARCH}))


def _platforms(w: Workload, resources: Sequence[Resource]) -> tuple[str, ...]:
    if w.requires is not None and w.requires.platform:
        return (w.requires.platform,)
    return tuple(sorted({r.platform or DEFAULT_PLATFORM for r in resources} or {DEFAULT_PLATFORM}))


def _gpus(w: Workload, resources: Sequence[Resource]) -> int:
    if w.demand is not None and w.demand.gpus is not None:
        return w.demand.gpus
    return sum(r.gpus or 0 for r in resources)


def workload_filter(
    w: Workload, resources: Sequence[Resource], ctx: Context, zones: bool
) -> Filter:
    """The placement and compatibility filters of ``w``, with their defaults from today."""
    sites = tuple(sorted({(r.provider, r.region) for r in resources}))
    moves = w.allowed is not None and bool(sites)  # it may leave where it runs today
    gpus = _gpus(w, resources) > 0
    models = w.requires.gpu_models if w.requires and w.requires.gpu_models else None
    return Filter(
        providers=_listed(w.allowed.providers) if w.allowed else None,
        regions=_listed(w.allowed.regions) if w.allowed else None,
        sites=sites if w.allowed is None and sites else None,
        arch=_arch(w, resources, ctx),
        platforms=_platforms(w, resources),
        gpus=gpus,
        gpu_models=tuple(sorted(models)) if models and gpus else None,
        spot=w.max_spot_share > 0,
        zones=zones,
        by_region=moves,
        multiples=not (moves and ctx.options.migration.per_instance > 0),
    )


def needs_text(f: Filter) -> str:
    """What the filter asks of an instance, in a reviewer's words."""
    if f.gpus:
        model = f" of model {' or '.join(f.gpu_models)}" if f.gpu_models else ""
        return f"1 GPU{model} per instance"
    arch = " or ".join(f.arch) if f.arch else "any-architecture"
    return f"an {arch} {' or '.join(f.platforms)} instance"


def where_text(f: Filter) -> str:
    if f.sites is not None:
        return "where it runs today: " + ", ".join(f"{p} {r}" for p, r in f.sites)
    providers = ", ".join(f.providers) if f.providers else "any provider"
    regions = ", ".join(f.regions) if f.regions else "any region"
    return f"allowed: {providers} in {regions}"


def check_derivable(w: Workload, resources: Sequence[Resource]) -> None:
    """InputError (exit 3) when ``w`` declares no demand and none can be derived: never a plan
    that serves it with nothing."""
    if w.demand is not None:
        return
    if not resources:
        raise InputError(
            f"workload {w.name}: declares no demand and no running compute resource is tagged "
            f"workload={w.name}, so there is nothing to size it from",
            hint=f"add `demand: {{vcpu: N, memory_gib: M}}` to workload {w.name}, or tag its "
            "resources",
        )
    blind = sorted(r.id for r in resources if r.vcpus is None or r.memory_gib is None)
    if blind:
        more = f" (and {len(blind) - 3} more)" if len(blind) > 3 else ""
        raise InputError(
            f"workload {w.name}: its demand cannot be derived: {', '.join(blind[:3])}{more} "
            "have no vcpus or memory_gib (as from a billing export)",
            hint=f"declare `demand: {{vcpu: N, memory_gib: M}}` for workload {w.name} under "
            "`workloads:` in an inventory file (another --source beside the export), or give "
            "those resources vcpus and memory_gib",
        )


def workload_problem(w: Workload, resources: Sequence[Resource], ctx: Context) -> WorkloadProblem:
    """A workload's demand (given, else derived), rules with their defaults, and candidates."""
    check_derivable(w, resources)
    options = ctx.options
    headroom = options.headroom if w.headroom is None else w.headroom
    if w.demand is not None:
        vcpu, memory = w.demand.vcpu, w.demand.memory_gib
    else:
        vcpu, memory = derived_demand(resources, headroom, ctx.facts)
    gpus = _gpus(w, resources)
    busy = vcpu > 0 or memory > 0 or gpus > 0
    replicas = w.min_replicas if w.min_replicas is not None else (1 if busy else 0)
    spread = w.spread
    min_zones = spread.min_zones if spread and spread.min_zones else 1
    current = frozenset(_current_key(r) for r in resources)
    f = workload_filter(w, resources, ctx, min_zones > 1)
    moves = bool(resources) and f.sites is None  # it may leave where it runs today
    egress = max((options.migration.egress(r.provider) for r in resources), default=0.0)
    data = w.data_gib if w.data_gib is not None else ctx.data_gib.get(w.name, 0.0)
    return WorkloadProblem(
        name=w.name,
        vcpu=_round(vcpu),
        memory_gib=_round(memory),
        min_replicas=replicas,
        max_spot_share=w.max_spot_share,
        min_providers=spread.min_providers if spread and spread.min_providers else 1,
        min_zones=min_zones,
        survive_fraction=w.survive_loss_of_provider,
        candidates=ctx.pool.with_current(f, current),
        current=current,
        allowed_providers=f.providers or (),
        resources=tuple(resources),
        gpus=gpus,
        sites=frozenset((r.provider, r.region) for r in resources) if moves else frozenset(),
        move_cost=_round(data * egress) if moves else 0.0,
        per_instance=options.migration.per_instance if moves else 0.0,
        horizon=options.migration.horizon_months,
        priority=float(w.priority),
        max_scale=w.max_scale,
        today=tuple(_as_candidate(r, ctx.facts, min_zones > 1) for r in resources),
        today_allowed=all(f.admits_today(r, ctx.facts.arch(r)[0]) for r in resources),
        needs=needs_text(f),
        where=where_text(f),
    )


def _as_candidate(r: Resource, facts: TypeFacts, zones: bool) -> Candidate:
    """A resource as what it is worth to its workload today (its own price and perf)."""
    return Candidate(
        provider=r.provider,
        region=r.region,
        type=r.type or "",
        pricing=r.pricing,
        vcpus=r.vcpus or 0.0,
        memory_gib=r.memory_gib or 0.0,
        perf=facts.perf(r),
        monthly=r.monthly_cost,
        zone=(r.zone or r.region) if zones else None,
        gpus=r.gpus or 0,
    )


def _round(value: float) -> float:
    # Derived demand is a sum of float products: round so equal fleets give equal shapes.
    return math.ceil(value * 1e6 - 1e-6) / 1e6


def _current_key(r: Resource) -> PlacementKey:
    return (r.provider, r.region, r.type or "", r.pricing)


def attached_storage(inventory: Inventory, owners: dict[str, str]) -> dict[str, float]:
    """GiB of storage per workload: disks attached to its resources (``owners``: resource id,
    lower-cased, -> workload) or tagged with it. What a move has to copy."""
    out: dict[str, float] = defaultdict(float)
    for r in inventory.resources:
        if r.kind is not ResourceKind.STORAGE or r.state is ResourceState.UNATTACHED:
            continue
        owner = owners.get((r.attached_to or "").lower()) or r.workload
        if owner:
            out[owner] += r.size_gib or 0.0
    return out


CLEANED = (
    FindingKind.STOPPED_PAYING,
    FindingKind.UNATTACHED_VOLUME,
    FindingKind.OLD_SNAPSHOT,
    FindingKind.UNATTACHED_ADDRESS,
)


def cleanup_of(inventory: Inventory, options: ProblemOptions) -> list[Cleanup]:
    """What scan flags besides idle compute (stopped instances still paying, with their disks;
    unattached volumes and addresses; old snapshots), protected resources excepted."""
    attached: dict[str, list[Resource]] = defaultdict(list)
    for r in inventory.resources:
        if r.attached_to and not r.protected:
            attached[r.attached_to.lower()].append(r)
    out = []
    for f in findings(inventory, options):
        if f.kind not in CLEANED:
            continue
        extra = attached.get(f.resource.id.lower(), []) if f.kind is CLEANED[0] else []
        out.append(Cleanup(f, (f.resource, *sorted(extra, key=lambda r: r.id))))
    return sorted(out, key=lambda c: c.finding.resource.id)


def build_problem(
    inventory: Inventory,
    offerings: Sequence[Offering],
    options: ProblemOptions,
    objective: Objective = Objective.COST,
    budget: Decimal | None = None,
) -> Problem:
    """The whole problem: one WorkloadProblem per workload, the idle resources and what scan
    flags for clean-up. ``budget`` is the whole planned bill: what the plan keeps outside
    workloads (``fixed``) is taken off before it bounds the workloads' compute."""
    by_workload: dict[str, list[Resource]] = defaultdict(list)
    for r in inventory.resources:
        if r.workload and _serving(r):
            by_workload[r.workload].append(r)
    owners = {r.id.lower(): w for w, rs in by_workload.items() for r in rs}
    ctx = Context(
        CandidatePool(offerings, options.use_perf),
        options,
        TypeFacts(offerings, options.use_perf),
        attached_storage(inventory, owners),
    )
    workloads = _workload_problems(inventory, by_workload, ctx)
    idle = sorted(
        (
            r
            for r in inventory.resources
            if not r.workload and not r.protected and is_idle(r, options)
        ),
        key=lambda r: r.id,
    )
    cleanup = cleanup_of(inventory, options)
    fixed = _fixed(inventory, workloads, idle, cleanup)
    return Problem(
        workloads,
        idle,
        objective,
        None if budget is None else budget - fixed,
        inventory.currency,
        fixed,
        cleanup,
        ctx.assumptions,
    )


def _workload_problems(
    inventory: Inventory, by_workload: dict[str, list[Resource]], ctx: Context
) -> list[WorkloadProblem]:
    """One problem per workload; every workload without a demand is named at once."""
    out, blind = [], []
    for w in workload_list(inventory):
        try:
            out.append(workload_problem(w, by_workload.get(w.name, []), ctx))
        except InputError as e:
            blind.append(e)
    if len(blind) > 1:
        names = [e.args[0].split(":", 1)[0].removeprefix("workload ") for e in blind]
        raise InputError(
            f"{len(blind)} workloads have no demand to plan for ({', '.join(names)}); "
            f"the first: {blind[0].args[0]}",
            hint=blind[0].hint,
        )
    if blind:
        raise blind[0]
    return out


def _fixed(
    inventory: Inventory,
    workloads: Sequence[WorkloadProblem],
    idle: Sequence[Resource],
    cleanup: Sequence[Cleanup],
) -> Decimal:
    """The monthly cost of everything the plan keeps as it is: no workload, not removed."""
    gone = {r.id for w in workloads for r in w.resources} | {r.id for r in idle}
    gone |= {r.id for c in cleanup for r in c.resources}
    return sum((r.monthly_cost for r in inventory.resources if r.id not in gone), Decimal(0))
