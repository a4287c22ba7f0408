"""Cost Explorer: GetCostAndUsage by service and region for each account (and, when enabled,
GetCostAndUsageWithResources for EC2 by resource), cached on disk.

Every Cost Explorer request costs $0.01, so answers are kept under ``<cache_dir>/aws/ce/`` for
``cache_ttl_seconds`` and reused; ``use_cache=False`` (``--no-cache``) bypasses the cache.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, TypeGuard

from lepton_cli.diskcache import DiskCache, cache_key
from lepton_cli.models import CostRecord, Period
from lepton_cli.providers.aws.session import GLOBAL_REGION, Account
from lepton_cli.providers.base import ProviderContext
from lepton_cli.providers.boundary import MalformedAnswer

PROVIDER_NAME = "AWS"  # FOCUS ProviderName, as AWS writes it in its own FOCUS export
EC2_COMPUTE = "Amazon Elastic Compute Cloud - Compute"
RESOURCE_DAYS = 14  # GetCostAndUsageWithResources only reaches back 14 days
METRICS = ["UnblendedCost", "AmortizedCost", "UsageQuantity"]
NO_REGION = {"", "global", "NoRegion"}
CE_NAMESPACE = "ce"


def _fetch(ce: Any, op: str, request: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page of one CE request (paged by NextPageToken).

    Cost Explorer always answers ``ResultsByTime``; botocore turns a garbled JSON 200 into a
    page without it, which must fail the read rather than be stored as "no costs"."""
    pages: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = getattr(ce, op)(**request, **({"NextPageToken": token} if token else {}))
        if not _is_pages([{"ResultsByTime": page.get("ResultsByTime")}]):
            raise MalformedAnswer(f"{op} answered without ResultsByTime")
        pages.append({"ResultsByTime": page["ResultsByTime"]})
        token = page.get("NextPageToken")
        if not token:
            return pages


def ce_cache(context: ProviderContext) -> DiskCache:
    """Cost Explorer answers under ``<cache_dir>/aws/ce/``."""
    return DiskCache.of(context, "aws")


def cached_pages(
    account: Account, op: str, request: dict[str, Any], cache: DiskCache
) -> list[dict[str, Any]]:
    """The request's pages, from the cache when fresh; keyed by account and request (never by
    credentials)."""
    key = cache_key(account.id, op, request)
    cached = cache.get(CE_NAMESPACE, key, _is_pages)
    if _is_pages(cached):
        return cached
    pages = _fetch(account.client("ce", GLOBAL_REGION), op, request)
    cache.put(CE_NAMESPACE, key, pages)
    return pages


def _is_pages(value: Any) -> TypeGuard[list[dict[str, Any]]]:
    """Whether a value has the shape :func:`_fetch` stores: pages of results, each with its
    TimePeriod (a cached entry of another shape is foreign: a miss)."""
    return isinstance(value, list) and all(
        isinstance(p, dict)
        and isinstance(p.get("ResultsByTime"), list)
        and all(_is_result(r) for r in p["ResultsByTime"])
        for p in value
    )


def _is_result(result: Any) -> bool:
    period = result.get("TimePeriod") if isinstance(result, dict) else None
    return (
        isinstance(period, dict)
        and isinstance(period.get("Start"), str)
        and isinstance(period.get("End"), str)
        and isinstance(result.get("Groups", []), list)
    )


def _account_filter(account: str) -> dict[str, Any]:
    return {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [account]}}


def service_request(account: str, period: Period, granularity: str) -> dict[str, Any]:
    return {
        "TimePeriod": {"Start": period.start.isoformat(), "End": period.end.isoformat()},
        "Granularity": granularity,
        "Metrics": METRICS,
        "GroupBy": [
            {"Type": "DIMENSION", "Key": "SERVICE"},
            {"Type": "DIMENSION", "Key": "REGION"},
        ],
        "Filter": _account_filter(account),
    }


def resource_window(period: Period, today: dt.date) -> Period | None:
    """The part of ``period`` Cost Explorer keeps per-resource data for."""
    start = max(period.start, today - dt.timedelta(days=RESOURCE_DAYS - 1))
    end = min(period.end, today + dt.timedelta(days=1))
    return Period(start=start, end=end) if start < end else None


def resource_request(account: str, window: Period) -> dict[str, Any]:
    service = {"Dimensions": {"Key": "SERVICE", "Values": [EC2_COMPUTE]}}
    return {
        "TimePeriod": {"Start": window.start.isoformat(), "End": window.end.isoformat()},
        "Granularity": "DAILY",
        "Metrics": METRICS,
        "GroupBy": [{"Type": "DIMENSION", "Key": "RESOURCE_ID"}],
        "Filter": {"And": [_account_filter(account), service]},
    }


def _amount(metrics: dict[str, Any], name: str) -> Decimal | None:
    value = metrics.get(name, {}).get("Amount")
    return Decimal(str(value)) if value is not None else None


def _day(text: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), dt.UTC)


def records(
    pages: list[dict[str, Any]], account: str, keys: tuple[str, ...]
) -> Iterator[CostRecord]:
    """CE ResultsByTime groups -> CostRecords; ``keys`` names each group key
    (``service_name``, ``region_id``, ``resource_id``)."""
    for result in (r for p in pages for r in p["ResultsByTime"]):
        start, end = _day(result["TimePeriod"]["Start"]), _day(result["TimePeriod"]["End"])
        for group in result.get("Groups", []):
            named = dict(zip(keys, group["Keys"], strict=False))
            if named.get("region_id") in NO_REGION:
                named["region_id"] = None
            yield _record(group["Metrics"], account, start, end, named)


def _record(
    metrics: dict[str, Any],
    account: str,
    start: dt.datetime,
    end: dt.datetime,
    named: dict[str, str | None],
) -> CostRecord:
    billed = _amount(metrics, "UnblendedCost") or Decimal(0)
    effective = _amount(metrics, "AmortizedCost")
    return CostRecord(
        provider_name=PROVIDER_NAME,
        billing_account_id=account,
        sub_account_id=account,
        billing_period_start=start.date().replace(day=1),
        charge_period_start=start,
        charge_period_end=end,
        service_name=named.get("service_name"),
        region_id=named.get("region_id"),
        resource_id=named.get("resource_id"),
        resource_type="aws.ec2-instance" if named.get("resource_id") else None,
        billed_cost=billed,
        effective_cost=billed if effective is None else effective,
        billing_currency=metrics.get("UnblendedCost", {}).get("Unit") or "USD",
    )


def account_costs(
    account: Account,
    period: Period,
    granularity: str,
    by_resource: bool,
    cache: DiskCache,
    today: dt.date | None = None,
) -> list[CostRecord]:
    """One account's costs by service and region; with ``by_resource``, EC2 compute in the
    last 14 days comes per instance instead (the same money, never counted twice)."""
    pages = cached_pages(
        account, "get_cost_and_usage", service_request(account.id, period, granularity), cache
    )
    rows = list(records(pages, account.id, ("service_name", "region_id")))
    window = resource_window(period, today or dt.date.today()) if by_resource else None
    if window is None:
        return rows
    request = resource_request(account.id, window)
    pages = cached_pages(account, "get_cost_and_usage_with_resources", request, cache)
    since = _day(window.start.isoformat())
    kept = [
        r
        for r in rows
        if not (
            r.service_name == EC2_COMPUTE
            and r.charge_period_start
            and r.charge_period_start >= since
        )
    ]
    return kept + list(records(pages, account.id, ("resource_id",)))
