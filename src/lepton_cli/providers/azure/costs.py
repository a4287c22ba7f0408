"""Cost Management ``query.usage``: one subscription's actual and amortised daily costs.

ActualCost gives what the invoice bills (FOCUS BilledCost), AmortizedCost spreads reservation
and savings-plan purchases over their use (FOCUS EffectiveCost). Both are grouped the same way
and joined on the group key.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

from lepton_cli.diskcache import DiskCache, cache_key
from lepton_cli.models import Period
from lepton_cli.providers.boundary import MalformedAnswer

GROUP_BY = ("ResourceId", "ServiceName", "ResourceLocation", "PricingModel", "MeterCategory")
COST_TYPES = ("ActualCost", "AmortizedCost")


class Pacer:
    """Spaces calls on one scope at least ``interval`` seconds apart (Cost Management quotas)."""

    def __init__(self, interval: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = interval
        self.sleep = sleep
        self._last: dict[str, float] = {}

    def wait(self, scope: str) -> None:
        last = self._last.get(scope)
        if last is not None:
            self.sleep(max(0.0, self.interval - (time.monotonic() - last)))
        self._last[scope] = time.monotonic()


def query_body(cost_type: str, period: Period) -> dict[str, Any]:
    """The REST body of a daily query over ``period`` (Azure's ``to`` is inclusive)."""
    last_day = period.end - dt.timedelta(days=1)
    return {
        "type": cost_type,
        "timeframe": "Custom",
        "timePeriod": {
            "from": f"{period.start}T00:00:00+00:00",
            "to": f"{last_day}T23:59:59+00:00",
        },
        "dataset": {
            "granularity": "Daily",
            "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}},
            "grouping": [{"type": "Dimension", "name": name} for name in GROUP_BY],
        },
    }


def skiptoken(next_link: str | None) -> str | None:
    """The ``$skiptoken`` of a ``nextLink``: the next page is the same POST with that token."""
    if not next_link:
        return None
    values = parse_qs(urlparse(next_link).query).get("$skiptoken")
    return values[0] if values else None


def _query_pages(client: Any, scope: str, body: dict[str, Any], pacer: Pacer) -> dict[str, Any]:
    from azure.mgmt.costmanagement.models import QueryDefinition

    definition = QueryDefinition(body)
    columns: list[str] = []
    rows: list[list[Any]] = []
    token: str | None = None
    while True:
        pacer.wait(scope)
        extra = {"params": {"$skiptoken": token}} if token else {}
        result = client.query.usage(scope, definition, **extra)
        if result.columns is None or result.rows is None:  # a 200 that said nothing
            raise MalformedAnswer("a cost query answered without columns or rows")
        columns = [c.name for c in result.columns]
        rows.extend(result.rows or [])
        token = skiptoken(result.next_link)
        if token is None:
            return {"columns": columns, "rows": rows}


def query_cost(
    client: Any, scope: str, body: dict[str, Any], pacer: Pacer, cache: DiskCache, base_url: str
) -> dict[str, Any]:
    """All pages of one query as ``{"columns": [...], "rows": [...]}``, from the cache if fresh."""
    key = cache_key(base_url, scope, body)
    cached = cache.get("azure-costs", key, is_table)
    if cached is not None:
        return dict(cached)
    table = _query_pages(client, scope, body, pacer)
    cache.put("azure-costs", key, table)
    return table


def is_table(value: Any) -> bool:
    """Whether a cached value has the shape :func:`query_cost` stores (else it is a miss)."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("columns"), list)
        and all(isinstance(c, str) for c in value["columns"])
        and isinstance(value.get("rows"), list)
        and all(isinstance(r, list) and len(r) == len(value["columns"]) for r in value["rows"])
    )
