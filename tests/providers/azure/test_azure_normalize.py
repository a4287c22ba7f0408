"""Pure mappings: percentiles, disk tiers, dates, retail items, cost tables, real samples."""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from lepton_cli.models import Period, Pricing
from lepton_cli.models.resource import percentile
from lepton_cli.providers.azure import normalize, prices
from lepton_cli.providers.azure.costs import Pacer, query_body, skiptoken
from lepton_cli.providers.azure.offerings import arch_of


def samples() -> Path:
    root = os.environ.get("LEPTON_CORPUS")
    if not root:
        pytest.skip("LEPTON_CORPUS is not set")
    return Path(root) / "api-samples" / "azure"


def test_p95_is_nearest_rank() -> None:
    assert percentile([float(v) for v in range(1, 101)], 0.95) == 95.0
    assert percentile([0.2], 0.95) == 0.2


def test_utilization_turns_percent_into_clamped_fractions() -> None:
    found = normalize.utilization([50.0, 150.0] * 7 * 12, days=7)  # 7 days of hourly averages
    assert found is not None and (found.cpu_avg, found.cpu_p95, found.days) == (0.75, 1.0, 7)
    few = normalize.utilization([50.0, 150.0], days=7)
    assert few is not None and few.days == 0  # two hours of samples say nothing about a week
    assert normalize.utilization([], days=7) is None


@pytest.mark.parametrize(
    ("sku", "size", "tier"),
    [
        ("Premium_LRS", 128, "P10 LRS"),
        ("Premium_LRS", 129, "P15 LRS"),
        ("StandardSSD_ZRS", 4, "E1 ZRS"),
        ("Standard_LRS", 8, "S4 LRS"),  # standard HDD starts at S4 (32 GiB)
        ("PremiumV2_LRS", 100, None),
        ("UltraSSD_LRS", 100, None),
    ],
)
def test_disk_tier(sku: str, size: int, tier: str | None) -> None:
    assert normalize.disk_tier(sku, size) == tier


def test_usage_date_accepts_number_and_iso_text() -> None:
    assert normalize.usage_date(20180331) == dt.date(2018, 3, 31)
    assert normalize.usage_date("2026-10-02T00:00:00") == dt.date(2026, 10, 2)


def test_ids_regions_and_types() -> None:
    vm = "/subscriptions/abc/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"
    assert normalize.subscription_of(vm) == "abc" and normalize.arm_resource_type(vm) == "azure.vm"
    assert normalize.arm_resource_type("/subscriptions/abc/resourceGroups/rg") is None
    assert normalize.region_id("East US") == "eastus"


def test_a_disk_names_its_vm_as_the_vm_resource_is_spelled() -> None:
    rg = "/subscriptions/abc/resourceGroups/Shop/providers/Microsoft.Compute"
    running = SimpleNamespace(code="PowerState/deallocated")
    vm = SimpleNamespace(
        id=f"{rg}/virtualMachines/VM-Old", location="eastus", zones=None, tags=None,
        hardware_profile=SimpleNamespace(vm_size="Standard_D2s_v5"),
        instance_view=SimpleNamespace(statuses=[running]),
    )  # fmt: skip
    disk = SimpleNamespace(
        id=f"{rg}/disks/Disk-Old", location="eastus", zones=None, tags=None, disk_size_gb=100,
        sku=SimpleNamespace(name="Premium_LRS"), disk_state="Reserved",
        managed_by=f"{rg.upper()}/VIRTUALMACHINES/vm-old",
    )  # fmt: skip
    vm_resource = normalize.vm_resource(vm, "abc", {}, {}, {})
    assert normalize.wasted_disk(disk, normalize.deallocated_vm_ids([vm]))
    disk_resource = normalize.disk_resource(disk, "abc", {("eastus", "P10 LRS"): Decimal("19.71")})
    assert disk_resource.attached_to == vm_resource.id == f"{rg}/virtualMachines/VM-Old".lower()
    assert disk_resource.hourly_cost * 730 == Decimal("19.71")


def test_skiptoken_and_query_period() -> None:
    link = "https://management.azure.com/x/query?api-version=2021-10-01&$skiptoken=AQAAAA%3D%3D"
    assert skiptoken(link) == "AQAAAA==" and skiptoken(None) is None
    body = query_body("AmortizedCost", Period.month("2026-02"))
    assert body["timePeriod"] == {
        "from": "2026-02-01T00:00:00+00:00",
        "to": "2026-02-28T23:59:59+00:00",
    }


def test_arch_from_size_name() -> None:
    assert arch_of("Standard_D4ps_v5") == "arm64" and arch_of("Standard_E8pds_v5") == "arm64"
    assert arch_of("Standard_D4s_v5") == "x86_64" and arch_of("Standard_DC2s_v3") == "x86_64"


def test_pacer_spaces_calls_on_one_scope_only() -> None:
    slept: list[float] = []
    pacer = Pacer(5.0, sleep=slept.append)
    pacer.wait("/subscriptions/a")
    pacer.wait("/subscriptions/b")
    assert slept == []
    pacer.wait("/subscriptions/a")
    assert len(slept) == 1 and 4.0 < slept[0] <= 5.0


def test_documented_retail_items() -> None:
    items = json.loads((samples() / "retail_prices_items_docs_example.json").read_text())
    spot_windows_devtest, reservation = items
    assert prices.vm_price(spot_windows_devtest) is None  # Windows and dev/test: never Linux list
    assert prices.vm_price(reservation) == (Pricing.RESERVED, Decimal("2.854680"))  # 25007 / 8760
    assert prices.vm_prices(items) == {
        ("southcentralus", "standard_e64_v4", "linux"): {Pricing.RESERVED: Decimal("2.854680")}
    }


def test_documented_cost_query_answer() -> None:
    example = json.loads(
        (samples() / "costmanagement_query_billingaccount_daily_example.json").read_text()
    )
    body = example["responses"]["200"]["body"]["properties"]
    table = {"columns": [c["name"] for c in body["columns"]], "rows": body["rows"]}
    totals = normalize.sum_by_key(table)
    assert sum(totals.values()).quantize(Decimal("1e-9")) == Decimal("213.491349851")
    records = normalize.cost_records("sub", table, table)
    assert {r.charge_period_start.date() for r in records if r.charge_period_start} == {
        dt.date(2018, 3, 31)
    }
    assert all(r.billed_cost == r.effective_cost and r.billing_currency == "USD" for r in records)
