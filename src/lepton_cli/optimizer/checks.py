"""Why a workload cannot be served at any cost, said in the workload's own terms; and whether
an allocation (today's, or any) keeps a workload's rules, checked directly from DESIGN.md."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from lepton_cli.optimizer.problem import Candidate, WorkloadProblem, zones_of

EPS = 1e-6  # derived demand is rounded up to 1e-6


def _names(values: set[str]) -> str:
    return ", ".join(sorted(values)) or "none"


def explain_infeasible(wp: WorkloadProblem) -> str | None:
    """The first rule ``wp`` cannot meet with its candidates, or None when none is obviously
    violated (the solver may still prove it infeasible)."""
    providers = {c.provider for c in wp.candidates}
    if not wp.candidates:
        where = f" ({wp.where})" if wp.where else ""
        needs = wp.needs or "an instance"
        return f"{wp.name} needs {needs}; no allowed region sells one{where}"
    if len(providers) < wp.min_providers:
        only = _names(providers)
        return f"{wp.name} needs {wp.min_providers} providers but allows only {only}"
    if wp.survive_fraction > 0 and (wp.vcpu > 0 or wp.memory_gib > 0) and len(providers) < 2:
        share = f"{wp.survive_fraction:.0%}"
        return (
            f"{wp.name} must keep {share} of its capacity after losing a provider but "
            f"allows only {_names(providers)}"
        )
    zones = sum(len(zones_of(p, r)) for p, r in {(c.provider, c.region) for c in wp.candidates})
    if zones < wp.min_zones:
        return f"{wp.name} needs {wp.min_zones} zones but its allowed regions have only {zones}"
    return None


def solver_said_infeasible(wp: WorkloadProblem) -> str:
    gpus = f" / {wp.gpus} GPU" if wp.gpus else ""
    return (
        f"{wp.name}: no mix of offerings meets {wp.vcpu:g} vCPU / {wp.memory_gib:g} GiB{gpus} "
        f"with {wp.min_replicas} replicas, spot share <= {wp.max_spot_share:g}, "
        f"{wp.min_providers} provider(s) and {wp.min_zones} zone(s)"
    )


def _covers(counts: Mapping[Candidate, int], vcpu: float, memory: float) -> bool:
    k = sum(c.capacity * n for c, n in counts.items())
    m = sum(c.memory_gib * n for c, n in counts.items())
    return k >= vcpu - EPS and m >= memory - EPS


def survives_loss(wp: WorkloadProblem, counts: Mapping[Candidate, int]) -> bool:
    """After losing any one provider it uses, the rest keep f of vCPU and memory demand."""
    if wp.survive_fraction <= 0:
        return True
    f = wp.survive_fraction
    return all(
        _covers(
            {c: n for c, n in counts.items() if c.provider != p}, f * wp.vcpu, f * wp.memory_gib
        )
        for p in {c.provider for c, n in counts.items() if n > 0}
    )


def meets_rules(wp: WorkloadProblem, counts: Mapping[Candidate, int]) -> bool:
    """Every row of DESIGN.md's model for one workload, on whole instances."""
    used = {c: n for c, n in counts.items() if n > 0}
    keep = 1 - wp.max_spot_share
    plain = {c: n for c, n in used.items() if not c.spot}
    return (
        _covers(used, wp.vcpu, wp.memory_gib)
        and sum(c.gpus * n for c, n in used.items()) >= wp.gpus
        and sum(used.values()) >= wp.min_replicas
        and _covers(plain, keep * wp.vcpu, keep * wp.memory_gib)
        and len({c.provider for c in used}) >= wp.min_providers
        and zones_used(used) >= wp.min_zones
        and survives_loss(wp, used)
    )


def zones_used(counts: Mapping[Candidate, int]) -> int:
    """Zones an allocation can spread over: a candidate with a zone counts its zone; the
    instances of a region-wide one spread over up to all zones of its region."""
    explicit: set[tuple[str, str, str]] = set()
    spread: Counter[tuple[str, str]] = Counter()
    for c, n in counts.items():
        if n <= 0:
            continue
        if c.zone:
            explicit.add((c.provider, c.region, c.zone))
        else:
            spread[(c.provider, c.region)] += n
    total = len(explicit)
    for (p, r), n in spread.items():
        taken = sum(1 for q in explicit if q[:2] == (p, r))
        total += min(n, max(len(zones_of(p, r)) - taken, 0 if taken else 1))
    return total


def today_meets_rules(wp: WorkloadProblem) -> bool:
    """Whether what the workload runs today keeps its own rules (then it may stay as it is)."""
    if not wp.today or not wp.today_allowed:
        return False
    return meets_rules(wp, today_counts(wp))


def today_counts(wp: WorkloadProblem) -> dict[Candidate, int]:
    return dict(Counter(wp.today))
