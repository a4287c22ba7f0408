"""FocusProvider: inventory (one Resource per ResourceId) and daily CostRecords."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from focus_fixtures import COLUMNS

from lepton_cli.errors import InputError
from lepton_cli.models import Period, ResourceKind
from lepton_cli.providers.base import Capability, ProviderContext, Scope
from lepton_cli.providers.focus import FocusConfig, FocusProvider, focus_inventory
from lepton_cli.providers.focus.normalize import billed_hours, provider_slug, resource_type
from lepton_cli.providers.registry import get_provider_class

OCTOBER = {"ChargePeriodStart": "2026-10-01T00:00:00Z", "ChargePeriodEnd": "2026-11-01T00:00:00Z"}


def provider(tmp_path, *paths):
    context = ProviderContext(cache_dir=tmp_path / "cache")
    return FocusProvider(FocusConfig(paths=list(paths)), context)


def test_registered_as_a_plugin():
    cls = get_provider_class("focus")
    assert cls is FocusProvider
    assert cls.capabilities == {Capability.INVENTORY, Capability.COSTS}


def test_inventory_prices_a_month_of_data_at_730_hours(tmp_path, write_focus):
    path = write_focus(
        "oct.csv",
        [
            {**OCTOBER, "ResourceId": "i-1", "BilledCost": "73.00"},
            {**OCTOBER, "ResourceId": "i-1", "BilledCost": "73.00"},
            {**OCTOBER, "ResourceId": "vol-1", "BilledCost": "7.30", "ServiceCategory": "Storage"},
        ],
    )
    resources = {r.id: r for r in provider(tmp_path, path).inventory(Scope())}
    assert resources["i-1"].hourly_cost == Decimal("0.2")
    assert resources["i-1"].monthly_cost == Decimal("146.00")
    assert resources["vol-1"].kind is ResourceKind.STORAGE
    assert resources["vol-1"].monthly_cost == Decimal("7.30")


def test_inventory_maps_provider_account_region_kind_type_and_tags(tmp_path, write_focus):
    columns = [*COLUMNS, "SkuPriceDetails"]
    path = write_focus(
        "az.csv",
        [
            {
                **OCTOBER,
                "ProviderName": "Microsoft",
                "ResourceId": "/subscriptions/s1/vm1",
                "SubAccountId": "/subscriptions/s1",
                "RegionId": "westeurope",
                "ServiceCategory": "Databases",
                "ResourceType": "Virtual machine",
                "SkuPriceDetails": '{"VMSize": "Standard_D4s_v5"}',
                "Tags": '{"team": "data", "replicas": 3}',
            }
        ],
        columns,
    )
    (vm,) = provider(tmp_path, path).inventory(Scope())
    assert (vm.provider, vm.account, vm.region, vm.kind) == (
        "azure",
        "/subscriptions/s1",
        "westeurope",
        ResourceKind.DATABASE,
    )
    assert vm.resource_type == "azure.virtual-machine"
    assert vm.type == "Standard_D4s_v5"
    assert vm.tags == {"team": "data", "replicas": "3"}


def test_inventory_skips_rows_without_resource_id_and_non_usage(tmp_path, write_focus):
    path = write_focus(
        "mixed.csv",
        [
            {**OCTOBER, "ResourceId": "i-1", "BilledCost": "7.30"},
            {**OCTOBER, "ResourceId": "", "BilledCost": "100"},
            {**OCTOBER, "ResourceId": "ri-1", "ChargeCategory": "Purchase", "BilledCost": "500"},
            {**OCTOBER, "ResourceId": "i-1", "ChargeCategory": "Tax", "BilledCost": "1"},
        ],
    )
    resources = list(provider(tmp_path, path).inventory(Scope()))
    assert [(r.id, r.monthly_cost) for r in resources] == [("i-1", Decimal("7.30"))]


def test_inventory_latest_tags_win_and_credits_never_go_negative(tmp_path, write_focus):
    path = write_focus(
        "tags.csv",
        [
            {"ResourceId": "i-1", "Tags": '{"team": "old"}', "ChargePeriodStart": "2026-10-01"},
            {"ResourceId": "i-1", "Tags": '{"team": "new"}', "ChargePeriodStart": "2026-10-02"},
            {"ResourceId": "i-2", "BilledCost": "-5"},
        ],
    )
    resources = {r.id: r for r in provider(tmp_path, path).inventory(Scope())}
    assert resources["i-1"].tags == {"team": "new"}
    assert resources["i-2"].hourly_cost == Decimal(0)


def test_inventory_scope_filters_accounts_regions_and_period(tmp_path, write_focus):
    path = write_focus(
        "scope.csv",
        [
            {**OCTOBER, "ResourceId": "a", "RegionId": "us-east-1", "SubAccountId": "1"},
            {**OCTOBER, "ResourceId": "b", "RegionId": "eu-west-1", "SubAccountId": "1"},
            {**OCTOBER, "ResourceId": "c", "RegionId": "us-east-1", "SubAccountId": "2"},
            {
                "ResourceId": "d",
                "ChargePeriodStart": "2026-09-15T00:00:00Z",
                "BillingPeriodStart": "2026-09-01T00:00:00Z",
            },
        ],
    )
    p = provider(tmp_path, path)
    scope = Scope(accounts=("1",), regions=("us-east-1",))
    assert [r.id for r in p.inventory(scope)] == ["a"]
    october = Scope(period=Period.month("2026-10"))
    assert sorted(r.id for r in p.inventory(october)) == ["a", "b", "c"]


def test_hours_covered_by_the_data():
    oct1, nov1 = dt.datetime(2026, 10, 1), dt.datetime(2026, 11, 1)
    assert billed_hours(oct1, nov1) == 730
    assert billed_hours(oct1, dt.datetime(2027, 1, 1)) == 3 * 730
    assert billed_hours(oct1, dt.datetime(2026, 10, 2)) == 24
    assert billed_hours(oct1, dt.datetime(2026, 10, 1, 0, 30)) == 1  # at least an hour


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("AWS", "aws"),
        ("Amazon Web Services", "aws"),
        ("Microsoft", "azure"),
        ("Azure", "azure"),
        ("Google Cloud", "gcp"),
        ("Oracle", "oracle"),
        ("Alibaba  Cloud", "alibaba-cloud"),
        (None, "unknown"),
    ],
)
def test_provider_names_are_normalised(name, slug):
    assert provider_slug(name) == slug


@pytest.mark.parametrize(
    ("focus_type", "expected"),
    [
        ("Virtual machine", "gcp.virtual-machine"),
        ("bucket", "gcp.bucket"),
        ("gcp.compute-instance", "gcp.compute-instance"),
        (None, None),
    ],
)
def test_resource_types_read_like_lepton_kinds(focus_type, expected):
    assert resource_type("gcp", focus_type) == expected


def test_costs_are_daily_records_per_dimension(tmp_path, write_focus):
    path = write_focus(
        "costs.csv",
        [
            {"ChargePeriodStart": "2026-10-01T01:00:00Z", "BilledCost": "1.5", "ListCost": "2"},
            {"ChargePeriodStart": "2026-10-01T02:00:00Z", "BilledCost": "1.5", "ListCost": "2"},
            {"ChargePeriodStart": "2026-10-02T00:00:00Z", "BilledCost": "4"},
            {
                "ChargePeriodStart": "2026-10-02T00:00:00Z",
                "BilledCost": "8",
                "BillingCurrency": "EUR",
            },
            {
                "ChargePeriodStart": "2026-11-01T00:00:00Z",
                "BillingPeriodStart": "2026-11-01T00:00:00Z",
                "BilledCost": "16",
            },
        ],
    )
    records = list(provider(tmp_path, path).costs(Period.month("2026-10")))
    assert [(r.charge_period_start.day, r.billing_currency, r.billed_cost) for r in records] == [
        (1, "USD", Decimal(3)),
        (2, "EUR", Decimal(8)),
        (2, "USD", Decimal(4)),
    ]
    first = records[0]
    assert first.charge_period_end - first.charge_period_start == dt.timedelta(days=1)
    assert (first.provider_name, first.service_name, first.resource_id) == (
        "AWS",
        "Amazon EC2",
        "i-1",
    )
    assert first.list_cost == Decimal(4)
    assert first.tags == {"team": "payments"}
    assert first.billing_period_start == dt.date(2026, 10, 1)


def test_corpus_costs_add_up_to_the_bill(tmp_path, corpus):
    path = corpus / "focus" / "focus_1.0_sample_1000.csv"
    records = list(
        provider(tmp_path, path).costs(Period(start=dt.date(2024, 1, 1), end=dt.date(2025, 1, 1)))
    )
    assert sum(r.billed_cost for r in records) == Decimal("20.52022672899")


def test_corpus_inventory(tmp_path, corpus):
    inventory = focus_inventory([corpus / "focus" / "focus_1.0_sample_1000.csv"])
    assert inventory.currency == "USD"
    providers = {r.provider for r in inventory.resources}
    assert providers == {"aws", "azure", "oracle"}
    assert len({r.id for r in inventory.resources}) == len(inventory.resources)


def test_focus_inventory_refuses_mixed_currencies(write_focus):
    path = write_focus(
        "mixed.csv", [{"ResourceId": "a"}, {"ResourceId": "b", "BillingCurrency": "EUR"}]
    )
    with pytest.raises(InputError, match=r"several currencies \(EUR, USD\)"):
        focus_inventory([path])


def test_no_paths_configured_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no export to read"):
        list(provider(tmp_path).inventory(Scope()))


def test_progress_is_reported_through_the_callback(tmp_path, write_focus):
    path = write_focus("p.csv", [{}])
    messages: list[str] = []
    p = provider(tmp_path, path)
    p.progress = messages.append
    list(p.inventory(Scope()))
    assert messages == ["reading 1 FOCUS file(s)"]


def test_offerings_are_empty(tmp_path):
    assert list(provider(tmp_path).offerings(["us-east-1"])) == []
