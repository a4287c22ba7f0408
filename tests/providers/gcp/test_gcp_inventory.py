"""Inventory through the real Compute Engine, Monitoring and Catalog clients over HTTP."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import gcp_fixtures as fx
import pytest
from gcp_fake import FakeGoogle

from lepton_cli.models import Pricing, ResourceState
from lepton_cli.providers.base import ProviderContext, Scope
from lepton_cli.providers.gcp import GcpConfig, GcpProvider
from lepton_cli.providers.gcp.catalog import PriceBook

PROJECT = "shop-prod"
ZONE = "us-central1-a"


def provider(google: FakeGoogle, tmp_path: Path, **config: Any) -> GcpProvider:
    endpoints = {
        "compute": google.url,
        "monitoring": google.monitoring_url,
        "billing": google.url,
        "bigquery": google.url,
    }
    settings = GcpConfig.model_validate({"projects": [PROJECT], "endpoints": endpoints, **config})
    return GcpProvider(settings, ProviderContext(cache_dir=tmp_path / "cache", max_workers=4))


def shop(google: FakeGoogle, project: str = PROJECT) -> None:
    """Three instances over two pages, three disks, three addresses, CPU for two instances
    (web-1: 20 hours of samples; batch-1: 14 days)."""
    old = fx.instance_link(project, ZONE, "old-1")
    web = fx.instance_link(project, ZONE, "web-1")
    google.instances[project] = [
        [
            fx.instance(
                project,
                "web-1",
                "n2-standard-4",
                ZONE,
                instance_id="1001",
                labels={"team": "web", "workload": "storefront"},
            ),
            fx.instance(project, "batch-1", "e2-standard-2", ZONE, spot=True, instance_id="1002"),
        ],
        [
            fx.instance(
                project, "old-1", "n2-standard-4", ZONE, status="TERMINATED", instance_id="1003"
            )
        ],
    ]
    google.disks[project] = fx.zonal(
        "disks",
        [
            fx.disk(project, "scratch", "pd-balanced", 100, ZONE, []),
            fx.disk(project, "old-1-boot", "pd-standard", 200, ZONE, [old]),
            fx.disk(project, "web-1", "pd-balanced", 50, ZONE, [web]),
        ],
    )
    google.addresses[project] = {
        "regions/us-central1": {
            "addresses": [
                fx.address(project, "forgotten-ip", "us-central1", "RESERVED"),
                fx.address(project, "web-ip", "us-central1", "IN_USE"),
                fx.address(project, "internal-ip", "us-central1", "RESERVED", "INTERNAL"),
            ]
        }
    }
    google.time_series[project] = [
        fx.cpu_series(project, "1001", "web-1", [k / 100 for k in range(1, 21)]),
        fx.cpu_series(project, "1002", "batch-1", [0.02] * 14 * 24),  # 14 days, hourly
    ]


@pytest.fixture
def scanned(google: FakeGoogle, adc: Path, tmp_path: Path) -> dict[str, Any]:
    shop(google)
    prov = provider(google, tmp_path)
    resources = {r.id.rsplit("/", 1)[-1]: r for r in prov.inventory(Scope(days=14))}
    return {"resources": resources, "provider": prov}


def test_instances_are_priced_from_catalog_specs(scanned: dict[str, Any]) -> None:
    web = scanned["resources"]["web-1"]
    assert (web.provider, web.account, web.region, web.zone) == (
        "gcp",
        PROJECT,
        "us-central1",
        ZONE,
    )
    assert (web.resource_type, web.type, web.vcpus, web.memory_gib) == (
        "gcp.compute-instance",
        "n2-standard-4",
        4.0,
        16.0,
    )
    # 4 × 0.031611 + 16 × 0.004237: the published n2-standard-4 price in us-central1
    assert web.hourly_cost == Decimal("0.194236")
    assert web.tags == {"team": "web", "workload": "storefront"}
    assert web.created_at is not None and web.created_at.utcoffset() is not None


def test_spot_and_stopped_instances(scanned: dict[str, Any]) -> None:
    batch, old = scanned["resources"]["batch-1"], scanned["resources"]["old-1"]
    assert batch.pricing is Pricing.SPOT
    assert batch.hourly_cost == 2 * Decimal("0.0066") + 8 * Decimal("0.00088")
    assert (
        old.state is ResourceState.STOPPED
        and scanned["resources"]["web-1"].state is ResourceState.RUNNING
    )
    # a TERMINATED instance bills no vCPU or RAM: only its disk (reported on its own) bills
    assert old.hourly_cost == 0 and (old.type, old.vcpus) == ("n2-standard-4", 4.0)
    assert scanned["resources"]["old-1-boot"].hourly_cost > 0


def test_utilisation_mean_and_p95_from_one_batched_call(
    scanned: dict[str, Any], google: FakeGoogle
) -> None:
    web = scanned["resources"]["web-1"].utilization
    assert web.cpu_avg == pytest.approx(0.105) and web.cpu_p95 == pytest.approx(0.19)
    assert web.days == 0  # 20 hourly samples cover less than a day of the 14 asked for
    batch = scanned["resources"]["batch-1"].utilization
    assert batch.cpu_p95 == pytest.approx(0.02) and batch.days == 14
    assert scanned["resources"]["old-1"].utilization is None
    calls = google.calls_to(r"/timeSeries$")
    assert len(calls) == 1  # all instances of the project in one request
    request = calls[0].body
    assert request.filter == (
        'metric.type = "compute.googleapis.com/instance/cpu/utilization" '
        'AND resource.type = "gce_instance"'
    )
    assert request.aggregation.alignment_period.total_seconds() == 3600
    window = request.interval.end_time - request.interval.start_time
    assert window.days == 14
    assert (calls[0].auth or "").startswith("Bearer ")


def test_only_idle_disks_and_unused_external_addresses(scanned: dict[str, Any]) -> None:
    resources = scanned["resources"]
    scratch, old_disk = resources["scratch"], resources["old-1-boot"]
    assert scratch.state is ResourceState.UNATTACHED and scratch.attached_to is None
    assert scratch.hourly_cost * 730 == Decimal("10.0")  # 100 GiB × $0.10 per GiB-month
    assert "web-ip" not in resources and "internal-ip" not in resources
    ip = resources["forgotten-ip"]
    assert (ip.resource_type, ip.state, ip.hourly_cost) == (
        "gcp.address",
        ResourceState.UNATTACHED,
        Decimal("0.01"),
    )
    kinds = sorted(r.resource_type for r in resources.values())
    assert kinds.count("gcp.persistent-disk") == 2
    assert old_disk is not None


def test_disk_of_a_stopped_instance(scanned: dict[str, Any]) -> None:
    disks = [r for r in scanned["resources"].values() if r.resource_type == "gcp.persistent-disk"]
    stopped = next(d for d in disks if d.state is ResourceState.STOPPED)
    assert stopped.attached_to == fx.instance_link(PROJECT, ZONE, "old-1")
    assert stopped.size_gib == 200 and stopped.type == "pd-standard"


def test_paging_and_machine_type_filter(scanned: dict[str, Any], google: FakeGoogle) -> None:
    pages = google.calls_to(r"/aggregated/instances$")
    assert [c.query.get("pageToken") for c in pages] == [None, ["page-1"]]
    (types,) = google.calls_to(r"/aggregated/machineTypes$")
    assert types.query["filter"] == ['name eq "e2-standard-2|n2-standard-4"']
    skus = google.calls_to(r"/skus$")
    assert [c.query.get("pageToken") for c in skus] == [None, ["page-1"]]


def test_requests_carry_the_adc_token(scanned: dict[str, Any], google: FakeGoogle) -> None:
    compute = google.calls_to(r"/compute/v1/")
    assert compute and all((c.auth or "").startswith("Bearer ") for c in compute)


def test_a_failing_project_is_reported_and_the_others_delivered(
    google: FakeGoogle, adc: Path, tmp_path: Path
) -> None:
    shop(google)
    google.failing[r"/projects/shop-broken/aggregated/instances"] = (
        403,
        "Required 'compute.instances.list' permission",
    )
    prov = provider(google, tmp_path, projects=[PROJECT, "shop-broken"])
    resources = list(prov.inventory(Scope()))
    assert {r.account for r in resources} == {PROJECT}
    assert len(resources) == 6
    (failure,) = prov.failures
    assert failure.scope == "project shop-broken" and failure.provider == "gcp"
    assert "compute.instances.list" in failure.message and "403" in failure.message
    assert "docs/gcp.md" in (failure.hint or "")


def test_monitoring_failure_keeps_the_inventory(
    google: FakeGoogle, adc: Path, tmp_path: Path
) -> None:
    shop(google)
    google.failing[r"/timeSeries$"] = (403, "Permission monitoring.timeSeries.list denied")
    prov = provider(google, tmp_path)
    resources = list(prov.inventory(Scope()))
    assert len(resources) == 6 and all(r.utilization is None for r in resources)
    assert [f.scope for f in prov.failures] == [f"project {PROJECT} / monitoring"]


def test_region_filter_and_accounts_override(google: FakeGoogle, adc: Path, tmp_path: Path) -> None:
    shop(google, "other-proj")
    prov = provider(google, tmp_path)
    got = list(prov.inventory(Scope(accounts=("other-proj",), regions=("europe-west1",))))
    assert got == [] and not prov.failures
    assert google.calls_to(r"/projects/other-proj/aggregated/instances$")
    assert not google.calls_to(rf"/projects/{PROJECT}/")


def test_price_book_is_cached(google: FakeGoogle, adc: Path, tmp_path: Path) -> None:
    shop(google)
    list(provider(google, tmp_path).inventory(Scope()))
    list(provider(google, tmp_path).inventory(Scope()))
    assert len(google.calls_to(r"/skus$")) == 2  # two pages once, then the cache


def test_price_book_cache_is_written_whole(google: FakeGoogle, adc: Path, tmp_path: Path) -> None:
    shop(google)
    list(provider(google, tmp_path).inventory(Scope()))
    folder = tmp_path / "cache" / "gcp"
    assert [p.name for p in folder.iterdir()] == ["compute-price-book.json"]  # no temp file left
    book = PriceBook.from_json((folder / "compute-price-book.json").read_text())
    assert book.disks[("pd-balanced", "us-central1")] == Decimal("0.1")


@pytest.mark.parametrize(
    "text",
    ['{"currency": "USD", "compute": [', '{"currency": "USD"}', "[]", '{"currency": 1, '
     '"compute": [["n2", "us-central1", "dear", "core", "1"]], "disks": [], "addresses": {}}',
     '{"currency": "USD", "compute": [], "disks": [], "addresses": {"us-central1": "free"}}'],
    ids=["torn", "missing-keys", "not-an-object", "bad-pricing", "bad-number"],
)  # fmt: skip
def test_an_unreadable_price_book_cache_is_a_miss(
    google: FakeGoogle, adc: Path, tmp_path: Path, text: str
) -> None:
    shop(google)
    cached = tmp_path / "cache" / "gcp" / "compute-price-book.json"
    cached.parent.mkdir(parents=True)
    cached.write_text(text)
    prov = provider(google, tmp_path)
    web = next(r for r in prov.inventory(Scope()) if r.id.endswith("/web-1"))
    assert web.hourly_cost == Decimal("0.194236") and not prov.failures
    assert len(google.calls_to(r"/skus$")) == 2  # the catalog was read again
    assert PriceBook.from_json(cached.read_text()).currency == "USD"  # and the cache repaired


def test_catalog_failure_leaves_resources_unpriced(
    google: FakeGoogle, adc: Path, tmp_path: Path
) -> None:
    shop(google)
    google.failing[r"/skus$"] = (403, "Cloud Billing API has not been used in project")
    prov = provider(google, tmp_path)
    resources = list(prov.inventory(Scope()))
    assert len(resources) == 6 and all(r.hourly_cost == 0 for r in resources)
    assert [f.scope for f in prov.failures] == ["Cloud Billing Catalog (prices)"]
