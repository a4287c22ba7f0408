"""Answers shaped like the real Google Cloud REST APIs (Cloud Billing Catalog, Cloud Billing,
Compute Engine aggregated lists, Cloud Monitoring timeSeries and BigQuery jobs.query)."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from decimal import Decimal
from typing import Any

COMPUTE = "https://www.googleapis.com/compute/v1"
ACCOUNT = "01A2B3-C4D5E6-F7A8B9"
HTTP_STATUS = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}


def error(code: int, message: str) -> dict[str, Any]:
    status = HTTP_STATUS.get(code, "INTERNAL")
    return {
        "error": {
            "code": code,
            "message": message,
            "status": status,
            "errors": [{"message": message, "domain": "global", "reason": "forbidden"}],
        }
    }


# -- Cloud Billing Catalog ---------------------------------------------------------------------


def money(price: str) -> dict[str, Any]:
    value = Decimal(price)
    units = int(value)
    return {"currencyCode": "USD", "units": str(units), "nanos": int((value - units) * 10**9)}


def sku(
    description: str,
    group: str,
    usage: str,
    regions: list[str],
    unit: str,
    *prices: tuple[float, str],
    family: str = "Compute",
) -> dict[str, Any]:
    """One services.skus.list entry; ``prices`` are (startUsageAmount, unit price) tiers."""
    sku_id = f"{zlib.crc32(repr((description, usage, tuple(regions))).encode()) % 10**12:012d}"
    return {
        "name": f"services/6F81-5844-456A/skus/{sku_id}",
        "skuId": sku_id,
        "description": description,
        "category": {
            "serviceDisplayName": "Compute Engine",
            "resourceFamily": family,
            "resourceGroup": group,
            "usageType": usage,
        },
        "serviceRegions": regions,
        "pricingInfo": [
            {
                "effectiveTime": "2026-09-01T00:00:00Z",
                "pricingExpression": {
                    "usageUnit": unit,
                    "displayQuantity": 1,
                    "baseUnitConversionFactor": 3600,
                    "tieredRates": [
                        {"startUsageAmount": start, "unitPrice": money(price)}
                        for start, price in prices
                    ],
                },
                "currencyConversionRate": 1,
            }
        ],
        "serviceProviderName": "Google",
        "geoTaxonomy": {"type": "REGIONAL", "regions": regions},
    }


US = ["us-central1"]
EU = ["europe-west1"]


def sku_pages() -> list[list[dict[str, Any]]]:
    """Compute Engine SKUs over two pages, with some that lepton must ignore."""
    first = [
        sku("N2 Instance Core running in Americas", "CPU", "OnDemand", US, "h", (0, "0.031611")),
        sku(
            "N2 Instance Ram running in Americas", "RAM", "OnDemand", US, "GiBy.h", (0, "0.004237")
        ),
        sku(
            "Spot Preemptible N2 Instance Core running in Americas",
            "CPU",
            "Preemptible",
            US,
            "h",
            (0, "0.0075"),
        ),
        sku(
            "Spot Preemptible N2 Instance Ram running in Americas",
            "RAM",
            "Preemptible",
            US,
            "GiBy.h",
            (0, "0.001"),
        ),
        sku(
            "Commitment v1: N2 Cpu in Americas for 1 Year",
            "CPU",
            "Commit1Yr",
            US,
            "h",
            (0, "0.019915"),
        ),
        sku(
            "Commitment v1: N2 Ram in Americas for 1 Year",
            "RAM",
            "Commit1Yr",
            US,
            "GiBy.h",
            (0, "0.002669"),
        ),
        sku(
            "Commitment v1: N2 Cpu in Americas for 3 Year",
            "CPU",
            "Commit3Yr",
            US,
            "h",
            (0, "0.014225"),
        ),
        sku(
            "N2 Sole Tenancy Instance Core running in Americas",
            "CPU",
            "OnDemand",
            US,
            "h",
            (0, "0.9"),
        ),
        sku("N2 Instance Core running in Belgium", "CPU", "OnDemand", EU, "h", (0, "0.0348")),
        sku("N2 Instance Ram running in Belgium", "RAM", "OnDemand", EU, "GiBy.h", (0, "0.00466")),
    ]
    second = [
        sku("E2 Instance Core running in Americas", "CPU", "OnDemand", US, "h", (0, "0.021811")),
        sku(
            "E2 Instance Ram running in Americas", "RAM", "OnDemand", US, "GiBy.h", (0, "0.002923")
        ),
        sku(
            "Spot Preemptible E2 Instance Core running in Americas",
            "CPU",
            "Preemptible",
            US,
            "h",
            (0, "0.0066"),
        ),
        sku(
            "Spot Preemptible E2 Instance Ram running in Americas",
            "RAM",
            "Preemptible",
            US,
            "GiBy.h",
            (0, "0.00088"),
        ),
        sku("Balanced PD Capacity", "SSD", "OnDemand", US, "GiBy.mo", (0, "0.1"), family="Storage"),
        sku(
            "Storage PD Capacity",
            "PDStandard",
            "OnDemand",
            US,
            "GiBy.mo",
            (0, "0.04"),
            family="Storage",
        ),
        sku("Static Ip Charge", "IpAddress", "OnDemand", US, "h", (0, "0.01"), family="Network"),
        sku(
            "Network Internet Egress from Americas to Americas",
            "PremiumInternetEgress",
            "OnDemand",
            US,
            "GiBy",
            (0, "0"),
            (1, "0.12"),
            (1024, "0.11"),
            family="Network",
        ),
    ]
    return [first, second]


# -- Cloud Billing -------------------------------------------------------------------------


def billing_info(project: str, account: str) -> dict[str, Any]:
    return {
        "name": f"projects/{project}/billingInfo",
        "projectId": project,
        "billingAccountName": f"billingAccounts/{account}" if account else "",
        "billingEnabled": bool(account),
    }


def billing_projects(account: str, billing: dict[str, str]) -> dict[str, Any]:
    return {
        "projectBillingInfo": [
            billing_info(p, a) for p, a in sorted(billing.items()) if a == account
        ]
    }


# -- Compute Engine ------------------------------------------------------------------------


def machine_type(
    name: str, cpus: int, memory_mb: int, zone: str, shared: bool = False, gpus: int = 0
) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "kind": "compute#machineType",
        "id": str(zlib.crc32(repr(name).encode()) % 10**9),
        "name": name,
        "description": f"{cpus} vCPUs, {memory_mb / 1024:g} GB RAM",
        "guestCpus": cpus,
        "memoryMb": memory_mb,
        "isSharedCpu": shared,
        "zone": zone,
        "maximumPersistentDisks": 128,
        "maximumPersistentDisksSizeGb": "263168",
        "selfLink": f"{COMPUTE}/projects/p/zones/{zone}/machineTypes/{name}",
    }
    if gpus:
        answer["accelerators"] = [
            {"guestAcceleratorType": "nvidia-tesla-a100", "guestAcceleratorCount": gpus}
        ]
    return answer


def machine_type_items() -> dict[str, Any]:
    us, eu = "us-central1-a", "europe-west1-b"
    return {
        f"zones/{us}": {
            "machineTypes": [
                machine_type("n2-standard-4", 4, 16384, us),
                machine_type("n2-highmem-2", 2, 16384, us),
                machine_type("e2-standard-2", 2, 8192, us),
                machine_type("e2-micro", 2, 1024, us, shared=True),
                machine_type("a2-highgpu-1g", 12, 87040, us, gpus=1),
            ]
        },
        f"zones/{eu}": {"machineTypes": [machine_type("n2-standard-4", 4, 16384, eu)]},
        "zones/asia-east1-a": {
            "warning": {"code": "NO_RESULTS_ON_PAGE", "message": "There are no results for scope"}
        },
    }


def filter_machine_types(items: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    """Apply a ``name eq "a|b"`` filter (RE2 full match), as Compute Engine does."""
    text = query.get("filter", [""])[0]
    match = re.fullmatch(r'name eq "([^"]*)"', text)
    if not match:
        return items
    wanted = re.compile(match[1])
    return {
        scope: {
            "machineTypes": [
                m for m in scoped.get("machineTypes", []) if wanted.fullmatch(m["name"])
            ]
        }
        for scope, scoped in items.items()
        if "machineTypes" in scoped
    }


def instance(
    project: str,
    name: str,
    machine: str,
    zone: str,
    status: str = "RUNNING",
    spot: bool = False,
    labels: dict[str, str] | None = None,
    instance_id: str = "1",
) -> dict[str, Any]:
    scheduling: dict[str, Any] = {
        "automaticRestart": not spot,
        "onHostMaintenance": "MIGRATE",
        "preemptible": spot,
    }
    if spot:
        scheduling = {
            **scheduling,
            "provisioningModel": "SPOT",
            "instanceTerminationAction": "STOP",
        }
    return {
        "kind": "compute#instance",
        "id": instance_id,
        "name": name,
        "status": status,
        "creationTimestamp": "2026-01-15T09:30:00.000-08:00",
        "zone": f"{COMPUTE}/projects/{project}/zones/{zone}",
        "machineType": f"{COMPUTE}/projects/{project}/zones/{zone}/machineTypes/{machine}",
        "scheduling": scheduling,
        "labels": labels or {},
        "selfLink": instance_link(project, zone, name),
        "networkInterfaces": [
            {
                "network": f"{COMPUTE}/projects/{project}/global/networks/default",
                "networkIP": "10.128.0.2",
            }
        ],
    }


def instance_link(project: str, zone: str, name: str) -> str:
    return f"{COMPUTE}/projects/{project}/zones/{zone}/instances/{name}"


def zonal(kind: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Group items under their ``zones/<zone>`` key, as aggregatedList does."""
    scopes: dict[str, Any] = {}
    for item in items:
        zone = item["zone"].rsplit("/", 1)[-1]
        scopes.setdefault(f"zones/{zone}", {kind: []})[kind].append(item)
    return scopes or {"zones/us-central1-a": {"warning": {"code": "NO_RESULTS_ON_PAGE"}}}


def disk(
    project: str, name: str, disk_type: str, size_gb: int, zone: str, users: list[str]
) -> dict[str, Any]:
    answer = {
        "kind": "compute#disk",
        "id": str(zlib.crc32(repr(name).encode()) % 10**9),
        "name": name,
        "sizeGb": str(size_gb),
        "status": "READY",
        "zone": f"{COMPUTE}/projects/{project}/zones/{zone}",
        "type": f"{COMPUTE}/projects/{project}/zones/{zone}/diskTypes/{disk_type}",
        "creationTimestamp": "2025-11-02T10:00:00.000-07:00",
        "selfLink": f"{COMPUTE}/projects/{project}/zones/{zone}/disks/{name}",
        "labels": {"team": "web"},
    }
    if users:
        answer["users"] = users
    return answer


def address(
    project: str, name: str, region: str, status: str, address_type: str = "EXTERNAL"
) -> dict[str, Any]:
    return {
        "kind": "compute#address",
        "id": str(zlib.crc32(repr(name).encode()) % 10**9),
        "name": name,
        "address": "34.1.2.3",
        "status": status,
        "addressType": address_type,
        "networkTier": "PREMIUM",
        "region": f"{COMPUTE}/projects/{project}/regions/{region}",
        "creationTimestamp": "2025-06-01T08:00:00.000-07:00",
        "selfLink": f"{COMPUTE}/projects/{project}/regions/{region}/addresses/{name}",
    }


# -- Cloud Monitoring ----------------------------------------------------------------------


def cpu_series(project: str, instance_id: str, name: str, values: list[float]) -> dict[str, Any]:
    """One hourly-aligned series, a point per value, from 2026-10-01T00:00Z on."""
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    stamps = [f"{start + dt.timedelta(hours=h):%Y-%m-%dT%H:%M:%SZ}" for h in range(len(values))]
    points = [
        {"interval": {"startTime": t, "endTime": t}, "value": {"doubleValue": v}}
        for t, v in zip(stamps, values, strict=True)
    ]
    return {
        "metric": {
            "type": "compute.googleapis.com/instance/cpu/utilization",
            "labels": {"instance_name": name},
        },
        "resource": {
            "type": "gce_instance",
            "labels": {"project_id": project, "instance_id": instance_id, "zone": "us-central1-a"},
        },
        "metricKind": "GAUGE",
        "valueType": "DOUBLE",
        "points": points[::-1],
    }


# -- BigQuery ------------------------------------------------------------------------------

BQ_FIELDS = [
    ("billing_account_id", "STRING"),
    ("project_id", "STRING"),
    ("service_name", "STRING"),
    ("sku_id", "STRING"),
    ("sku_description", "STRING"),
    ("region_id", "STRING"),
    ("resource_id", "STRING"),
    ("labels", "STRING"),
    ("cost_type", "STRING"),
    ("currency", "STRING"),
    ("billed_cost", "NUMERIC"),
    ("credits", "NUMERIC"),
    ("consumed_quantity", "NUMERIC"),
    ("consumed_unit", "STRING"),
]


def bigquery_page(pages: list[list[list[Any]]], token: str) -> dict[str, Any]:
    """A jobs.query answer (no token) or a jobs.getQueryResults page ("bq-N")."""
    index = int(token.split("-")[1]) if token else 0
    rows = pages[index] if pages else []
    answer: dict[str, Any] = {
        "kind": "bigquery#queryResponse" if not token else "bigquery#getQueryResultsResponse",
        "schema": {"fields": [{"name": n, "type": t, "mode": "NULLABLE"} for n, t in BQ_FIELDS]},
        "jobReference": {"projectId": "billing-admin", "jobId": "job-1", "location": "US"},
        "totalRows": str(sum(len(p) for p in pages)),
        "rows": [{"f": [{"v": None if v is None else str(v)} for v in row]} for row in rows],
        "jobComplete": True,
        "cacheHit": False,
    }
    if index + 1 < len(pages):
        answer["pageToken"] = f"bq-{index + 1}"
    return answer


def bigquery_job(project: str, job_id: str) -> dict[str, Any]:
    """jobs.get for a finished query job (asked for before fetching more result pages)."""
    reference = {"projectId": project, "jobId": job_id, "location": "US"}
    return {
        "kind": "bigquery#job",
        "id": f"{project}:US.{job_id}",
        "jobReference": reference,
        "configuration": {"jobType": "QUERY", "query": {"query": "SELECT 1"}},
        "status": {"state": "DONE"},
        "statistics": {"creationTime": "1790000000000", "query": {"totalBytesProcessed": "0"}},
    }


def cost_row(
    project: str,
    service: str,
    sku_description: str,
    cost: str,
    credits: str,
    labels: str = "[]",
    cost_type: str = "regular",
    resource: str | None = None,
) -> list[Any]:
    return [
        ACCOUNT,
        project,
        service,
        "CF4E-A0C7-E3BF",
        sku_description,
        "us-central1",
        resource,
        labels,
        cost_type,
        "USD",
        cost,
        credits,
        "730",
        "hour",
    ]
