"""Numbers in inventories must be finite and sane: NaN, ±inf, negatives, absurd magnitudes."""

from __future__ import annotations

from typing import Any

from hostile_case import Case, inv_files, offering, vm

NAN, INF, NINF = float("nan"), float("inf"), float("-inf")
SCAN = ("scan", "-s", "inv.yaml")


def _resource(field: str, value: Any, key: str | None = None) -> Case:
    where = f"resources[0].{key or field}"
    if "." in field:
        outer, inner = field.split(".")
        res = vm(**{outer: {**vm()[outer], inner: value}})
    else:
        res = vm(**{field: value})
    return Case(f"resource-{field}-{value}", SCAN, 3, ("inv.yaml", where), inv_files([res]))


def _offering(field: str, value: Any) -> Case:
    if field.startswith("prices."):
        off = offering(prices={field.split(".")[1]: value})
    else:
        off = offering(**{field: value})
    return Case(
        f"offering-{field}-{value}",
        SCAN,
        3,
        ("inv.yaml", f"offerings[0].{field}"),
        inv_files(offerings=[off]),
    )


def _workload(field: str, value: Any) -> Case:
    if field.startswith("demand."):
        wl: dict[str, Any] = {
            "name": "web",
            "demand": {"vcpu": 2, "memory_gib": 4, field.split(".")[1]: value},
        }
    elif field.startswith("spread."):
        wl = {"name": "web", "spread": {field.split(".")[1]: value}}
    else:
        wl = {"name": "web", field: value}
    return Case(
        f"workload-{field}-{value}",
        SCAN,
        3,
        ("inv.yaml", f"workloads[0].{field}"),
        inv_files(workloads=[wl]),
    )


CASES: list[Case] = [
    *(_resource("hourly_cost", v) for v in (NAN, INF, NINF, -1, 1e300, "1e400")),
    *(_resource("vcpus", v) for v in (NAN, INF, -2, 1e300, "Infinity", "NaN", True)),
    *(_resource("hourly_cost", v) for v in ("NaN", "1,000", "Infinity", [1], {"a": 1})),
    *(_resource("memory_gib", v) for v in (NAN, INF, -1, 1e300)),
    *(_resource("size_gib", v) for v in (NAN, INF, 1e300)),
    *(_resource("perf", v) for v in (NAN, INF, 0, 1e300)),
    *(_resource("gpus", v) for v in (-1, 10**12)),
    *(_resource("utilization.cpu_p95", v, "utilization.cpu_p95") for v in (NAN, INF, 1.5)),
    *(_resource("utilization.cpu_avg", v, "utilization.cpu_avg") for v in (NAN, -0.1)),
    *(_resource("utilization.memory_p95", v, "utilization.memory_p95") for v in (NAN, INF)),
    *(_resource("utilization.days", v, "utilization.days") for v in (-1, 10**9)),
    *(_offering("prices.on-demand", v) for v in (NAN, INF, -1, 1e300)),
    *(_offering("prices.spot", v) for v in (NAN, -0.01)),
    *(_offering("vcpus", v) for v in (NAN, INF, 0, 1e300)),
    *(_offering("memory_gib", v) for v in (NAN, INF, 1e300)),
    *(_offering("perf", v) for v in (NAN, INF)),
    *(_offering("gpus", v) for v in (-1, 10**12)),
    *(_offering("gpu_memory_gib", v) for v in (NAN, INF)),
    *(_workload("demand.vcpu", v) for v in (NAN, INF, -1, 1e300)),
    *(_workload("demand.memory_gib", v) for v in (NAN, INF, 1e300)),
    *(_workload("min_replicas", v) for v in (-1, 10**12)),
    *(_workload("max_spot_share", v) for v in (NAN, 2)),
    *(_workload("survive_loss_of_provider", v) for v in (NAN, INF)),
    *(_workload("headroom", v) for v in (NAN, INF, 1e300)),
    *(_workload("priority", v) for v in (-1, 10**30)),
    *(_workload("spread.min_providers", v) for v in (0, 10**9)),
]
