"""Per-resource FOCUS totals -> lepton Resources (provider names, kinds, hourly cost)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal

from lepton_cli.billing.query import ResourceCost
from lepton_cli.billing.schema import PROVIDERS as PROVIDERS
from lepton_cli.billing.schema import provider_slug as provider_slug
from lepton_cli.models import HOURS_PER_MONTH, Period, Resource, ResourceKind
from lepton_cli.models.period import midnight

KINDS: dict[str, ResourceKind] = {
    "compute": ResourceKind.COMPUTE,
    "storage": ResourceKind.STORAGE,
    "databases": ResourceKind.DATABASE,
    "networking": ResourceKind.NETWORK,
}
"""FOCUS ServiceCategory (lower-cased) -> resource kind; any other category is ``other``."""

HOURLY_QUANTUM = Decimal("1e-12")
"""Hourly costs keep 12 decimals: a rate, not a sum (sums stay exact)."""


def resource_type(provider: str, focus_type: str | None) -> str | None:
    """FOCUS ResourceType in lepton's style: ``Virtual machine`` -> ``azure.virtual-machine``.

    A value already in that style (``aws.ec2-instance``) is kept as it is.
    """
    if not focus_type:
        return None
    if "." in focus_type and " " not in focus_type:
        return focus_type
    return f"{provider}." + "-".join(focus_type.lower().split())


def kind_of(service_category: str | None) -> ResourceKind:
    return KINDS.get((service_category or "").strip().lower(), ResourceKind.OTHER)


def billed_hours(start: dt.datetime, end: dt.datetime) -> Decimal:
    """Hours a span of billing data stands for: 730 per whole calendar month, else the real hours.

    A whole month counts 730 hours whatever its length, so that a resource billed the whole month
    gets back exactly its bill as monthly cost (hourly × 730).
    """
    months = _whole_months(start, end)
    if months:
        return Decimal(HOURS_PER_MONTH * months)
    return Decimal(max((end - start).total_seconds(), 3600)) / 3600


def _whole_months(start: dt.datetime, end: dt.datetime) -> int:
    """How many calendar months [start, end) is, or 0 unless both ends are month starts."""
    starts_month = start == dt.datetime(start.year, start.month, 1)
    ends_month = end == dt.datetime(end.year, end.month, 1)
    months = (end.year - start.year) * 12 + end.month - start.month
    return months if starts_month and ends_month and months > 0 else 0


def period_hours(period: Period) -> Decimal:
    return billed_hours(midnight(period.start), midnight(period.end))


def data_span(costs: Iterable[ResourceCost]) -> tuple[dt.datetime, dt.datetime] | None:
    """First charge start and last charge end over all resources, if any carries them."""
    starts = [c.first_charge for c in costs if c.first_charge is not None]
    ends = [c.last_charge_end for c in costs if c.last_charge_end is not None]
    return (min(starts), max(ends)) if starts and ends else None


def to_resources(costs: list[ResourceCost], hours: Decimal) -> Iterator[Resource]:
    """One Resource per resource id (its dominant currency wins when it was billed in several).

    hourly_cost = effective (amortised) cost / ``hours`` and billed_hourly_cost = billed cost /
    ``hours``, never below zero (credits can exceed usage): a resource covered by a commitment
    is billed 0 but still costs its share of the commitment.
    """
    seen: set[str] = set()
    for cost in costs:  # sorted by id, then billed cost descending
        if cost.resource_id in seen:
            continue
        seen.add(cost.resource_id)
        yield to_resource(cost, hours)


def to_resource(cost: ResourceCost, hours: Decimal) -> Resource:
    provider = provider_slug(cost.provider_name)
    return Resource(
        id=cost.resource_id,
        provider=provider,
        account=cost.sub_account_id or cost.billing_account_id or "",
        region=cost.region_id or "",
        kind=kind_of(cost.service_category),
        resource_type=resource_type(provider, cost.resource_type),
        type=cost.type,
        hourly_cost=_hourly(cost.effective_cost, hours),
        billed_hourly_cost=_hourly(cost.billed_cost, hours),
        tags=cost.tags,
    )


def _hourly(cost: Decimal, hours: Decimal) -> Decimal:
    return (max(cost, Decimal(0)) / hours).quantize(HOURLY_QUANTUM)
