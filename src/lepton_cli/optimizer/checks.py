"""Why a workload cannot be served at any cost, said in the workload's own terms."""

from __future__ import annotations

from lepton_cli.optimizer.problem import WorkloadProblem, zones_of


def _names(values: set[str]) -> str:
    return ", ".join(sorted(values)) or "none"


def explain_infeasible(wp: WorkloadProblem) -> str | None:
    """The first rule ``wp`` cannot meet with its candidates, or None when none is obviously
    violated (the solver may still prove it infeasible)."""
    providers = {c.provider for c in wp.candidates}
    if not wp.candidates:
        allowed = _names(set(wp.allowed_providers)) if wp.allowed_providers else "any provider"
        return f"{wp.name} has no offering to run on (allowed: {allowed} in its allowed regions)"
    if len(providers) < wp.min_providers:
        only = _names(providers)
        return f"{wp.name} needs {wp.min_providers} providers but allows only {only}"
    if wp.survive_fraction > 0 and wp.vcpu > 0 and len(providers) < 2:
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
    return (
        f"{wp.name}: no mix of offerings meets {wp.vcpu:g} vCPU / {wp.memory_gib:g} GiB with "
        f"{wp.min_replicas} replicas, spot share <= {wp.max_spot_share:g}, "
        f"{wp.min_providers} provider(s) and {wp.min_zones} zone(s)"
    )
