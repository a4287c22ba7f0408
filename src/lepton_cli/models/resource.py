"""A resource a company runs and pays for, normalised across providers."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from lepton_cli.models.base import Count, Days, HourlyPrice, Model, Perf, Share, Size, StorageGib
from lepton_cli.models.money import monthly

Fraction = float  # a share in [0, 1]


class Pricing(StrEnum):
    ON_DEMAND = "on-demand"
    SPOT = "spot"
    RESERVED = "reserved"


class ResourceKind(StrEnum):
    COMPUTE = "compute"
    STORAGE = "storage"
    DATABASE = "database"
    NETWORK = "network"
    OTHER = "other"


class ResourceState(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"
    UNATTACHED = "unattached"


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (as CloudWatch's pNN statistics) of a non-empty sequence."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class Utilization(Model):
    """Observed utilisation as fractions of capacity over ``days`` days."""

    cpu_avg: Share | None = None
    cpu_p95: Share | None = None
    memory_p95: Share | None = None
    days: Days | None = None

    @classmethod
    def from_samples(
        cls,
        cpu: Sequence[float],
        days: int,
        memory: Sequence[float] = (),
        scale: float = 1.0,
        sample_seconds: int = 3600,
    ) -> Utilization:
        """Mean and p95 of metric samples (``scale`` 100 for percentages), clamped to 0..1 and
        rounded to 4 decimals (a hundredth of a percent: finer is noise in a plan).

        ``days`` is the look-back asked for, capped at the days the samples actually cover, so
        an instance launched an hour ago is not "idle over 14 days"."""

        def share(v: float) -> float:
            return min(1.0, max(0.0, v / scale))

        cpu_share = [share(v) for v in cpu]
        memory_share = [share(v) for v in memory]
        return cls(
            cpu_avg=round(sum(cpu_share) / len(cpu_share), 4),
            cpu_p95=round(percentile(cpu_share, 0.95), 4),
            memory_p95=round(percentile(memory_share, 0.95), 4) if memory_share else None,
            days=min(days, len(cpu_share) * sample_seconds // 86400),
        )


class Resource(Model):
    id: str = Field(min_length=1)
    provider: str = Field(min_length=1)
    account: str = ""
    region: str = ""
    zone: str | None = None
    kind: ResourceKind = ResourceKind.COMPUTE
    resource_type: str | None = None  # e.g. aws.ec2-instance, azure.managed-disk
    type: str | None = None  # instance type / VM size / machine type / volume type
    pricing: Pricing = Pricing.ON_DEMAND
    hourly_cost: HourlyPrice = Decimal(0)
    # From a bill (FOCUS): hourly_cost is the effective (amortised) cost, this the billed one.
    billed_hourly_cost: HourlyPrice | None = None
    vcpus: Size | None = None
    memory_gib: Size | None = None
    size_gib: StorageGib | None = None  # storage capacity
    perf: Perf = 1.0
    arch: str | None = None  # x86_64 | arm64; None: the catalog's arch for its type, else x86_64
    platform: str | None = None  # linux | windows | ...; None: linux
    gpus: Count | None = None  # accelerators on the instance
    gpu_model: str | None = None  # e.g. A10G, L4, A100, H100
    utilization: Utilization | None = None
    state: ResourceState = ResourceState.RUNNING
    attached_to: str | None = None  # the compute resource a volume or address belongs to
    created_at: dt.datetime | None = None
    tags: dict[str, str] = Field(default_factory=dict)

    @property
    def monthly_cost(self) -> Decimal:
        return monthly(self.hourly_cost)

    @property
    def billed_monthly_cost(self) -> Decimal | None:
        """Monthly billed cost when it differs in kind from the effective one (FOCUS)."""
        return None if self.billed_hourly_cost is None else monthly(self.billed_hourly_cost)

    @property
    def workload(self) -> str | None:
        return self.tags.get("workload")

    @property
    def protected(self) -> bool:
        return self.tags.get("lepton:protect", "").lower() == "true"

    @property
    def cpu_used(self) -> float:
        """Share of CPU in use, counting a resource with no utilisation at full size."""
        if self.utilization is None or self.utilization.cpu_p95 is None:
            return 1.0
        return self.utilization.cpu_p95
