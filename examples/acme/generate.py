"""Regenerate the Acme example: inventory.yaml and a FOCUS 1.2 export for October 2026.

Acme runs a shop on AWS, Azure and GCP. Instance types and on-demand prices are the providers'
published list prices (USD, per hour; Linux, except the Windows reporting VMs); utilisation is
made up but plausible: some fleets are busy, some oversized, a few machines idle. Every machine
says its architecture and platform (as the providers report them); the ML inference fleet runs on
GPUs. Workloads state their residency as a real shop would: EU services stay in the EU, the US
ones in the US, and most stay where they run unless a team widened `allowed`. The inventory
brings the GPU and Windows offerings it needs (`offerings:`, extending the bundled catalog).
The FOCUS export bills each resource daily at its run-rate for the whole month, with one cost
spike (data-pipeline on 2026-10-21).

Run: python examples/acme/generate.py   (deterministic: same output every time)
"""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import yaml

HERE = Path(__file__).parent
AWS_PROD, AWS_DATA = "111122223333", "444455556666"
AZ_SUB = "8f3c2a10-5b7e-4d21-9a6c-2e1f0b9d7c44"
GCP_PROJECT = "acme-prod-284310"

# (provider, region, type) -> (vcpus, memory GiB, on-demand $/h)
TYPES = {
    ("aws", "us-east-1", "m5.xlarge"): (4, 16, "0.192"),
    ("aws", "us-east-1", "c5.2xlarge"): (8, 16, "0.34"),
    ("aws", "us-east-1", "r5.2xlarge"): (8, 64, "0.504"),
    ("aws", "us-east-1", "g5.xlarge"): (4, 16, "1.006"),
    ("aws", "us-east-1", "t3.large"): (2, 8, "0.0832"),
    ("aws", "eu-west-1", "m5.large"): (2, 8, "0.107"),
    ("azure", "eastus", "Standard_D4s_v5"): (4, 16, "0.192"),
    ("azure", "westeurope", "Standard_D4s_v5"): (4, 16, "0.23"),
    ("azure", "eastus", "Standard_E8s_v5"): (8, 64, "0.872"),  # Windows Server
    ("azure", "eastus", "Standard_E4s_v5"): (4, 32, "0.252"),
    ("azure", "eastus", "Standard_B2ms"): (2, 8, "0.0832"),
    ("azure", "eastus", "Standard_D2s_v5"): (2, 8, "0.096"),
    ("gcp", "us-central1", "n2-standard-4"): (4, 16, "0.194236"),
    ("gcp", "us-central1", "n2-highmem-4"): (4, 32, "0.262028"),
    ("gcp", "europe-west1", "n2-highmem-4"): (4, 32, "0.288512"),
    ("gcp", "us-central1", "e2-standard-4"): (4, 16, "0.134012"),
    ("gcp", "us-central1", "e2-standard-2"): (2, 8, "0.067006"),
}
SPOT = {"r5.2xlarge": "0.1532"}  # us-east-1 spot price used by one data-pipeline node
WINDOWS = {"reporting"}  # SQL Server Reporting Services: Windows Server VMs
GPU = {"g5.xlarge": (1, "A10G")}
WINDOWS_PER_VCPU = Decimal("0.046")  # Azure's Windows Server licence, per vCPU-hour (eastus)

# Offerings the bundled catalog lacks: AWS GPU instances (us-east-1, on-demand, 1 GPU of 24 GiB
# each) and Azure Windows Server VMs (eastus: the Linux price plus the licence per vCPU).
GPU_OFFERINGS = [
    ("g5.xlarge", 4, 16, "A10G", "1.006"),
    ("g5.2xlarge", 8, 32, "A10G", "1.212"),
    ("g6.xlarge", 4, 16, "L4", "0.8048"),
    ("g6.2xlarge", 8, 32, "L4", "0.9776"),
]
WINDOWS_SIZES = [
    ("Standard_D2s_v5", 2, 8, "0.096"),
    ("Standard_D4s_v5", 4, 16, "0.192"),
    ("Standard_E2s_v5", 2, 16, "0.126"),
    ("Standard_E4s_v5", 4, 32, "0.252"),
    ("Standard_E8s_v5", 8, 64, "0.504"),
]
ACCOUNT = {"aws": AWS_PROD, "azure": AZ_SUB, "gcp": GCP_PROJECT}
PREFIX = {"aws": "i-0", "azure": "vm-", "gcp": "gce-"}

# workload, team, provider, region, type, count, typical cpu_p95
FLEETS = [
    ("checkout-api", "payments", "aws", "us-east-1", "m5.xlarge", 4, 0.38),
    ("checkout-api", "payments", "gcp", "us-central1", "n2-standard-4", 2, 0.33),
    ("payments-worker", "payments", "aws", "us-east-1", "c5.2xlarge", 3, 0.14),
    ("search", "discovery", "gcp", "us-central1", "n2-highmem-4", 4, 0.46),
    ("search-eu", "discovery", "gcp", "europe-west1", "n2-highmem-4", 2, 0.41),
    ("web-frontend", "web", "azure", "eastus", "Standard_D4s_v5", 7, 0.12),
    ("web-frontend-eu", "web", "azure", "westeurope", "Standard_D4s_v5", 2, 0.15),
    ("reporting", "finance", "azure", "eastus", "Standard_E8s_v5", 2, 0.09),
    ("data-pipeline", "data", "aws", "us-east-1", "r5.2xlarge", 3, 0.57),
    ("auth-service", "platform", "aws", "eu-west-1", "m5.large", 3, 0.24),
    ("notifications", "platform", "gcp", "us-central1", "e2-standard-4", 4, 0.10),
    ("ml-inference", "ml", "aws", "us-east-1", "g5.xlarge", 4, 0.35),
]
US = ["us-east-1", "eastus", "us-central1"]
WORKLOADS = [
    {
        "name": "checkout-api",
        "min_replicas": 3,
        "spread": {"min_providers": 2},
        "survive_loss_of_provider": 0.5,
        "allowed": {"providers": ["aws", "gcp"], "regions": ["us-east-1", "us-central1"]},
        "data_gib": 20,
        "priority": 1,
    },
    {
        "name": "payments-worker",
        "min_replicas": 2,
        "max_spot_share": 0.5,
        "requires": {"arch": ["x86_64", "arm64"]},  # a JVM service, tested on Graviton
    },
    {"name": "search", "min_replicas": 3},
    {"name": "search-eu", "min_replicas": 2, "spread": {"min_zones": 2}},
    {"name": "web-frontend", "min_replicas": 3, "max_spot_share": 0.3},
    {"name": "web-frontend-eu", "min_replicas": 2},
    {"name": "reporting"},  # Windows: stays on Windows, priced as Windows
    {"name": "data-pipeline", "min_replicas": 2, "max_spot_share": 0.7},
    {"name": "auth-service", "min_replicas": 3},
    {
        "name": "notifications",  # stateless: the platform team allows any US cloud
        "min_replicas": 2,
        "max_spot_share": 0.5,
        "allowed": {"providers": "any", "regions": US},
        "data_gib": 50,
    },
    {
        "name": "ml-inference",  # one GPU per replica; the model is validated on A10G and L4
        "min_replicas": 2,
        "requires": {"gpu_models": ["A10G", "L4"]},
    },
]
ZONES = {
    "us-east-1": "abcd",
    "eu-west-1": "abc",
    "eastus": "123",
    "westeurope": "123",
    "us-central1": "abcf",
    "europe-west1": "bcd",
}


def zone(provider: str, region: str, i: int) -> str:
    """The providers' own zone names: AWS ``us-east-1a``, GCP ``us-central1-a``; Azure zones
    are "1".."3" per region, named ``eastus-1`` as lepton's inventory does."""
    z = ZONES[region][i % len(ZONES[region])]
    return f"{region}{z}" if provider == "aws" else f"{region}-{z}"


def compute(
    rng: random.Random,
    n: int,
    provider: str,
    region: str,
    type_: str,
    p95: float,
    tags: dict[str, str],
    **over: object,
) -> dict[str, object]:
    vcpus, mem, price = TYPES[(provider, region, type_)]
    cpu = max(0.0, min(1.0, rng.gauss(p95, p95 * 0.15)))
    r: dict[str, object] = {
        "id": _id(rng, provider, n),
        "provider": provider,
        "account": over.pop("account", ACCOUNT[provider]),
        "region": region,
        "zone": zone(provider, region, n),
        "kind": "compute",
        "resource_type": {
            "aws": "aws.ec2-instance",
            "azure": "azure.vm",
            "gcp": "gcp.compute-instance",
        }[provider],
        "type": type_,
        "pricing": "on-demand",
        "hourly_cost": Decimal(price),
        "vcpus": vcpus,
        "memory_gib": mem,
        "arch": "x86_64",
        "platform": "windows" if tags.get("workload") in WINDOWS else "linux",
        **gpus_of(type_),
        "utilization": {
            "cpu_avg": round(cpu * 0.6, 3),
            "cpu_p95": round(cpu, 3),
            "memory_p95": round(min(1.0, cpu * 1.1 + 0.15), 3),
            "days": 14,
        },
        "state": "running",
        "tags": {"env": "prod", **tags},
    }
    r.update(over)
    return r


def gpus_of(type_: str) -> dict[str, object]:
    if type_ not in GPU:
        return {}
    count, model = GPU[type_]
    return {"gpus": count, "gpu_model": model}


def offerings() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for type_, vcpus, mem, model, price in GPU_OFFERINGS:
        out.append(
            {
                "provider": "aws",
                "region": "us-east-1",
                "type": type_,
                "vcpus": vcpus,
                "memory_gib": mem,
                "family": "gpu",
                "arch": "x86_64",
                "gpus": 1,
                "gpu_model": model,
                "gpu_memory_gib": 24,
                "prices": {"on-demand": Decimal(price)},
            }
        )
    for type_, vcpus, mem, linux in WINDOWS_SIZES:
        out.append(
            {
                "provider": "azure",
                "region": "eastus",
                "type": type_,
                "vcpus": vcpus,
                "memory_gib": mem,
                "arch": "x86_64",
                "platform": "windows",
                "prices": {"on-demand": Decimal(linux) + WINDOWS_PER_VCPU * vcpus},
            }
        )
    return out


def _id(rng: random.Random, provider: str, n: int) -> str:
    """AWS ids are 17 hex digits; the others read like names."""
    if provider == "aws":
        return f"i-0{rng.getrandbits(64):016x}"
    return f"{PREFIX[provider]}{n:04d}"


def disk(id_: str, provider: str, region: str, gib: int, monthly_per_gib: str, **over: object):
    hourly = (Decimal(monthly_per_gib) * gib / 730).quantize(Decimal("0.000001"))
    r = {
        "id": id_,
        "provider": provider,
        "account": ACCOUNT[provider],
        "region": region,
        "kind": "storage",
        "resource_type": {
            "aws": "aws.ebs-volume",
            "azure": "azure.managed-disk",
            "gcp": "gcp.persistent-disk",
        }[provider],
        "type": {"aws": "gp3", "azure": "Premium_LRS", "gcp": "pd-balanced"}[provider],
        "hourly_cost": hourly,
        "size_gib": gib,
        "state": "running",
        "tags": {"env": "prod"},
    }
    r.update(over)
    return r


def address(id_: str, provider: str, region: str, hourly: str) -> dict[str, object]:
    return {
        "id": id_,
        "provider": provider,
        "account": ACCOUNT[provider],
        "region": region,
        "kind": "network",
        "resource_type": f"{provider}.address",
        "hourly_cost": Decimal(hourly),
        "state": "unattached",
        "tags": {},
    }


def resources() -> list[dict[str, object]]:
    rng = random.Random(20261031)
    out: list[dict[str, object]] = []
    n = 0x5A1
    for wl, team, provider, region, type_, count, p95 in FLEETS:
        for _ in range(count):
            n += 1
            extra = {"account": AWS_DATA} if wl == "data-pipeline" else {}
            out.append(
                compute(
                    rng, n, provider, region, type_, p95, {"team": team, "workload": wl}, **extra
                )
            )
    # one data-pipeline node already runs on spot
    spot = next(r for r in out if r["type"] == "r5.2xlarge")
    spot.update(pricing="spot", hourly_cost=Decimal(SPOT["r5.2xlarge"]))
    # forgotten machines: idle, no workload
    for i, (provider, region, type_) in enumerate(
        [
            ("aws", "us-east-1", "t3.large"),
            ("aws", "us-east-1", "t3.large"),
            ("azure", "eastus", "Standard_E4s_v5"),
            ("azure", "eastus", "Standard_B2ms"),
            ("azure", "eastus", "Standard_B2ms"),
            ("gcp", "us-central1", "e2-standard-2"),
        ]
    ):
        n += 1
        tags = {"team": "platform", "owner": "legacy"}
        if i == 4:
            tags["lepton:protect"] = "true"  # the on-call bastion: idle by design
        out.append(compute(rng, n, provider, region, type_, 0.02, tags))
    # stopped machines still paying for disks
    n += 1
    out.append(
        compute(
            rng,
            n,
            "aws",
            "us-east-1",
            "m5.xlarge",
            0.0,
            {"team": "data"},
            state="stopped",
            hourly_cost=Decimal(0),
            utilization=None,
        )
    )
    stopped_aws = out[-1]["id"]
    n += 1
    out.append(
        compute(
            rng,
            n,
            "azure",
            "eastus",
            "Standard_D2s_v5",
            0.0,
            {"team": "web"},
            state="stopped",
            hourly_cost=Decimal(0),
            utilization=None,
        )
    )
    stopped_az = out[-1]["id"]
    out += [
        disk("vol-0b7e3f1c2a9d41e01", "aws", "us-east-1", 200, "0.08", attached_to=stopped_aws),
        disk(f"{stopped_az}-osdisk", "azure", "eastus", 128, "0.154", attached_to=stopped_az),
        disk("vol-0c1d2e3f4a5b6c7d8", "aws", "us-east-1", 500, "0.08", state="unattached"),
        disk("vol-0d2e3f4a5b6c7d8e9", "aws", "us-east-1", 100, "0.08", state="unattached"),
        disk("pd-orphan-reports-01", "gcp", "us-central1", 250, "0.10", state="unattached"),
        disk("disk-web-old-data", "azure", "eastus", 256, "0.154", state="unattached"),
    ]
    for i, r in enumerate(
        r for r in list(out) if r.get("tags", {}).get("workload") == "data-pipeline"
    ):
        out.append(
            disk(
                f"vol-0e{i:017x}",
                "aws",
                "us-east-1",
                1000,
                "0.08",
                attached_to=r["id"],
                account=AWS_DATA,
            )
        )
    for i, r in enumerate(
        r for r in list(out) if r.get("tags", {}).get("workload") in ("search", "search-eu")
    ):  # the search index lives on each node's data disk
        out.append(
            disk(f"pd-search-{i:02d}", "gcp", str(r["region"]), 250, "0.10", attached_to=r["id"])
        )
    out += [
        address("eipalloc-0a1b2c3d4e5f60718", "aws", "us-east-1", "0.005"),
        address("eipalloc-0f1e2d3c4b5a69788", "aws", "eu-west-1", "0.005"),
        address("pip-legacy-gateway", "azure", "eastus", "0.005"),
        address("addr-old-lb", "gcp", "us-central1", "0.01"),
    ]
    out.append(
        {
            "id": "db-orders-primary",
            "provider": "aws",
            "account": AWS_PROD,
            "region": "us-east-1",
            "kind": "database",
            "resource_type": "aws.rds-instance",
            "type": "db.r6g.xlarge",
            "hourly_cost": Decimal("0.45"),
            "vcpus": 4,
            "memory_gib": 32,
            "state": "running",
            "tags": {"team": "payments", "env": "prod"},
        }
    )
    return out


SERVICE = {  # (provider, kind) -> ServiceName, ServiceCategory
    ("aws", "compute"): ("Amazon Elastic Compute Cloud", "Compute"),
    ("aws", "storage"): ("Amazon Elastic Block Store", "Storage"),
    ("aws", "network"): ("Amazon Virtual Private Cloud", "Networking"),
    ("aws", "database"): ("Amazon Relational Database Service", "Databases"),
    ("azure", "compute"): ("Virtual Machines", "Compute"),
    ("azure", "storage"): ("Storage", "Storage"),
    ("azure", "network"): ("Virtual Network", "Networking"),
    ("gcp", "compute"): ("Compute Engine", "Compute"),
    ("gcp", "storage"): ("Compute Engine", "Storage"),
    ("gcp", "network"): ("Compute Engine", "Networking"),
}
PROVIDER = {
    "aws": ("AWS", "Amazon Web Services"),
    "azure": ("Microsoft", "Microsoft"),
    "gcp": ("Google Cloud", "Google Cloud"),
}
PRICING_CATEGORY = {"on-demand": "Standard", "spot": "Dynamic", "reserved": "Committed"}
COLUMNS = [
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "SkuId",
    "SkuPriceDetails",
    "SubAccountId",
    "SubAccountName",
    "Tags",
]
SPIKE_DAY = date(2026, 10, 21)


def focus_rows(res: list[dict[str, object]]) -> list[dict[str, str]]:
    rows = []
    start = date(2026, 10, 1)
    for day in (start + timedelta(d) for d in range(31)):
        for r in res:
            hourly = Decimal(str(r["hourly_cost"]))
            if hourly == 0:
                continue
            hours = Decimal(24)
            if day == SPIKE_DAY and r.get("tags", {}).get("workload") == "data-pipeline":
                hours = Decimal(24 * 4)  # a backfill ran three extra nodes all day
            rows.append(_row(r, day, hourly, hours))
    return rows


def _row(r: dict[str, object], day: date, hourly: Decimal, hours: Decimal) -> dict[str, str]:
    provider = str(r["provider"])
    name, category = SERVICE[(provider, str(r["kind"]))]
    billed = (hourly * hours).quantize(Decimal("0.0000000001"))
    on_demand = TYPES.get((provider, str(r["region"]), str(r.get("type"))))
    list_cost = (Decimal(on_demand[2]) * hours) if on_demand else billed
    pricing = str(r.get("pricing", "on-demand"))
    ts = lambda d: f"{d.isoformat()}T00:00:00Z"  # noqa: E731
    return {
        "BilledCost": str(billed),
        "BillingAccountId": f"acme-{provider}-billing",
        "BillingAccountName": "Acme Inc.",
        "BillingCurrency": "USD",
        "BillingPeriodEnd": "2026-11-01T00:00:00Z",
        "BillingPeriodStart": "2026-10-01T00:00:00Z",
        "ChargeCategory": "Usage",
        "ChargeClass": "",
        "ChargeDescription": f"{r.get('type') or r['kind']} in {r['region']}",
        "ChargeFrequency": "Usage-Based",
        "ChargePeriodEnd": ts(day + timedelta(1)),
        "ChargePeriodStart": ts(day),
        "ConsumedQuantity": str(hours),
        "ConsumedUnit": "Hours",
        "ContractedCost": str(billed),
        "EffectiveCost": str(billed),
        "InvoiceIssuerName": PROVIDER[provider][1],
        "ListCost": str(list_cost.quantize(Decimal("0.0000000001"))),
        "PricingCategory": PRICING_CATEGORY[pricing],
        "PricingQuantity": str(hours),
        "PricingUnit": "Hours",
        "ProviderName": PROVIDER[provider][0],
        "PublisherName": PROVIDER[provider][1],
        "RegionId": str(r["region"]),
        "RegionName": str(r["region"]),
        "ResourceId": str(r["id"]),
        "ResourceName": str(r["id"]),
        "ResourceType": str(r.get("resource_type") or ""),
        "ServiceCategory": category,
        "ServiceName": name,
        "SkuId": str(r.get("type") or ""),
        "SkuPriceDetails": json.dumps({"InstanceType": r["type"]}) if r.get("type") else "",
        "SubAccountId": str(r["account"]),
        "SubAccountName": str(r["account"]),
        "Tags": json.dumps(r.get("tags", {}), sort_keys=True),
    }


def main() -> None:
    res = resources()
    doc = {
        "apiVersion": "lepton/v1",
        "kind": "Inventory",
        "currency": "USD",
        "resources": res,
        "workloads": WORKLOADS,
        "offerings_mode": "extend",
        "offerings": offerings(),
    }
    yaml.SafeDumper.add_representer(
        Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", format(v, "f"))
    )
    header = "# Acme Inc. - generated by examples/acme/generate.py; do not edit by hand.\n"
    (HERE / "inventory.yaml").write_text(
        header + yaml.safe_dump(doc, sort_keys=False, width=100), encoding="utf-8"
    )
    with (HERE / "focus-2026-10.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(focus_rows(res))


if __name__ == "__main__":
    main()
