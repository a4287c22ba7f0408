"""Bundled on-demand prices against public third-party catalogues in $LEPTON_CORPUS."""

from __future__ import annotations

import csv
from pathlib import Path

from lepton_cli.models import Pricing
from lepton_cli.pricing.catalog import bundled_catalog


def _ours() -> dict[tuple[str, str, str], float]:
    return {
        (o.provider, o.region, o.type): float(o.prices[Pricing.ON_DEMAND])
        for o in bundled_catalog().offerings
        if o.platform == "linux"  # Offering.key includes the platform
    }


def _near(ours: float, theirs: float, tolerance: float) -> bool:
    return abs(ours / theirs - 1) <= tolerance


def test_aws_and_gcp_match_coroot(corpus: Path) -> None:
    ours = _ours()
    path = corpus / "catalog/multi/coroot_compute_prices_2024-08-09.csv"
    checked = 0
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = (row["provider"], row["region"], row["instance_type"])
            if key in ours and key[0] in ("aws", "gcp"):
                assert _near(ours[key], float(row["on_demand_usd_per_hour"]), 0.15), key
                checked += 1
    assert checked >= 100


def test_gcp_matches_cyclenerd(corpus: Path) -> None:
    ours = _ours()
    path = corpus / "catalog/gcp/cyclenerd_gcp_instances_flat.csv"
    checked = 0
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = ("gcp", row["region"], row["machine_type"])
            if key in ours and row["hour"]:
                assert _near(ours[key], float(row["hour"]), 0.10), key
                checked += 1
    assert checked >= 100


def test_azure_matches_skypilot_linux_prices(corpus: Path) -> None:
    ours = _ours()
    path = corpus / "catalog/skypilot/skypilot_v6_azure_vms_excerpt.csv"
    checked = 0
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = ("azure", row["Region"], row["InstanceType"])
            if key in ours:
                assert _near(ours[key], float(row["Price"]), 0.10), key
                checked += 1
    assert checked >= 2


def test_azure_never_above_coroot(corpus: Path) -> None:
    # coroot keeps one price per size, whichever OS came last (often Windows, which costs more),
    # so a Linux list price may sit below it but never meaningfully above.
    ours = _ours()
    path = corpus / "catalog/multi/coroot_compute_prices_2024-08-09.csv"
    checked = 0
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = (row["provider"], row["region"], row["instance_type"])
            if key in ours and key[0] == "azure":
                assert ours[key] <= float(row["on_demand_usd_per_hour"]) * 1.05, key
                checked += 1
    assert checked >= 50
