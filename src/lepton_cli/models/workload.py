"""A workload: what must keep being served, and the continuity rules around it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lepton_cli.models.base import Model

AnyValue = Literal["any"]
"""``any`` in place of a list: no restriction."""


class Demand(Model):
    vcpu: float = Field(ge=0)
    memory_gib: float = Field(default=0, ge=0)
    gpus: int | None = Field(default=None, ge=0)  # total GPUs; default: what runs today


class Spread(Model):
    min_providers: int | None = Field(default=None, ge=1)
    min_zones: int | None = Field(default=None, ge=1)


class Allowed(Model):
    """Where a workload may run. Without ``allowed`` it stays where it runs today; inside it, a
    field left out (or ``any``) does not restrict."""

    providers: list[str] | AnyValue | None = None
    regions: list[str] | AnyValue | None = None


class Requires(Model):
    """What a workload's software needs. Defaults: what its resources run on today."""

    arch: list[str] | AnyValue | None = None  # x86_64 | arm64
    platform: str | None = None  # linux | windows | ...
    gpu_models: list[str] | None = None  # e.g. [L4, A10G]


class Workload(Model):
    name: str = Field(min_length=1)
    demand: Demand | None = None  # derived from utilisation when absent
    min_replicas: int | None = Field(default=None, ge=0)
    max_spot_share: float = Field(default=0.0, ge=0, le=1)
    spread: Spread | None = None
    survive_loss_of_provider: float = Field(default=0.0, ge=0, le=1)
    allowed: Allowed | None = None
    requires: Requires | None = None
    data_gib: float | None = Field(default=None, ge=0)  # what a move copies; default: its disks
    priority: int = 1
    max_scale: float = Field(default=2.0, ge=1)  # efficiency: capacity at most this x demand
    headroom: float | None = Field(default=None, ge=0)  # default from config (0.2)
    # with `optimize --commitments plan`: pooled purchases (None, "pool") or per-instance
    # reserved candidates ("per-instance")
    commitments: Literal["pool", "per-instance"] | None = None
