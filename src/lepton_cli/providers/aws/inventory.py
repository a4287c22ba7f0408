"""Read an estate: accounts x regions in a bounded pool, then prices per region, then Resources.

Phase 1 (one task per account and region): EC2 instances, volumes, addresses, snapshots and
reserved instances, plus CloudWatch utilisation; and one task per account for savings plans.
Phase 2 (one task per region): instance-type specs, Pricing API and spot prices for the union of
the types seen there. Phase 3: normalise. A failed task becomes a ScopeFailure; the rest is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lepton_cli.models import Resource, Utilization
from lepton_cli.models.resource import ResourceState
from lepton_cli.providers.aws import metrics, normalize
from lepton_cli.providers.aws.config import AwsConfig
from lepton_cli.providers.aws.errors import SDK_ERRORS, boundary
from lepton_cli.providers.aws.prices import (
    RegionPrices,
    TypeSpec,
    compute_prices,
    licensed_prices,
    spot_prices,
    storage_prices,
    type_specs,
)
from lepton_cli.providers.aws.session import GLOBAL_REGION, Account, profile_of
from lepton_cli.providers.base import ScopeFailure
from lepton_cli.providers.boundary import MalformedAnswer

T = TypeVar("T")
__all__ = ["SDK_ERRORS", "RegionRaw", "failure", "read_region", "scope_name"]


@dataclass
class RegionRaw:
    """What one account showed in one region, as raw API dicts."""

    account: Account
    region: str
    instances: list[dict[str, Any]] = field(default_factory=list)
    volumes: list[dict[str, Any]] = field(default_factory=list)
    addresses: list[dict[str, Any]] = field(default_factory=list)
    snapshots: list[dict[str, Any]] = field(default_factory=list)
    reserved: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, Utilization] = field(default_factory=dict)
    failures: list[ScopeFailure] = field(default_factory=list)


@dataclass
class RegionCatalog:
    specs: dict[str, TypeSpec] = field(default_factory=dict)
    prices: RegionPrices = field(default_factory=RegionPrices)


def scope_name(account: str, region: str | None = None, what: str | None = None) -> str:
    """``account 123 / region eu-west-1 (cloudwatch)``."""
    text = f"account {account}" + (f" / region {region}" if region else "")
    return f"{text} ({what})" if what else text


def failure(e: BaseException, scope: str) -> ScopeFailure:
    return boundary().failure(scope, e)


def _pages(client: Any, op: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    return [x for p in client.get_paginator(op).paginate(**kwargs) for x in p[key]]


def _instances(ec2: Any) -> list[dict[str, Any]]:
    live = [
        {"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]}
    ]
    reservations = _pages(
        ec2, "describe_instances", "Reservations", Filters=live, PaginationConfig={"PageSize": 1000}
    )
    return [i for r in reservations for i in r["Instances"]]


def _old_snapshots(ec2: Any, age_days: int) -> list[dict[str, Any]]:
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=age_days)
    snaps = _pages(ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"])
    return [s for s in snaps if s["StartTime"] < cutoff]


def read_region(target: tuple[Account, str], cfg: AwsConfig, days: int) -> RegionRaw | ScopeFailure:
    """Everything lepton reads in one account and region. Instances or volumes failing fails
    the scope; addresses, snapshots, reserved instances or CloudWatch failing is recorded as
    its own failure and the rest of the region kept. Credentials that stopped working raise
    ProviderError (every other scope would fail the same way)."""
    account, region = target
    raw = RegionRaw(account, region)
    edge = boundary(profile_of(account))

    def primary() -> Any:
        ec2 = account.client("ec2", region)
        raw.instances = _instances(ec2)
        raw.volumes = _pages(ec2, "describe_volumes", "Volumes")
        return ec2

    ec2 = edge.attempt(scope_name(account.id, region), primary)
    if isinstance(ec2, ScopeFailure):
        return ec2
    ids = [i["InstanceId"] for i in raw.instances]
    for what, read, default in _secondary(raw, ec2, cfg, days, ids):
        setattr(raw, what, edge.read(raw.failures, _secondary_scope(raw, what), read, default))
    return raw


SECONDARY_NAMES = {
    "addresses": "addresses",
    "snapshots": "snapshots",
    "reserved": "reserved instances",
    "usage": "cloudwatch",
}


def _secondary_scope(raw: RegionRaw, what: str) -> str:
    return scope_name(raw.account.id, raw.region, SECONDARY_NAMES[what])


def _secondary(
    raw: RegionRaw, ec2: Any, cfg: AwsConfig, days: int, ids: list[str]
) -> list[tuple[str, Callable[[], Any], Any]]:
    """(field, read, default) of the reads that may fail on their own (a policy without
    ec2:DescribeSnapshots, an HTML 500 from DescribeReservedInstances) without hiding the
    region's instances and volumes."""
    active = [{"Name": "state", "Values": ["active"]}]
    account, region = raw.account, raw.region
    return [
        ("addresses", lambda: ec2.describe_addresses()["Addresses"], []),
        ("snapshots", lambda: _old_snapshots(ec2, cfg.snapshot_age_days), []),
        (
            "reserved",
            lambda: ec2.describe_reserved_instances(Filters=active)["ReservedInstances"],
            [],
        ),
        ("usage", lambda: _usage(account, region, ids, cfg, days), {}),
    ]


def _usage(
    account: Account, region: str, ids: list[str], cfg: AwsConfig, days: int
) -> dict[str, Utilization]:
    if not ids:
        return {}
    cw = account.client("cloudwatch", region)
    return metrics.utilization(cw, ids, days, cfg.metric_period_seconds, cfg.memory_metrics)


def read_savings_plans(account: Account) -> list[dict[str, Any]] | ScopeFailure:
    """Active savings plans held by the account (a global service, paged by nextToken)."""
    scope = scope_name(account.id, None, "savings plans")
    return boundary(profile_of(account)).attempt(scope, lambda: _savings_plans(account))


def _savings_plans(account: Account) -> list[dict[str, Any]]:
    sp = account.client("savingsplans", GLOBAL_REGION)
    plans: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = sp.describe_savings_plans(
            states=["active"], **({"nextToken": token} if token else {})
        )
        if not isinstance(page.get("savingsPlans", []), list):
            raise MalformedAnswer("DescribeSavingsPlans without a savingsPlans list")
        plans.extend(page.get("savingsPlans", []))
        token = page.get("nextToken")
        if not token:
            return plans


def price_region(region: str, raws: list[RegionRaw], failures: list[ScopeFailure]) -> RegionCatalog:
    """Specs and prices for the types in use in ``region`` (first account's credentials: the
    answers are the same for every account)."""
    catalog = RegionCatalog()
    types = sorted({i["InstanceType"] for r in raws for i in r.instances})
    spot = sorted(
        {
            i["InstanceType"]
            for r in raws
            for i in r.instances
            if i.get("InstanceLifecycle") == "spot"
        }
    )
    account = raws[0].account
    steps: list[tuple[str, Callable[[], None]]] = [
        (
            "instance types",
            lambda: catalog.specs.update(type_specs(account.client("ec2", region), types)),
        ),
        ("pricing", lambda: _list_prices(account, region, types, catalog.prices)),
        ("spot prices", lambda: spot_prices(account.client("ec2", region), spot, catalog.prices)),
        ("platform prices", lambda: _platform_prices(account, region, raws, catalog.prices)),
    ]
    edge = boundary(profile_of(account))
    for what, step in steps:
        edge.read(failures, scope_name(account.id, region, what), step, None)
    return catalog


def _list_prices(account: Account, region: str, types: list[str], out: RegionPrices) -> None:
    pricing = account.client("pricing", GLOBAL_REGION)
    if types:
        compute_prices(pricing, region, types, out)
    storage_prices(pricing, region, out)


def _platform_prices(
    account: Account, region: str, raws: list[RegionRaw], out: RegionPrices
) -> None:
    pricing, ec2 = account.client("pricing", GLOBAL_REGION), account.client("ec2", region)
    licensed_prices(pricing, ec2, region, [i for r in raws for i in r.instances], out)


def normalise(raw: RegionRaw, catalog: RegionCatalog) -> Iterator[Resource]:
    """All the Resources of one account and region."""
    acct, region, prices = raw.account.id, raw.region, catalog.prices
    stopped = {
        i["InstanceId"] for i in raw.instances if normalize.live_state(i) is ResourceState.STOPPED
    }
    coverage = normalize.cover(raw.instances, raw.reserved)
    for i in raw.instances:
        spec, iid = catalog.specs.get(i["InstanceType"]), i["InstanceId"]
        rate = coverage.rates.get(iid)
        yield normalize.instance(i, acct, region, spec, prices, raw.usage.get(iid), rate)
    yield from (normalize.volume(v, acct, region, prices, stopped) for v in raw.volumes)
    yield from (
        normalize.elastic_ip(a, acct, region)
        for a in raw.addresses
        if not a.get("AssociationId") and not a.get("InstanceId")
    )
    yield from (normalize.snapshot(s, acct, region, prices) for s in raw.snapshots)
    yield from (
        normalize.reserved_instance(r, acct, region, coverage.used[r["ReservedInstancesId"]])
        for r in raw.reserved
    )


def by_region(raws: Iterable[RegionRaw]) -> dict[str, list[RegionRaw]]:
    grouped: dict[str, list[RegionRaw]] = {}
    for raw in raws:
        grouped.setdefault(raw.region, []).append(raw)
    return grouped
