"""Azure VMs read their OS, CPU architecture and GPUs (resource SKUs), and are priced at their
platform's rate: real azure-mgmt-compute clients against the local HTTPS stub."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from azure_stub import PLATFORM_VMS, VM_AHB, VM_GPU, VM_IDLE, VM_WEB, VM_WIN, StubState

from lepton_cli.models import Pricing
from lepton_cli.providers.azure import AzureProvider, normalize, prices
from lepton_cli.providers.base import Scope


def _scan(provider: AzureProvider, stub: StubState) -> dict[str, object]:
    stub.extra_vms = list(PLATFORM_VMS)
    found = {r.id: r for r in provider.inventory(Scope())}
    assert [f.scope for f in provider.failures] == [
        "subscription 22222222-2222-2222-2222-222222222222"
    ]  # the stub's forbidden one
    return found


def test_a_windows_vm_is_priced_at_the_windows_rate(provider, stub):
    vms = _scan(provider, stub)
    windows, linux = vms[VM_WIN.lower()], vms[VM_WEB.lower()]
    assert (windows.platform, windows.type, windows.hourly_cost) == (
        "windows",
        "Standard_D2s_v5",
        Decimal("0.188"),  # the Windows meter, not Linux's 0.096
    )
    assert (linux.platform, linux.hourly_cost) == ("linux", Decimal("0.096"))


def test_hybrid_benefit_bills_the_linux_rate(provider, stub):
    ahb = _scan(provider, stub)[VM_AHB.lower()]
    assert (ahb.platform, ahb.hourly_cost) == ("windows", Decimal("0.096"))


def test_a_vm_without_os_type_is_linux(provider, stub):
    assert _scan(provider, stub)[VM_IDLE.lower()].platform == "linux"


def test_resource_skus_give_arch_and_gpus(provider, stub):
    vms = _scan(provider, stub)
    gpu = vms[VM_GPU.lower()]
    assert (gpu.vcpus, gpu.memory_gib, gpu.gpus, gpu.gpu_model, gpu.arch) == (
        24,
        220,
        1,
        "A100",
        "x86_64",
    )
    assert gpu.hourly_cost == Decimal("3.673")
    web = vms[VM_WEB.lower()]
    assert (web.arch, web.gpus) == ("x86_64", 0)
    asked = [c for c in stub.calls if c["path"].endswith("/providers/Microsoft.Compute/skus")]
    assert asked and all(c["query"]["$filter"] == ["location eq 'eastus'"] for c in asked)


def test_offerings_carry_windows_prices_arch_and_gpus(provider):
    offers = {(o.type, o.platform): o for o in provider.offerings(["eastus"])}
    win = offers["Standard_D2s_v5", "windows"]
    linux = offers["Standard_D2s_v5", "linux"]
    assert win.prices[Pricing.ON_DEMAND] == Decimal("0.188")
    assert win.prices[Pricing.SPOT] == Decimal("0.0376")
    # a reservation covers compute only: Linux reservation + the pay-as-you-go licence
    licence = Decimal("0.188") - Decimal("0.096")
    assert win.prices[Pricing.RESERVED] == linux.prices[Pricing.RESERVED] + licence
    a100 = offers["Standard_NC24ads_A100_v4", "linux"]
    assert (a100.gpus, a100.gpu_model, a100.family, a100.vcpus) == (1, "A100", "accelerated", 24)
    assert a100.prices[Pricing.RESERVED] == (Decimal(20064) / 8760).quantize(Decimal("0.000001"))
    assert offers["Standard_D4ps_v5", "linux"].arch == "arm64"


def test_sku_capabilities_and_size_names():
    def sku(name, **caps):
        capabilities = [SimpleNamespace(name=k, value=v) for k, v in caps.items()]
        return SimpleNamespace(
            resource_type="virtualMachines", name=name, capabilities=capabilities
        )

    cobalt = normalize.sku_spec(
        sku("Standard_D4ps_v6", vCPUs="4", MemoryGB="16", CpuArchitectureType="Arm64")
    )
    assert cobalt is not None and (cobalt.arch, cobalt.gpus) == ("arm64", 0)
    nd = normalize.sku_spec(sku("Standard_ND96isr_H100_v5", vCPUs="96", MemoryGB="1900", GPUs="8"))
    assert nd is not None and (nd.gpus, nd.gpu_model, nd.memory_gib) == (8, "H100", 1900)
    assert normalize.sku_spec(sku("Standard_X", vCPUs="2")) is None  # no memory: no spec
    assert normalize.gpu_model_of("Standard_NV36ads_A10_v5") == "A10"
    assert normalize.gpu_model_of("Standard_NC16as_T4_v3") == "T4"
    assert normalize.gpu_model_of("Standard_NC6s_v3") == "V100"
    assert normalize.gpu_model_of("Standard_D4s_v5") is None


def test_windows_items_are_read_as_windows():
    item = {
        "productName": "Virtual Machines Dsv5 Series Windows",
        "meterName": "D2s v5 Spot",
        "type": "Consumption",
        "unitOfMeasure": "1 Hour",
        "retailPrice": 0.0376,
    }
    assert prices.vm_meter(item) == ("windows", Pricing.SPOT, Decimal("0.0376"))
    assert prices.vm_price(item) is None  # the Linux view of the same item
