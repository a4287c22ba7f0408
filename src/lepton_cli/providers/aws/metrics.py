"""Utilisation from CloudWatch GetMetricData: up to 500 queries a call, paged by NextToken.

CPU comes from AWS/EC2 CPUUtilization; memory from the CloudWatch agent's CWAgent
mem_used_percent, whose dimension sets vary with the agent's config, so they are discovered with
ListMetrics (paged) rather than guessed. Each query returns the hourly (``period``) averages over
the window; the average and the 95th percentile are computed from those series.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from lepton_cli.models import Utilization

MAX_QUERIES = 500  # GetMetricData's limit per request
MEMORY_NAMESPACE, MEMORY_METRIC = "CWAgent", "mem_used_percent"


def memory_dimensions(cw: Any, instance_ids: set[str]) -> dict[str, list[dict[str, str]]]:
    """The CWAgent mem_used_percent dimension set of each instance that reports it."""
    found: dict[str, list[dict[str, str]]] = {}
    pages = cw.get_paginator("list_metrics").paginate(
        Namespace=MEMORY_NAMESPACE, MetricName=MEMORY_METRIC
    )
    for metric in (m for p in pages for m in p["Metrics"]):
        dims = metric.get("Dimensions", [])
        ids = [d["Value"] for d in dims if d["Name"] == "InstanceId"]
        # Prefer the narrowest dimension set when the agent publishes several.
        if ids and ids[0] in instance_ids and len(dims) < len(found.get(ids[0], [*dims, {}])):
            found[ids[0]] = dims
    return found


def _query(
    qid: str, namespace: str, name: str, dims: list[dict[str, str]], period: int
) -> dict[str, Any]:
    metric = {"Namespace": namespace, "MetricName": name, "Dimensions": dims}
    return {"Id": qid, "MetricStat": {"Metric": metric, "Period": period, "Stat": "Average"}}


def build_queries(
    instance_ids: Sequence[str], memory: dict[str, list[dict[str, str]]], period: int
) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Query id -> (instance id, "cpu" | "mem", query). Ids are positional: ``c12`` / ``m12``."""
    queries: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for n, iid in enumerate(instance_ids):
        dims = [{"Name": "InstanceId", "Value": iid}]
        queries[f"c{n}"] = (iid, "cpu", _query(f"c{n}", "AWS/EC2", "CPUUtilization", dims, period))
        if iid in memory:
            q = _query(f"m{n}", MEMORY_NAMESPACE, MEMORY_METRIC, memory[iid], period)
            queries[f"m{n}"] = (iid, "mem", q)
    return queries


def _series(
    cw: Any, queries: list[dict[str, Any]], start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[str, list[float]]]:
    """(query id, values) for one batch of at most 500 queries, following NextToken."""
    token: str | None = None
    while True:
        extra = {"NextToken": token} if token else {}
        page = cw.get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end, **extra)
        for result in page["MetricDataResults"]:
            yield result["Id"], [float(v) for v in result.get("Values", [])]
        token = page.get("NextToken")
        if not token:
            return


def utilization(
    cw: Any,
    instance_ids: Sequence[str],
    days: int,
    period: int,
    with_memory: bool,
    now: dt.datetime | None = None,
) -> dict[str, Utilization]:
    """Utilisation of each instance that has CPU datapoints in the last ``days`` days."""
    end = (now or dt.datetime.now(dt.UTC)).replace(second=0, microsecond=0)
    start = end - dt.timedelta(days=days)
    memory = memory_dimensions(cw, set(instance_ids)) if with_memory and instance_ids else {}
    queries = build_queries(instance_ids, memory, period)
    values: dict[tuple[str, str], list[float]] = {}
    ids = list(queries)
    for offset in range(0, len(ids), MAX_QUERIES):
        batch = [queries[q][2] for q in ids[offset : offset + MAX_QUERIES]]
        for qid, series in _series(cw, batch, start, end):
            iid, what, _ = queries[qid]
            values.setdefault((iid, what), []).extend(series)
    return {
        iid: _fold(values, iid, days, period) for iid in instance_ids if values.get((iid, "cpu"))
    }


def _fold(
    values: dict[tuple[str, str], list[float]], iid: str, days: int, period: int
) -> Utilization:
    """One instance's series as Utilization; ``days`` is capped at what the ``period``-second
    samples cover, so an instance launched yesterday is not judged over the whole window."""
    cpu, mem = values[iid, "cpu"], values.get((iid, "mem")) or []
    # CloudWatch gives percent
    return Utilization.from_samples(cpu, days, mem, scale=100, sample_seconds=period)
