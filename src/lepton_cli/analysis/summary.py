"""Group an inventory's monthly run-rate by any of its dimensions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from lepton_cli.analysis.breakdown import FleetMetrics, fleet_metrics
from lepton_cli.errors import UsageError
from lepton_cli.models import Resource

_KEYS: dict[str, Callable[[Resource], str | None]] = {
    "provider": lambda r: r.provider,
    "account": lambda r: r.account,
    "region": lambda r: r.region,
    "kind": lambda r: r.kind.value,
    "service": lambda r: r.resource_type or r.kind.value,
    "type": lambda r: r.type,
    "pricing": lambda r: r.pricing.value,
    "state": lambda r: r.state.value,
    "workload": lambda r: r.workload,
}
GROUP_KEYS = (*_KEYS, "tag:KEY")


def key_of(name: str) -> Callable[[Resource], str | None]:
    """The function reading grouping key ``name`` (a dimension or ``tag:KEY``) off a resource."""
    if name.startswith("tag:") and len(name) > 4:
        tag = name[4:]
        return lambda r: r.tags.get(tag)
    if name not in _KEYS:
        raise UsageError(f"cannot group by {name!r}", hint=f"use {', '.join(GROUP_KEYS)}")
    return _KEYS[name]


@dataclass
class Group:
    keys: dict[str, str | None]
    resources: list[Resource] = field(default_factory=list)

    @property
    def metrics(self) -> FleetMetrics:
        return fleet_metrics(self.resources)


def group_resources(resources: Iterable[Resource], by: Sequence[str]) -> list[Group]:
    """Groups sorted by monthly cost, largest first (ties by keys for stable output)."""
    getters = [(name, key_of(name)) for name in by]
    groups: dict[tuple[str | None, ...], Group] = {}
    for r in resources:
        values = tuple(get(r) for _, get in getters)
        group = groups.setdefault(values, Group(dict(zip(by, values, strict=True))))
        group.resources.append(r)
    return sorted(groups.values(), key=_order)


def _order(g: Group) -> tuple[Decimal, tuple[str, ...]]:
    return (-g.metrics.monthly_cost, tuple(v or "" for v in g.keys.values()))
