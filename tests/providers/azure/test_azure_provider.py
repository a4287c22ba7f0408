"""The azure provider end to end over HTTPS against the local stub, with the real SDK clients."""

from __future__ import annotations

from decimal import Decimal

import pytest
from azure_stub import (
    DISK_OLD,
    DISK_ORPHAN,
    IDENTITY_HEADER,
    IP_FREE,
    SUB1,
    SUB2,
    TOKEN,
    VM_IDLE,
    VM_OLD,
    VM_WEB,
    StubState,
)

from lepton_cli.analysis.waste import FindingKind, findings
from lepton_cli.config import Settings
from lepton_cli.errors import ExitCode, ProviderError
from lepton_cli.models import Inventory, Period, Pricing, ResourceState
from lepton_cli.models.money import HOURS_PER_MONTH
from lepton_cli.providers.azure import AzureConfig, AzureProvider
from lepton_cli.providers.azure.normalize import arm_id
from lepton_cli.providers.base import ProviderContext, Scope

OCTOBER = Period.month("2026-10")


def calls(stub: StubState, suffix: str, method: str = "GET") -> list[dict[str, object]]:
    return [c for c in stub.calls if c["method"] == method and str(c["path"]).endswith(suffix)]


def test_inventory_reads_vms_wasted_disks_and_free_ips(
    provider: AzureProvider, stub: StubState
) -> None:
    resources = {r.id: r for r in provider.inventory(Scope(days=14))}
    wanted = {VM_WEB, VM_IDLE, VM_OLD, DISK_OLD, DISK_ORPHAN, IP_FREE}
    assert set(resources) == {arm_id(i) for i in wanted}  # ARM ids, spelled in lower case
    web = resources[arm_id(VM_WEB)]
    assert (web.provider, web.account, web.region, web.zone) == (
        "azure",
        SUB1,
        "eastus",
        "eastus-1",
    )
    assert (web.resource_type, web.type, web.vcpus, web.memory_gib) == (
        "azure.vm",
        "Standard_D2s_v5",
        2,
        8,
    )
    assert web.hourly_cost == Decimal("0.096")  # Linux on-demand, not the Windows or dev/test meter
    assert web.state is ResourceState.RUNNING and web.tags == {"workload": "web", "team": "shop"}
    assert web.utilization is not None
    assert (web.utilization.cpu_avg, web.utilization.cpu_p95, web.utilization.days) == (
        0.34,
        0.5,
        14,
    )
    idle = resources[arm_id(VM_IDLE)]
    assert (
        idle.hourly_cost == Decimal("0.192")
        and idle.utilization
        and idle.utilization.cpu_p95 == 0.01
    )
    old = resources[arm_id(VM_OLD)]
    assert old.state is ResourceState.STOPPED and old.hourly_cost == 0 and old.utilization is None


def test_disks_and_ips_are_priced_from_retail_meters(provider: AzureProvider) -> None:
    resources = {r.id: r for r in provider.inventory(Scope())}
    old_disk, orphan = resources[arm_id(DISK_OLD)], resources[arm_id(DISK_ORPHAN)]
    ip = resources[arm_id(IP_FREE)]
    assert (old_disk.state, old_disk.attached_to, old_disk.size_gib) == (
        ResourceState.STOPPED,
        resources[arm_id(VM_OLD)].id,
        100,
    )
    assert old_disk.monthly_cost == Decimal("19.71")  # P10 LRS
    assert orphan.state is ResourceState.UNATTACHED and orphan.type == "StandardSSD_LRS"
    # E6 LRS: $4.80 a month, spread over the hours exactly (no per-disk rounding)
    assert orphan.hourly_cost == Decimal("4.8") / HOURS_PER_MONTH
    assert orphan.monthly_cost == pytest.approx(Decimal("4.80"), abs=Decimal("1e-20"))
    assert (ip.resource_type, ip.state, ip.hourly_cost) == (
        "azure.public-ip",
        ResourceState.UNATTACHED,
        Decimal("0.005"),
    )


def test_inventory_uses_one_batched_metrics_call_and_status_only_listing(
    provider: AzureProvider, stub: StubState
) -> None:
    list(provider.inventory(Scope(accounts=(SUB1,))))
    listing = calls(stub, "/Microsoft.Compute/virtualMachines")
    assert [c["query"]["statusOnly"] for c in listing] == [["true"]]  # type: ignore[index]
    metric_calls = calls(stub, "/Microsoft.Insights/metrics")
    assert len(metric_calls) == 1  # three VMs, one region: one call
    query = metric_calls[0]["query"]
    assert query["$filter"] == ["Microsoft.ResourceId eq '*'"] and query["region"] == ["eastus"]  # type: ignore[index]
    assert query["metricnames"] == ["Percentage CPU"] and query["interval"] == ["PT1H"]  # type: ignore[index]
    arm = [c for c in stub.calls if str(c["path"]).startswith("/subscriptions")]
    assert arm and all(c["auth"] == f"Bearer {TOKEN}" for c in arm)
    token_calls = calls(stub, "/msi/token")
    assert token_calls and token_calls[0]["identity"] == IDENTITY_HEADER


def test_retail_prices_follow_next_page_link(provider: AzureProvider, stub: StubState) -> None:
    list(provider.inventory(Scope(accounts=(SUB1,))))
    retail = calls(stub, "/api/retail/prices")
    assert any("$skip" in c["query"] for c in retail)  # type: ignore[operator]


def test_a_forbidden_subscription_is_reported_and_the_others_delivered(
    provider: AzureProvider, stub: StubState
) -> None:
    resources = list(provider.inventory(Scope()))  # both subscriptions, listed by the stub
    assert {r.account for r in resources} == {SUB1}
    assert [(f.provider, f.scope) for f in provider.failures] == [("azure", f"subscription {SUB2}")]
    failure = provider.failures[0]
    assert "403" in failure.message and failure.hint and "Reader" in failure.hint


def test_a_disk_of_a_deallocated_vm_is_found_as_stopped_instance_paying(
    provider: AzureProvider,
) -> None:
    resources = list(provider.inventory(Scope(accounts=(SUB1,))))
    found = findings(Inventory(resources=resources), Settings())
    (stopped,) = [f for f in found if f.kind is FindingKind.STOPPED_PAYING]
    assert stopped.resource.id == arm_id(VM_OLD)
    assert stopped.monthly_saving == Decimal(
        "19.71"
    )  # its P10 disk, found despite managedBy's case
    assert "1 disk(s) (100 GiB)" in stopped.reason


def test_a_401_on_one_subscription_is_its_failure_and_the_others_delivered(
    provider: AzureProvider, stub: StubState
) -> None:
    stub.forbidden.clear()
    stub.unauthorized.add(SUB2)
    resources = list(provider.inventory(Scope(accounts=(SUB1, SUB2))))
    assert {r.account for r in resources} == {SUB1} and len(resources) == 6
    (failure,) = provider.failures
    assert failure.scope == f"subscription {SUB2}" and "401" in failure.message
    assert failure.hint and "tenant" in failure.hint
    costs = list(provider.costs(OCTOBER))  # the cost queries (POST) too
    assert {r.sub_account_id for r in costs} == {SUB1}
    assert [f.scope for f in provider.failures] == [f"subscription {SUB2}"] * 2


def test_subscriptions_default_to_every_enabled_one(provider: AzureProvider) -> None:
    assert provider.subscriptions() == sorted([SUB1, SUB2])
    assert provider.subscriptions((SUB1,)) == [SUB1]


def test_costs_follow_next_link_and_join_actual_with_amortized(
    provider: AzureProvider, stub: StubState
) -> None:
    records = list(provider.costs(OCTOBER))
    assert sum(r.billed_cost for r in records) == Decimal("113.75")
    assert sum(r.effective_cost for r in records) == Decimal("17.75")
    web = next(r for r in records if r.resource_id == arm_id(VM_WEB))
    assert (web.provider_name, web.sub_account_id, web.region_id) == ("Microsoft", SUB1, "eastus")
    assert (web.service_name, web.service_category, web.pricing_category) == (
        "Virtual Machines",
        "Compute",
        "Standard",
    )
    assert (
        web.resource_type == "azure.vm"
        and web.charge_period_start
        and web.charge_period_start.day == 1
    )
    queries = calls(stub, "/providers/Microsoft.CostManagement/query", "POST")
    sub1 = [c for c in queries if SUB1 in str(c["path"])]
    assert len(sub1) == 4  # two cost types x two pages
    assert sorted(c["body"]["type"] for c in sub1) == ["ActualCost"] * 2 + ["AmortizedCost"] * 2  # type: ignore[index]
    body = sub1[0]["body"]
    assert [g["name"] for g in body["dataset"]["grouping"]] == [  # type: ignore[index]
        "ResourceId",
        "ServiceName",
        "ResourceLocation",
        "PricingModel",
        "MeterCategory",
    ]
    assert body["timePeriod"]["from"].startswith("2026-10-01") and body["timePeriod"][
        "to"
    ].startswith("2026-10-31")  # type: ignore[index]
    assert [f.scope for f in provider.failures] == [f"subscription {SUB2}"]


def test_costs_retry_a_429_after_its_retry_after(provider: AzureProvider, stub: StubState) -> None:
    stub.throttle = 1
    records = list(provider.costs(OCTOBER))
    assert sum(r.billed_cost for r in records) == Decimal("113.75")
    assert (
        len(calls(stub, "/providers/Microsoft.CostManagement/query", "POST")) == 4 + 1 + 1
    )  # + SUB2


def test_throttled_past_the_retry_budget_is_a_scope_failure(
    config: AzureConfig, context: ProviderContext, stub: StubState
) -> None:
    stub.throttle_always = True
    provider = AzureProvider(
        config.model_copy(update={"max_retries": 0, "subscriptions": [SUB1]}), context
    )
    assert list(provider.costs(OCTOBER)) == []
    assert len(provider.failures) == 1 and "429" in provider.failures[0].message
    assert provider.failures[0].hint and "retry" in provider.failures[0].hint


def test_cost_answers_are_cached_and_no_cache_bypasses(
    config: AzureConfig, context: ProviderContext, stub: StubState
) -> None:
    one = config.model_copy(update={"subscriptions": [SUB1]})
    first = list(AzureProvider(one, context).costs(OCTOBER))
    sent = len(calls(stub, "/query", "POST"))
    assert list(AzureProvider(one, context).costs(OCTOBER)) == first
    assert len(calls(stub, "/query", "POST")) == sent  # answered from disk
    fresh = ProviderContext(cache_dir=context.cache_dir, use_cache=False, cache_ttl_seconds=3600)
    assert list(AzureProvider(one, fresh).costs(OCTOBER)) == first
    assert len(calls(stub, "/query", "POST")) == 2 * sent


def test_missing_credentials_exit_4_with_az_login(
    config: AzureConfig, context: ProviderContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IDENTITY_ENDPOINT")
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")  # no AZURE_CLIENT_* set
    provider = AzureProvider(config, context)
    with pytest.raises(ProviderError) as caught:
        list(provider.inventory(Scope()))
    assert caught.value.exit_code is ExitCode.PROVIDER
    assert caught.value.hint and "az login" in caught.value.hint
    assert IDENTITY_HEADER not in str(caught.value)


def test_offerings_join_prices_with_size_specs(provider: AzureProvider) -> None:
    every = {(o.type, o.platform): o for o in provider.offerings(["eastus"])}
    offerings = {t: o for (t, platform), o in every.items() if platform == "linux"}
    assert set(offerings) == {
        "Standard_D2s_v5",
        "Standard_D4s_v5",
        "Standard_D4ps_v5",
        "Standard_NC24ads_A100_v4",
    }
    assert {t for t, platform in every if platform == "windows"} == {"Standard_D2s_v5"}
    d2 = offerings["Standard_D2s_v5"]
    assert (d2.provider, d2.region, d2.vcpus, d2.memory_gib, d2.arch) == (
        "azure",
        "eastus",
        2,
        8,
        "x86_64",
    )
    assert d2.prices == {
        Pricing.ON_DEMAND: Decimal("0.096"),
        Pricing.SPOT: Decimal("0.0192"),
        Pricing.RESERVED: Decimal("0.058904"),  # 516 for the year / 8760 h
    }
    assert offerings["Standard_D4s_v5"].prices == {
        Pricing.ON_DEMAND: Decimal("0.192")
    }  # no Low Priority
    assert offerings["Standard_D4ps_v5"].arch == "arm64"
