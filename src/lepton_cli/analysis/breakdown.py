"""Fleet figures for an inventory (DESIGN.md): used cost C, idle cost, efficiency P.

C = Σ c_i·u_i (monthly price times utilisation), idle = Σ c_i·(1 − u_i), P = Σ vcpus_i·perf_i
over running compute. u_i is cpu_p95 for compute (a resource with no utilisation counts as fully
used, as in derived demand), 0 for anything unattached, and 1 for the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from lepton_cli.models import Resource, ResourceKind, ResourceState


@dataclass(frozen=True)
class FleetMetrics:
    monthly_cost: Decimal
    used_cost: Decimal
    idle_cost: Decimal
    efficiency: float
    resources: int


def used_share(r: Resource) -> float:
    """The share of a resource's price that buys work actually done."""
    if r.state is ResourceState.UNATTACHED:
        return 0.0
    if r.kind is ResourceKind.COMPUTE:
        return 0.0 if r.state is ResourceState.STOPPED else r.cpu_used
    return 1.0


def capacity(r: Resource) -> float:
    """Performance-weighted vCPUs a running compute resource provides."""
    if r.kind is not ResourceKind.COMPUTE or r.state is not ResourceState.RUNNING:
        return 0.0
    return (r.vcpus or 0.0) * r.perf


def fleet_metrics(resources: Iterable[Resource]) -> FleetMetrics:
    cost = used = Decimal(0)
    efficiency = 0.0
    count = 0
    for r in resources:
        c = r.monthly_cost
        cost += c
        used += c * Decimal(str(used_share(r)))
        efficiency += capacity(r)
        count += 1
    return FleetMetrics(cost, used, cost - used, efficiency, count)
