"""GPUs, architectures and Windows on Compute Engine: machine types' accelerators and
architecture, instances' guest accelerators and licences, GPU SKUs in the Cloud Billing
Catalog; real Google clients over HTTP against the local fake."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import gcp_fixtures as fx
from gcp_fake import FakeGoogle
from test_gcp_inventory import PROJECT, ZONE, provider
from typer.testing import CliRunner

from lepton_cli.cli.app import app
from lepton_cli.models import Pricing
from lepton_cli.providers.base import Scope

US = ["us-central1"]
US_ZONE = "us-central1-a"
# This suite's own rates, shaped like the catalog's SKUs (per vCPU-, GiB- or GPU-hour).
RATES = {
    ("G2", "OnDemand"): ("0.02447", "0.002866"),
    ("A2", "OnDemand"): ("0.031611", "0.004237"),
    ("N1", "OnDemand"): ("0.031611", "0.004237"),
    ("T2A", "OnDemand"): ("0.0308", "0.0042"),
}
GPU_RATES = [
    ("Nvidia L4 GPU running in Americas", "OnDemand", "0.56"),
    ("Spot Preemptible Nvidia L4 GPU running in Americas", "Preemptible", "0.22"),
    ("Commitment v1: Nvidia L4 GPU in Americas for 1 Year", "Commit1Yr", "0.35"),
    ("Nvidia Tesla A100 GPU running in Americas", "OnDemand", "2.933908"),
    ("Nvidia Tesla T4 GPU running in Americas", "OnDemand", "0.35"),
    ("Nvidia Tesla T4 Virtual Workstation GPU running in Americas", "OnDemand", "0.55"),
]


def gpu_skus() -> list[dict[str, Any]]:
    skus = []
    for (family, usage), (core, ram) in RATES.items():
        skus += [
            fx.sku(f"{family} Instance Core running in Americas", "CPU", usage, US, "h", (0, core)),
            fx.sku(
                f"{family} Instance Ram running in Americas", "RAM", usage, US, "GiBy.h", (0, ram)
            ),
        ]
    skus.append(
        fx.sku("Spot Preemptible G2 Instance Core running in Americas", "CPU", "Preemptible", US,
               "h", (0, "0.0097"))
    )  # fmt: skip
    skus.append(
        fx.sku("Spot Preemptible G2 Instance Ram running in Americas", "RAM", "Preemptible", US,
               "GiBy.h", (0, "0.0011"))
    )  # fmt: skip
    skus += [fx.sku(d, "GPU", u, US, "h", (0, p)) for d, u, p in GPU_RATES]
    skus.append(
        fx.sku("Licensing Fee for Windows Server 2022 Datacenter Edition (CPU cost)", "Windows",
               "OnDemand", ["global"], "h", (0, "0.046"), family="License")
    )  # fmt: skip
    return skus


def machine(name: str, cpus: int, memory_mb: int, **extra: Any) -> dict[str, Any]:
    answer = fx.machine_type(name, cpus, memory_mb, US_ZONE)
    answer.update(extra)
    return answer


def accelerated_types() -> dict[str, Any]:
    l4 = [{"guestAcceleratorType": "nvidia-l4", "guestAcceleratorCount": 1}]
    return {
        f"zones/{US_ZONE}": {
            "machineTypes": [
                machine("g2-standard-4", 4, 16384, accelerators=l4, architecture="X86_64"),
                machine(
                    "a2-highgpu-1g",
                    12,
                    87040,
                    accelerators=[
                        {"guestAcceleratorType": "nvidia-tesla-a100", "guestAcceleratorCount": 1}
                    ],
                ),
                machine("n1-standard-4", 4, 15360),
                machine("t2a-standard-4", 4, 16384, architecture="ARM64"),
                machine("n2-standard-4", 4, 16384),
            ]
        }
    }


def estate(google: FakeGoogle) -> None:
    google.sku_pages = [*fx.sku_pages(), gpu_skus()]
    google.machine_types = accelerated_types()
    t4 = {
        "acceleratorType": f"{fx.COMPUTE}/projects/{PROJECT}/zones/{ZONE}/acceleratorTypes/"
        "nvidia-tesla-t4",
        "acceleratorCount": 2,
    }
    windows = fx.instance(PROJECT, "erp-1", "n2-standard-4", ZONE, instance_id="2004")
    windows["disks"] = [
        {
            "boot": True,
            "source": f"{fx.COMPUTE}/projects/{PROJECT}/zones/{ZONE}/disks/erp-1",
            "licenses": [
                f"{fx.COMPUTE}/projects/windows-cloud/global/licenses/windows-server-2022-dc"
            ],
        }
    ]
    google.instances[PROJECT] = [
        [
            fx.instance(PROJECT, "infer-1", "g2-standard-4", ZONE, instance_id="2001"),
            fx.instance(PROJECT, "train-1", "a2-highgpu-1g", ZONE, instance_id="2002"),
            {
                **fx.instance(PROJECT, "t4-1", "n1-standard-4", ZONE, instance_id="2003"),
                "guestAccelerators": [t4],
            },
            windows,
            fx.instance(PROJECT, "arm-1", "t2a-standard-4", ZONE, instance_id="2005"),
        ]
    ]


def _scan(google: FakeGoogle, tmp_path: Path) -> dict[str, Any]:
    estate(google)
    prov = provider(google, tmp_path)
    found = {r.id.rsplit("/", 1)[-1]: r for r in prov.inventory(Scope(days=14))}
    assert prov.failures == []
    return found


def test_accelerator_optimized_types_read_and_price_their_gpus(google, adc, tmp_path):
    vms = _scan(google, tmp_path)
    g2 = vms["infer-1"]
    assert (g2.gpus, g2.gpu_model, g2.arch, g2.platform) == (1, "L4", "x86_64", "linux")
    # 4 vCPUs x 0.02447 + 16 GiB x 0.002866 + 1 L4 x 0.56
    assert g2.hourly_cost == 4 * Decimal("0.02447") + 16 * Decimal("0.002866") + Decimal("0.56")
    a2 = vms["train-1"]
    assert (a2.gpus, a2.gpu_model) == (1, "A100")
    expected = 12 * Decimal("0.031611") + 85 * Decimal("0.004237") + Decimal("2.933908")
    assert a2.hourly_cost == expected  # 3.673385: the published a2-highgpu-1g price


def test_guest_accelerators_on_an_n1_instance(google, adc, tmp_path):
    n1 = _scan(google, tmp_path)["t4-1"]
    assert (n1.gpus, n1.gpu_model) == (2, "T4")
    # the T4, not the T4 Virtual Workstation SKU
    assert n1.hourly_cost == 4 * Decimal("0.031611") + 15 * Decimal("0.004237") + 2 * Decimal(
        "0.35"
    )


def test_machine_type_architecture_and_windows_licence(google, adc, tmp_path):
    vms = _scan(google, tmp_path)
    arm = vms["arm-1"]
    assert (arm.arch, arm.gpus, arm.gpu_model) == ("arm64", 0, None)
    erp = vms["erp-1"]
    assert erp.platform == "windows"
    linux_rate = 4 * Decimal("0.031611") + 16 * Decimal("0.004237")
    assert erp.hourly_cost == linux_rate + 4 * Decimal("0.046")


def test_offerings_price_accelerated_types_with_their_gpus(google, adc, tmp_path):
    estate(google)
    got = {o.type: o for o in provider(google, tmp_path).offerings(["us-central1"])}
    g2 = got["g2-standard-4"]
    machine_part = 4 * Decimal("0.02447") + 16 * Decimal("0.002866")
    assert g2.prices == {
        Pricing.ON_DEMAND: machine_part + Decimal("0.56"),
        Pricing.SPOT: 4 * Decimal("0.0097") + 16 * Decimal("0.0011") + Decimal("0.22"),
    }  # no G2 commitment SKU for vCPUs/RAM: no reserved price
    assert (g2.gpus, g2.gpu_model, g2.gpu_memory_gib, g2.family) == (1, "L4", 24, "accelerated")
    assert got["a2-highgpu-1g"].gpu_memory_gib == 40
    assert got["t2a-standard-4"].arch == "arm64" and got["t2a-standard-4"].gpus == 0
    assert got["n1-standard-4"].gpus == 0  # GPUs attach to N1 per instance, not per type


def test_catalog_refresh_carries_gpu_fields(google, adc, tmp_path):
    estate(google)
    endpoints = {"compute": google.url, "billing": google.url}
    lepton_yaml = tmp_path / "lepton.yaml"
    lepton_yaml.write_text(
        f"cache_dir: {tmp_path / 'c'}\n"
        + "gcp:\n  projects: [shop-prod]\n  endpoints: "
        + json.dumps(endpoints)
        + "\n"
    )
    runner = CliRunner()
    base = ["--config", str(lepton_yaml), "catalog"]
    refreshed = runner.invoke(app, [*base, "refresh", "-p", "gcp", "--region", "us-central1"])
    assert refreshed.exit_code == 0, refreshed.stderr
    listed = runner.invoke(app, [*base, "list", "-p", "gcp", "--gpu", "L4", "-f", "json"])
    rows = {(o["region"], o["type"]): o for o in json.loads(listed.stdout)["offerings"]}
    g2 = rows["us-central1", "g2-standard-4"]
    assert Decimal(g2["prices"]["on-demand"]) == 4 * Decimal("0.02447") + 16 * Decimal(
        "0.002866"
    ) + Decimal("0.56")
    assert (g2["gpus"], g2["gpu_model"], g2["gpu_memory_gib"]) == (1, "L4", 24)
    assert ("europe-west1", "g2-standard-4") in rows  # bundled, not refreshed there
