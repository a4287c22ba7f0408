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
        assert Pricing.ON_DEMAND in o.prices
        assert Pricing.SPOT in o.prices or o.gpus  # some GPU types are sold without spot
        if Pricing.SPOT in o.prices:
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
    old = next(o for o in _of("aws") if o.key == ("aws", "us-east-1", "m7i.large", "linux"))
    new = old.model_copy(update={"prices": {Pricing.ON_DEMAND: Decimal("0.0999")}})
    extra = old.model_copy(update={"type": "m9z.large"})
    path = save_refreshed(settings, "aws", [new, extra], "2026-11-01")
    assert path == cache_path(settings, "aws") and path.is_file()
    catalog = load_catalog(settings)
    by_key = {o.key: o for o in catalog.offerings}
    assert by_key[old.key].prices == {Pricing.ON_DEMAND: Decimal("0.0999")}
    assert ("aws", "us-east-1", "m9z.large", "linux") in by_key
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


ARM_FAMILIES = {
    "aws": ("m7g.", "c7g.", "r7g."),  # Graviton3
    "azure": ("Standard_D2ps", "Standard_D4ps", "Standard_E2ps", "Standard_E4ps"),  # Ampere
    "gcp": ("t2a-", "c4a-"),  # Ampere Altra, Axion
}


@pytest.mark.parametrize("provider", sorted(REGIONS))
def test_every_offering_names_its_arch(provider: str) -> None:
    offerings = _of(provider)
    assert all(o.arch in ("x86_64", "arm64") for o in offerings)
    for o in offerings:
        arm = o.type.startswith(ARM_FAMILIES[provider]) or "ps_v5" in o.type
        assert (o.arch == "arm64") == arm, o.type


@pytest.mark.parametrize(
    ("provider", "wanted"),
    [
        ("aws", {"g5.xlarge", "g6.xlarge", "g6e.xlarge", "p4d.24xlarge", "p5.48xlarge"}),
        (
            "azure",
            {
                "Standard_NC24ads_A100_v4",
                "Standard_NC40ads_H100_v5",
                "Standard_ND96isr_H100_v5",
                "Standard_NV36ads_A10_v5",
            },
        ),
        ("gcp", {"g2-standard-4", "a2-highgpu-1g", "a2-ultragpu-1g", "a3-highgpu-8g"}),
    ],
)
def test_accelerator_types_carry_count_model_memory_and_prices(
    provider: str, wanted: set[str]
) -> None:
    gpus = {o.type: o for o in _of(provider) if o.gpus}
    assert wanted <= set(gpus)
    for o in gpus.values():
        assert o.gpu_model and o.gpu_memory_gib and o.gpu_memory_gib >= 16, o.type
        assert o.family == "accelerated" and o.platform == "linux"
        assert (
            Pricing.RESERVED in o.prices
            and o.prices[Pricing.RESERVED] < o.prices[Pricing.ON_DEMAND]
        )


def test_windows_twins_for_general_purpose_x86_types() -> None:
    catalog = bundled_catalog()
    linux = {(o.provider, o.region, o.type): o for o in catalog.offerings if o.platform == "linux"}
    windows = [o for o in catalog.offerings if o.platform == "windows"]
    assert {o.provider for o in windows} == set(REGIONS)
    for w in windows:
        twin = linux[(w.provider, w.region, w.type)]
        assert w.family == "general" and w.arch == "x86_64"
        assert (w.vcpus, w.memory_gib, w.perf) == (twin.vcpus, twin.memory_gib, twin.perf)
        assert all(w.prices[p] > twin.prices[p] for p in twin.prices)
    general_x86 = [o for o in linux.values() if o.family == "general" and o.arch == "x86_64"]
    assert len(windows) == len(general_x86)
    # m6i.large in us-east-1: 0.096 Linux + 2 vCPUs x 0.046 Windows license = 0.188 (AWS list)
    m6i = next(w for w in windows if (w.region, w.type) == ("us-east-1", "m6i.large"))
    assert m6i.prices[Pricing.ON_DEMAND] == Decimal("0.188")


def test_type_spec_gives_perf_arch_and_gpus() -> None:
    from lepton_cli.pricing.catalog import type_spec

    g5 = type_spec("aws", "g5.xlarge")
    assert g5 is not None
    assert (g5.vcpus, g5.memory_gib, g5.gpus, g5.gpu_model, g5.gpu_memory_gib, g5.arch) == (
        4,
        16,
        1,
        "A10G",
        24,
        "x86_64",
    )
    graviton = type_spec("aws", "m7g.large")
    assert graviton is not None and graviton.arch == "arm64" and graviton.perf == 1.15
    m7i = type_spec("aws", "m7i.large")
    assert m7i is not None and m7i.platforms == ("linux", "windows")
    assert type_spec("aws", "m9z.large") is None and type_spec("gcp", "m7i.large") is None
    cobalt = type_spec("azure", "Standard_D4ps_v5")
    assert cobalt is not None and cobalt.arch == "arm64"


def test_catalog_spec_sees_refreshed_and_inventory_offerings(tmp_path: Path) -> None:
    own = Offering(
        provider="aws", region="us-east-1", type="m9z.large", vcpus=2, memory_gib=8, perf=1.4,
        arch="arm64", prices={Pricing.ON_DEMAND: Decimal("0.05")},
    )  # fmt: skip
    save_refreshed(Settings(cache_dir=tmp_path), "aws", [own], "2026-11-01")
    spec = load_catalog(Settings(cache_dir=tmp_path)).spec("aws", "m9z.large")
    assert spec is not None and (spec.perf, spec.arch) == (1.4, "arm64")


def test_a_windows_refresh_replaces_only_the_windows_entry(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path)
    bundled = bundled_catalog().offerings
    win = next(o for o in bundled if o.platform == "windows" and o.type == "m6i.large")
    fresh = win.model_copy(update={"prices": {Pricing.ON_DEMAND: Decimal("0.2")}})
    save_refreshed(settings, "aws", [fresh], "2026-11-01")
    merged = [
        o for o in load_catalog(settings).offerings if (o.region, o.type) == (win.region, win.type)
    ]
    assert {o.platform: o.prices[Pricing.ON_DEMAND] for o in merged} == {
        "linux": Decimal("0.096"),
        "windows": Decimal("0.2"),
    }
    assert len(load_catalog(settings).offerings) == len(bundled)


def test_every_bundled_entry_declares_its_perf() -> None:
    from importlib import resources

    import yaml

    text = resources.files("lepton_cli.pricing").joinpath("data/catalog.yaml").read_text("utf-8")
    doc = yaml.safe_load(text)
    entries = [e for regions in doc["providers"].values() for es in regions.values() for e in es]
    assert len(entries) == len(bundled_catalog().offerings)
    assert all("perf" in e and "arch" in e for e in entries)  # never the silent 1.0 default


def test_a_refresh_keeps_the_bundled_perf_and_gpu_memory(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path)
    bundled = next(o for o in _of("aws") if o.type == "g6.xlarge")
    live = Offering(
        provider="aws", region="us-east-1", type="g6.xlarge", vcpus=4, memory_gib=16, gpus=1,
        gpu_model="L4", prices={Pricing.ON_DEMAND: Decimal("0.81")},
    )  # fmt: skip  # what a price API knows: no perf, no GPU memory
    save_refreshed(settings, "aws", [live], "2026-11-01")
    got = next(
        o
        for o in load_catalog(settings).offerings
        if (o.region, o.type) == ("us-east-1", "g6.xlarge")
    )
    assert got.prices == {Pricing.ON_DEMAND: Decimal("0.81")}
    assert (got.perf, got.gpu_memory_gib, got.family) == (
        bundled.perf,
        bundled.gpu_memory_gib,
        bundled.family,
    )
    assert bundled.perf != 1.0  # so the test would see a reset


def test_a_resource_takes_what_it_does_not_say_from_the_catalog() -> None:
    from lepton_cli.models import Resource
    from lepton_cli.pricing.catalog import with_catalog_spec

    catalog = bundled_catalog()
    bare = Resource(id="i-1", provider="aws", type="m7g.large")  # as from a billing export
    filled, taken = with_catalog_spec(bare, catalog)
    assert (filled.perf, filled.arch, filled.gpus, filled.vcpus, filled.memory_gib) == (
        1.15, "arm64", 0, 2, 8,
    )  # fmt: skip
    assert taken == ["arch", "gpus", "memory_gib", "perf", "vcpus"]
    own = Resource(id="i-2", provider="aws", type="g6.xlarge", perf=0.9, arch="x86_64", vcpus=4)
    filled, taken = with_catalog_spec(own, catalog)
    assert (filled.perf, filled.gpus, filled.gpu_model, filled.vcpus) == (0.9, 1, "L4", 4)
    assert taken == ["gpu_model", "gpus", "memory_gib"]
    unknown = Resource(id="i-3", provider="aws", type="x9.huge")
    assert with_catalog_spec(unknown, catalog) == (unknown, [])
