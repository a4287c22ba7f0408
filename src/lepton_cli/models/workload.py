"""A workload: what must keep being served, and the continuity rules around it."""

from __future__ import annotations

from pydantic import Field

from lepton_cli.models.base import Count, DemandAmount, Headroom, Model, PositiveCount, Share


class Demand(Model):
    vcpu: DemandAmount
    memory_gib: DemandAmount = 0


class Spread(Model):
    min_providers: PositiveCount | None = None
    min_zones: PositiveCount | None = None


class Allowed(Model):
    providers: list[str] | None = None
    regions: list[str] | None = None


class Workload(Model):
    name: str = Field(min_length=1)
    demand: Demand | None = None  # derived from utilisation when absent
    min_replicas: Count | None = None
    max_spot_share: Share = 0.0
    spread: Spread | None = None
    survive_loss_of_provider: Share = 0.0
    allowed: Allowed | None = None
    priority: Count = 1
    headroom: Headroom | None = None  # default from config (0.2)
