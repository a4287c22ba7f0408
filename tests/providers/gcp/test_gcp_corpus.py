"""The core × RAM combination against Google's published per-machine-type prices.

The corpus table (``catalog/gcp/cyclenerd_gcp_instances_flat.csv``) lists what each machine
type costs per hour. For every family and region below, two shapes with different RAM per vCPU
give the per-vCPU and per-GiB prices (two equations, two unknowns); those become catalog SKUs in
the real API shape, go through the real SKU parser and the combiner, and the offerings must
match the published price of *other* shapes of the family.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import gcp_fixtures as fx
import pytest
from google.cloud import billing_v1

from lepton_cli.models import HOURS_PER_MONTH, Pricing
from lepton_cli.providers.gcp.catalog import MachineShape, offerings, price_book

NANO = Decimal("0.000000001")
# family -> (SKU name, the two shapes that fit the prices, the shapes that are checked)
FAMILIES = {
    "n2": (
        "N2",
        ("n2-standard-4", "n2-highcpu-4"),
        ["n2-standard-8", "n2-standard-32", "n2-highmem-4", "n2-highmem-16", "n2-highcpu-16"],
    ),
    "e2": (
        "E2",
        ("e2-standard-8", "e2-highcpu-8"),
        ["e2-standard-2", "e2-standard-16", "e2-highmem-2", "e2-highmem-8", "e2-highcpu-32"],
    ),
    "c3": (
        "C3",
        ("c3-standard-8", "c3-highcpu-8"),
        ["c3-standard-4", "c3-standard-22", "c3-highmem-8", "c3-highcpu-44"],
    ),
    "n2d": (
        "N2D AMD",
        ("n2d-standard-4", "n2d-highcpu-4"),
        ["n2d-standard-8", "n2d-standard-32", "n2d-highmem-4", "n2d-highmem-16"],
    ),
}
REGIONS = ["us-central1", "europe-west1", "asia-east1"]
PRICE_COLUMNS = {Pricing.ON_DEMAND: "hour", Pricing.SPOT: "hour_spot", Pricing.RESERVED: "month_1y"}


def load(corpus: Path) -> dict[tuple[str, str], dict[str, str]]:
    path = corpus / "catalog" / "gcp" / "cyclenerd_gcp_instances_flat.csv"
    with path.open(newline="") as handle:
        return {(row["machine_type"], row["region"]): row for row in csv.DictReader(handle)}


def hourly(row: dict[str, str], pricing: Pricing) -> Decimal | None:
    cell = row[PRICE_COLUMNS[pricing]]
    if not cell:
        return None
    value = Decimal(cell)
    return value / HOURS_PER_MONTH if pricing is Pricing.RESERVED else value


def solve(a: dict[str, str], b: dict[str, str], pricing: Pricing) -> tuple[Decimal, Decimal] | None:
    """(per vCPU-hour, per GiB-hour) from two shapes' prices."""
    pa, pb = hourly(a, pricing), hourly(b, pricing)
    if pa is None or pb is None:
        return None
    ca, ma, cb, mb = (Decimal(x) for x in (a["vcpus"], a["memory_gb"], b["vcpus"], b["memory_gb"]))
    det = ca * mb - cb * ma
    core, ram = (pa * mb - pb * ma) / det, (ca * pb - cb * pa) / det
    return core.quantize(NANO), ram.quantize(NANO)


def skus(
    name: str, region: str, pricing: Pricing, core: Decimal, ram: Decimal
) -> list[billing_v1.Sku]:
    """Core and RAM SKUs named and categorised as the Cloud Billing Catalog does."""
    usage = {
        Pricing.ON_DEMAND: "OnDemand",
        Pricing.SPOT: "Preemptible",
        Pricing.RESERVED: "Commit1Yr",
    }[pricing]
    if pricing is Pricing.RESERVED:
        names = (
            f"Commitment v1: {name} Cpu in {region} for 1 Year",
            f"Commitment v1: {name} Ram in {region} for 1 Year",
        )
    else:
        prefix = "Spot Preemptible " if pricing is Pricing.SPOT else ""
        names = (
            f"{prefix}{name} Instance Core running in {region}",
            f"{prefix}{name} Instance Ram running in {region}",
        )
    answers = [
        fx.sku(names[0], "CPU", usage, [region], "h", (0, str(core))),
        fx.sku(names[1], "RAM", usage, [region], "GiBy.h", (0, str(ram))),
    ]
    return [billing_v1.Sku.from_json(json.dumps(a), ignore_unknown_fields=True) for a in answers]


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_combination_matches_published_prices(corpus: Path, family: str) -> None:
    table = load(corpus)
    name, (fit_a, fit_b), checked = FAMILIES[family]
    catalog, shapes, compared = [], [], 0
    for region in REGIONS:
        if (fit_a, region) not in table or (fit_b, region) not in table:
            continue
        for pricing in Pricing:
            fitted = solve(table[fit_a, region], table[fit_b, region], pricing)
            if fitted:
                catalog += skus(name, region, pricing, *fitted)
        shapes += [
            MachineShape(
                t, region, float(table[t, region]["vcpus"]), float(table[t, region]["memory_gb"])
            )
            for t in checked
            if (t, region) in table
        ]
    for offer in offerings(price_book(catalog), shapes):
        row = table[offer.type, offer.region]
        for pricing, price in offer.prices.items():
            published = hourly(row, pricing)
            if published is not None:
                assert float(price) == pytest.approx(float(published), rel=2e-3, abs=2e-5), (
                    offer.type,
                    offer.region,
                    pricing,
                )
                compared += 1
    assert compared >= 3 * len(checked)  # several regions and pricing models really compared


def test_t2a_scales_linearly_with_size(corpus: Path) -> None:
    """T2A has one RAM-per-vCPU ratio, so only its linearity can be checked: price one shape
    as a core-only SKU and the others must follow (T2A has no committed-use price)."""
    table = load(corpus)
    base = table["t2a-standard-1", "us-central1"]
    core = (Decimal(base["hour"]) / Decimal(base["vcpus"])).quantize(NANO)
    book = price_book(skus("T2A Arm", "us-central1", Pricing.ON_DEMAND, core, Decimal(0)))
    shapes = [
        MachineShape(
            t,
            "us-central1",
            float(table[t, "us-central1"]["vcpus"]),
            float(table[t, "us-central1"]["memory_gb"]),
        )
        for t in ("t2a-standard-4", "t2a-standard-8", "t2a-standard-48")
    ]
    got = list(offerings(book, shapes))
    assert len(got) == 3
    for offer in got:
        published = Decimal(table[offer.type, "us-central1"]["hour"])
        assert float(offer.prices[Pricing.ON_DEMAND]) == pytest.approx(float(published), rel=1e-6)
        assert offer.arch == "arm64"
