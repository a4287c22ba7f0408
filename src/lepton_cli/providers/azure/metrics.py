"""``Percentage CPU`` for every VM of a subscription and region in one Azure Monitor call.

Batching: the subscription-scope metrics API (``metrics.list_at_subscription_scope``) with the
filter ``Microsoft.ResourceId eq '*'`` returns one hourly series per VM of the region, so the
cost is one request per (subscription, region) instead of one per VM. Azure Monitor has no
percentile aggregation: p95 is taken over the hourly averages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from lepton_cli.models import Utilization
from lepton_cli.providers.azure.normalize import arm_id, text, utilization

METRIC = "Percentage CPU"
NAMESPACE = "Microsoft.Compute/virtualMachines"
RESOURCE_ID = "microsoft.resourceid"


def timespan(days: int, now: dt.datetime | None = None) -> str:
    """``start/end`` in ISO 8601 for the last ``days`` whole hours."""
    end = (now or dt.datetime.now(dt.UTC)).replace(minute=0, second=0, microsecond=0)
    start = end - dt.timedelta(days=days)
    return f"{start:%Y-%m-%dT%H:%M:%SZ}/{end:%Y-%m-%dT%H:%M:%SZ}"


def _series_id(series: Any) -> str | None:
    for meta in getattr(series, "metadatavalues", None) or []:
        if text(getattr(meta.name, "value", "")).lower() == RESOURCE_ID:
            return arm_id(str(meta.value))
    return None


def _samples(series: Any) -> list[float]:
    return [float(p.average) for p in getattr(series, "data", None) or [] if p.average is not None]


def usage_by_vm(metrics: Iterable[Any], days: int) -> dict[str, Utilization]:
    """VM id (spelled as ``normalize.arm_id``) -> utilisation, from a metrics answer's ``value``."""
    usage: dict[str, Utilization] = {}
    for metric in metrics:
        for series in getattr(metric, "timeseries", None) or []:
            vm_id, found = _series_id(series), utilization(_samples(series), days)
            if vm_id and found:
                usage[vm_id] = found
    return usage


def cpu_usage(client: Any, region: str, days: int, top: int) -> dict[str, Utilization]:
    """One batched call: every VM's CPU in ``region`` over the last ``days``."""
    answer = client.metrics.list_at_subscription_scope(
        region=region,
        timespan=timespan(days),
        interval="PT1H",
        metricnames=METRIC,
        aggregation="average",
        metricnamespace=NAMESPACE,
        filter="Microsoft.ResourceId eq '*'",  # one series per VM
        top=top,
        auto_adjust_timegrain=True,
        validate_dimensions=False,
    )
    return usage_by_vm(answer.value or [], days)
