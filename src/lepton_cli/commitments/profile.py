"""The hourly profile of eligible usage: on-demand compute spend per (provider, region,
family) and hour, after the commitments already owned are applied.

From FOCUS usage rows (hour by hour), from an inventory or from a plan (a run-rate: the same
every hour of the lookback, so the optimum is to cover all of it when it is steady).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from lepton_cli.commitments.normalise import family
from lepton_cli.models import Inventory, Pricing, ResourceKind, ResourceState

GroupKey = tuple[str, str, str]  # provider, region, family
LOOKBACKS = (7, 30, 60)


@dataclass
class Profile:
    hours: int
    end: dt.datetime | None = None
    usage: dict[GroupKey, npt.NDArray[np.float64]] = field(default_factory=dict)
    types: dict[GroupKey, dict[str, float]] = field(default_factory=dict)  # type -> spend
    source: str = ""

    def add(self, key: GroupKey, type_: str, hour: int, amount: float) -> None:
        if key not in self.usage:
            self.usage[key] = np.zeros(self.hours)
            self.types[key] = {}
        self.usage[key][hour] += amount
        self.types[key][type_] = self.types[key].get(type_, 0.0) + amount

    def add_flat(self, key: GroupKey, type_: str, hourly: float) -> None:
        if key not in self.usage:
            self.usage[key] = np.zeros(self.hours)
            self.types[key] = {}
        self.usage[key] += hourly
        self.types[key][type_] = self.types[key].get(type_, 0.0) + hourly * self.hours

    def reference_type(self, key: GroupKey) -> str:
        """The group's most used type (ties: by name): what a count is expressed in."""
        mix = self.types.get(key) or {"": 0.0}
        return min(mix, key=lambda t: (-mix[t], t))

    def scaled(self, share: float) -> Profile:
        return Profile(
            self.hours,
            self.end,
            {k: v * share for k, v in self.usage.items()},
            self.types,
            self.source,
        )


def from_focus(paths: Sequence[Path], days: int) -> Profile:
    from lepton_cli.billing.commitments import hourly_usage

    got = hourly_usage(paths, days)
    profile = Profile(days * 24, got.end, source="FOCUS usage rows")
    if got.end is None:
        return profile
    start = got.end.replace(tzinfo=None) - dt.timedelta(days=days)
    for provider, region, type_, hour, cost in got.rows:
        index = int((hour - start).total_seconds() // 3600)
        if 0 <= index < profile.hours:
            key = (provider, region, family(provider, type_))
            profile.add(key, type_, index, float(cost))
    return profile


def from_hourly_rows(
    provider: str,
    rows: Iterable[tuple[str, str, dt.datetime, Decimal]],
    days: int,
    end: dt.datetime,
    source: str,
) -> Profile:
    """(region, type, hour, on-demand cost) rows of one provider as a profile ending at ``end``."""
    profile = Profile(days * 24, end, source=source)
    start = end - dt.timedelta(days=days)
    for region, type_, hour, cost in rows:
        index = int((hour - start).total_seconds() // 3600)
        if 0 <= index < profile.hours:
            profile.add((provider, region, family(provider, type_)), type_, index, float(cost))
    return profile


def from_inventory(inventory: Inventory, days: int) -> Profile:
    """Running on-demand compute as a flat profile (reserved and spot are not eligible)."""
    profile = Profile(days * 24, source="inventory run-rate")
    for r in inventory.resources:
        eligible = (
            r.kind is ResourceKind.COMPUTE
            and r.state is ResourceState.RUNNING
            and r.pricing is Pricing.ON_DEMAND
            and r.type
            and r.hourly_cost > 0
        )
        if eligible and r.type:
            key = (r.provider, r.region, family(r.provider, r.type))
            profile.add_flat(key, r.type, float(r.hourly_cost))
    return profile


def from_allocations(
    allocations: Iterable[tuple[str, str, str, int, Decimal]], days: int, source: str
) -> Profile:
    """Planned on-demand instances (provider, region, type, count, monthly cost) as a flat
    profile: what the optimizer's fleet will run every hour."""
    profile = Profile(days * 24, source=source)
    for provider, region, type_, count, monthly_cost in allocations:
        if count > 0 and monthly_cost > 0:
            key = (provider, region, family(provider, type_))
            profile.add_flat(key, type_, float(monthly_cost) / 730)
    return profile


def from_plan_file(path: Path, days: int) -> Profile:
    from lepton_cli.plan.io import load_plan

    return from_plan(load_plan(path), days, f"plan {path.name}")


def from_plan(plan: Any, days: int, label: str) -> Profile:
    """The on-demand usage a plan's allocations would run (``plan``: a plan.model.Plan)."""
    return from_allocations(
        (
            (a.provider, a.region, a.type, a.count, a.monthly_cost)
            for w in plan.workloads
            for a in w.allocations
            if a.pricing is Pricing.ON_DEMAND
        ),
        days,
        label,
    )
