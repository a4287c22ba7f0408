"""Catalog SKUs -> price book -> per-machine-type offerings (real CloudCatalogClient, paged)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import gcp_fixtures as fx
import pytest
from gcp_fake import FakeGoogle
from google.cloud import billing_v1

from lepton_cli.models import Pricing
from lepton_cli.providers.base import ProviderContext
from lepton_cli.providers.gcp import GcpConfig, GcpProvider
from lepton_cli.providers.gcp.catalog import (
    PriceBook,
    custom_shape,
    family_of,
    instance_prices,
    price_book,
)


def make(google: FakeGoogle, tmp_path: Path) -> GcpProvider:
    config = GcpConfig.model_validate(
        {"projects": ["shop-prod"], "endpoints": {"compute": google.url, "billing": google.url}}
    )
    return GcpProvider(config, ProviderContext(cache_dir=tmp_path, use_cache=False))


def test_offerings_combine_core_and_ram_prices(
    google: FakeGoogle, adc: Path, tmp_path: Path
) -> None:
    got = {(o.region, o.type): o for o in make(google, tmp_path).offerings(["us-central1"])}
    assert sorted(t for _, t in got) == ["e2-standard-2", "n2-highmem-2", "n2-standard-4"]
    n2 = got["us-central1", "n2-standard-4"]
    assert n2.prices == {
        Pricing.ON_DEMAND: Decimal("0.194236"),  # 4 × 0.031611 + 16 × 0.004237
        Pricing.SPOT: Decimal("0.046"),  # 4 × 0.0075 + 16 × 0.001
        Pricing.RESERVED: Decimal("0.122364"),  # 4 × 0.019915 + 16 × 0.002669
    }
    assert (n2.provider, n2.vcpus, n2.memory_gib, n2.family, n2.arch) == (
        "gcp",
        4.0,
        16.0,
        "general",
        "x86_64",
    )
    assert got["us-central1", "n2-highmem-2"].family == "memory"
    assert (
        Pricing.RESERVED not in got["us-central1", "e2-standard-2"].prices
    )  # no E2 commitment SKU


def test_offerings_for_every_region_by_default(
    google: FakeGoogle, adc: Path, tmp_path: Path
) -> None:
    got = {(o.region, o.type): o for o in make(google, tmp_path).offerings([])}
    eu = got["europe-west1", "n2-standard-4"]
    assert eu.prices == {Pricing.ON_DEMAND: 4 * Decimal("0.0348") + 16 * Decimal("0.00466")}
    assert len(google.calls_to(r"/skus$")) == 2  # both catalog pages


def test_catalog_failure_is_a_provider_error(google: FakeGoogle, adc: Path, tmp_path: Path) -> None:
    from lepton_cli.errors import ProviderError

    google.failing[r"/skus$"] = (403, "billing.skus.list denied")
    with pytest.raises(ProviderError, match=r"billing\.skus\.list denied"):
        list(make(google, tmp_path).offerings(["us-central1"]))


def to_sku(data: dict[str, object]) -> billing_v1.Sku:
    return billing_v1.Sku.from_json(json.dumps(data), ignore_unknown_fields=True)


@pytest.mark.parametrize(
    ("description", "usage", "key"),
    [
        ("N1 Predefined Instance Core running in Americas", "OnDemand", ("n1", "core")),
        ("N2D AMD Instance Ram running in Americas", "OnDemand", ("n2d", "ram")),
        ("T2A Arm Instance Core running in Americas", "OnDemand", ("t2a", "core")),
        ("Commitment v1: Cpu in Americas for 1 Year", "Commit1Yr", ("n1", "core")),
        ("Commitment v1: N2D AMD Ram in Americas for 1 Year", "Commit1Yr", ("n2d", "ram")),
        ("Spot Preemptible C3 Instance Core running in Americas", "Preemptible", ("c3", "core")),
        ("N2 Custom Instance Core running in Americas", "OnDemand", ("n2-custom", "core")),
        ("Custom Instance Ram running in Americas", "OnDemand", ("n1-custom", "ram")),
        ("Compute optimized Core running in Americas", "OnDemand", ("c2", "core")),
    ],
)
def test_sku_descriptions_name_family_and_resource(
    description: str, usage: str, key: tuple[str, str]
) -> None:
    book = price_book([to_sku(fx.sku(description, "CPU", usage, ["us-east1"], "h", (0, "0.5")))])
    ((family, region, _pricing, resource),) = book.compute
    assert (family, resource, region) == (*key, "us-east1")


@pytest.mark.parametrize(
    "description",
    [
        "N2 Sole Tenancy Instance Core running in Americas",
        "Reserved A2 Core running in Americas",
        "Nvidia Tesla A100 GPU running in Americas",
        "Licensing Fee for Windows Server 2019 Datacenter Edition (CPU cost)",
        "M3 Memory-optimized Upgrade Premium for Memory-optimized Instance Core",
    ],
)
def test_skus_that_do_not_price_a_shape_are_ignored(description: str) -> None:
    book = price_book([to_sku(fx.sku(description, "CPU", "OnDemand", ["us-east1"], "h", (0, "1")))])
    assert book.compute == {}


def test_price_book_round_trips_through_the_cache_format() -> None:
    book = price_book(to_sku(s) for page in fx.sku_pages() for s in page)
    again = PriceBook.from_json(book.to_json())
    assert again == book and again.disks[("pd-balanced", "us-central1")] == Decimal("0.1")
    assert again.addresses == {"us-central1": Decimal("0.01")}


def test_custom_and_shared_core_types() -> None:
    book = price_book(to_sku(s) for page in fx.sku_pages() for s in page)
    assert family_of("custom-4-16384") == "n1-custom" and custom_shape("n2-custom-2-8192") == (2, 8)
    # e2-micro bills a quarter vCPU: 0.25 × 0.021811 + 1 × 0.002923
    micro = instance_prices(book, "e2-micro", "us-central1", 2, 1)
    assert micro[Pricing.ON_DEMAND] == Decimal("0.00837575")
    # E2 custom shapes use the predefined E2 rates
    custom = instance_prices(book, "e2-custom-4-8192", "us-central1", 4, 8)
    assert custom[Pricing.ON_DEMAND] == 4 * Decimal("0.021811") + 8 * Decimal("0.002923")
