"""CPU utilisation from Cloud Monitoring, one batched request per project.

One ``projects.timeSeries.list`` call covers every instance of a project: the filter selects
the metric for all ``gce_instance`` resources, and Monitoring aligns each series to hourly
means server-side. lepton then takes the mean and the 95th percentile of those hourly means.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from lepton_cli.models import Utilization
from lepton_cli.providers.gcp.clients import Clients

CPU_METRIC = "compute.googleapis.com/instance/cpu/utilization"
CPU_FILTER = f'metric.type = "{CPU_METRIC}" AND resource.type = "gce_instance"'
ALIGNMENT_SECONDS = 3600


def cpu_request(project: str, days: int, now: dt.datetime) -> dict[str, Any]:
    """The ListTimeSeries request for all instances of a project over the last ``days`` days."""
    from google.cloud import monitoring_v3

    start = now - dt.timedelta(days=days)
    aggregation = monitoring_v3.Aggregation(
        alignment_period={"seconds": ALIGNMENT_SECONDS},
        per_series_aligner=monitoring_v3.Aggregation.Aligner.ALIGN_MEAN,
    )
    return {
        "name": f"projects/{project}",
        "filter": CPU_FILTER,
        "interval": monitoring_v3.TimeInterval(start_time=start, end_time=now),
        "aggregation": aggregation,
        "view": monitoring_v3.ListTimeSeriesRequest.TimeSeriesView.FULL,
    }


def by_instance(series: Iterable[Any], days: int) -> dict[str, Utilization]:
    """Utilisation per instance id (the ``instance_id`` resource label)."""
    samples: dict[str, list[float]] = {}
    for one in series:
        instance_id = one.resource.labels.get("instance_id")
        if instance_id:
            samples.setdefault(instance_id, []).extend(p.value.double_value for p in one.points)
    return {
        key: Utilization.from_samples(values, days) for key, values in samples.items() if values
    }


def cpu_utilization(
    clients: Clients, project: str, days: int, now: dt.datetime | None = None
) -> dict[str, Utilization]:
    """Mean and p95 CPU utilisation over ``days`` days for every instance in ``project``."""
    request = cpu_request(project, days, now or dt.datetime.now(dt.UTC))
    series = clients.monitoring().list_time_series(request=request, **clients.call_options())
    return by_instance(series, days)
