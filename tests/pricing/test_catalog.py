"""The bundled catalog's coverage, the refreshed-cache merge, and offerings_mode."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from lepton_cli.config import Settings
from lepton_cli.errors import InputError
from lepton_cli.models import Inventory, Offering, OfferingsMode, Pricing
from lepton_cli.pricing.catalog import (
    bundled_catalog,
    cache_path,
    effective_offerings,
    load_catalog,
    merge_offerings,
    parse_catalog,
    save_refreshed,
)

REGIONS = {
    "aws": ("us-east-1", "eu-west-1", "ap-northeast-1"),
    "azure": ("eastus", "westeurope", "japaneast"),
    "gcp": ("us-central1", "europe-west1", "asia-northeast1"),
}


def _of(provider: str) -> list[Offering]:
    return [o for o in bundled_catalog().offerings if o.provider == provider]


@pytest.mark.parametrize("provider", sorted(REGIONS))
def test_bundled_coverage(provider: str) -> None:
    offerings = _of(provider)
    assert {o.region for o in offerings} >= set(REGIONS[provider])  # US, Europe, Asia
    types = {o.type for o in offerings}
    assert len(types) >= 25
    assert min(o.vcpus for o in offerings) == 2 and max(o.vcpus for o in offerings) >= 48
    families = {o.family for o in offerings}
    assert {"general", "compute", "memory"} <= families
    assert any(o.arch == "arm64" for o in offerings)
    for o in offerings:
        assert Pricing.ON_DEMAND in o.prices and Pricing.SPOT in o.prices
        assert o.prices[Pricing.SPOT] < o.prices[Pricing.ON_DEMAND]
        if Pricing.RESERVED in o.prices:
            assert o.prices[Pricing.RESERVED] < o.prices[Pricing.ON_DEMAND]


def test_bundled_catalog_is_dated_and_sourced() -> None:
    catalog = bundled_catalog()
    assert catalog.date == "2025-06-01"
    assert "list prices" in catalog.source
    assert bundled_catalog() is catalog  # parsed once per process


def test_refreshed_prices_override_bundled(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path)
    old = next(o for o in _of("aws") if o.key == ("aws", "us-east-1", "m7i.large"))
    new = old.model_copy(update={"prices": {Pricing.ON_DEMAND: Decimal("0.0999")}})
    extra = old.model_copy(update={"type": "m9z.large"})
    path = save_refreshed(settings, "aws", [new, extra], "2026-11-01")
    assert path == cache_path(settings, "aws") and path.is_file()
    catalog = load_catalog(settings)
    by_key = {o.key: o for o in catalog.offerings}
    assert by_key[old.key].prices == {Pricing.ON_DEMAND: Decimal("0.0999")}
    assert ("aws", "us-east-1", "m9z.large") in by_key
    assert len(catalog.offerings) == len(bundled_catalog().offerings) + 1
    assert catalog.date == "2026-11-01"


def test_no_cache_means_bundled(tmp_path: Path) -> None:
    assert load_catalog(Settings(cache_dir=tmp_path)).offerings == bundled_catalog().offerings


def test_broken_cache_file_is_an_input_error(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path)
    cache_path(settings, "aws").parent.mkdir(parents=True)
    cache_path(settings, "aws").write_text("apiVersion: lepton/v1\nkind: Catalog\nas_of: x\n")
    with pytest.raises(InputError, match=r"aws.yaml: providers"):
        load_catalog(settings)


def test_parse_names_the_bad_key() -> None:
    text = (
        "apiVersion: lepton/v1\nkind: Catalog\nas_of: '2025'\nproviders:\n  aws:\n    r1:\n"
        "      - {type: t, vcpus: -1, memory_gib: 1, prices: {on-demand: 1}}\n"
    )
    with pytest.raises(InputError, match=r"providers\.aws\.r1\[0\]\.vcpus"):
        parse_catalog(text, "x.yaml")


def test_merge_keeps_order_and_replaces_by_key() -> None:
    a = Offering(
        provider="p",
        region="r",
        type="a",
        vcpus=1,
        memory_gib=1,
        prices={Pricing.ON_DEMAND: Decimal(1)},
    )
    b = a.model_copy(update={"type": "b"})
    a2 = a.model_copy(update={"prices": {Pricing.ON_DEMAND: Decimal(2)}})
    assert merge_offerings([a, b], [a2]) == [b, a2]


def test_offerings_mode_extend_and_replace() -> None:
    own = Offering(
        provider="aws",
        region="us-east-1",
        type="m7i.large",
        vcpus=2,
        memory_gib=8,
        prices={Pricing.ON_DEMAND: Decimal("0.01")},
    )
    catalog = bundled_catalog()
    extended = effective_offerings(catalog, Inventory(offerings=[own]))
    assert len(extended) == len(catalog.offerings)
    assert own in extended
    replaced = effective_offerings(
        catalog, Inventory(offerings=[own], offerings_mode=OfferingsMode.REPLACE)
    )
    assert replaced == [own]


def test_a_fleet_in_another_currency_is_never_priced_in_usd(tmp_path):
    from lepton_cli.pricing.catalog import bundled_catalog

    catalog = bundled_catalog()
    assert catalog.currency == "USD"
    with pytest.raises(InputError, match="inventory is in EUR, the price catalog in USD"):
        effective_offerings(catalog, Inventory(currency="EUR"))
    own = Inventory(currency="EUR", offerings_mode="replace")
    assert effective_offerings(catalog, own) == []
