"""`lepton catalog list|refresh`."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from lepton_cli.cli.app import app
from lepton_cli.config import Settings
from lepton_cli.models import Pricing
from lepton_cli.pricing.catalog import bundled_catalog, save_refreshed


def invoke(*args: str) -> object:
    return CliRunner().invoke(app, list(args))


def test_list_filters_as_csv(cli: CliRunner) -> None:
    result = invoke(
        "catalog", "list", "-p", "gcp", "--region", "europe-west1", "--min-vcpus", "16", "-f", "csv"
    )
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(result.stdout)))  # type: ignore[attr-defined]
    assert rows and all(r["provider"] == "gcp" and r["region"] == "europe-west1" for r in rows)
    assert all(float(r["vcpus"]) >= 16 for r in rows)
    prices = [float(r["on-demand"]) for r in rows]
    assert prices == sorted(prices)


def test_list_json_carries_the_date(cli: CliRunner) -> None:
    result = invoke("catalog", "list", "-p", "aws", "-f", "json")
    data = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert data["as_of"] == bundled_catalog().date
    assert len(data["offerings"]) == sum(
        1 for o in bundled_catalog().offerings if o.provider == "aws"
    )


def test_list_shows_refreshed_prices(cli: CliRunner, tmp_path: Path) -> None:
    old = next(
        o for o in bundled_catalog().offerings if o.type == "m7i.large" and o.region == "us-east-1"
    )
    fresh = old.model_copy(update={"prices": {Pricing.ON_DEMAND: Decimal("0.0777")}})
    save_refreshed(Settings(), "aws", [fresh], "2026-11-20")  # the test's isolated cache dir
    result = invoke("catalog", "list", "-p", "aws", "--region", "us-east-1", "-f", "json")
    data = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert data["as_of"] == "2026-11-20"
    row = next(o for o in data["offerings"] if o["type"] == "m7i.large")
    assert row["prices"] == {"on-demand": "0.0777"}


def test_table_output(cli: CliRunner) -> None:
    result = invoke("catalog", "list", "-p", "azure", "--min-vcpus", "64")
    assert result.exit_code == 0 and "Standard_D64s_v5" in result.stdout  # type: ignore[attr-defined]


def test_refresh_unknown_provider_is_a_usage_error(cli: CliRunner) -> None:
    result = invoke("catalog", "refresh", "-p", "nope")
    assert result.exit_code == 2 and "unknown provider" in result.stderr  # type: ignore[attr-defined]


def test_refresh_with_no_offerings_is_a_provider_error(cli: CliRunner) -> None:
    # The file provider reads offerings from inventory files; this one lists none.
    Path("inv.yaml").write_text("apiVersion: lepton/v1\nkind: Inventory\n")
    Path("lepton.yaml").write_text("file: {paths: [inv.yaml]}\n")
    result = invoke("catalog", "refresh", "-p", "file")
    assert result.exit_code == 4 and "returned no offerings" in result.stderr  # type: ignore[attr-defined]


def test_refresh_from_an_unconfigured_file_provider_says_how_to_configure_it(
    cli: CliRunner,
) -> None:
    result = invoke("catalog", "refresh", "-p", "file")
    assert result.exit_code == 3 and "no inventory to read" in result.stderr  # type: ignore[attr-defined]


def test_help_has_examples() -> None:
    for args in (
        ["catalog", "--help"],
        ["catalog", "list", "--help"],
        ["catalog", "refresh", "--help"],
    ):
        result = invoke(*args)
        assert "Example: lepton catalog" in result.stdout  # type: ignore[attr-defined]


def test_list_filters_by_gpu_model(cli: CliRunner) -> None:
    result = invoke("catalog", "list", "--gpu", "l4", "-f", "csv")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(result.stdout)))  # type: ignore[attr-defined]
    assert {r["type"].split(".")[0].split("-")[0] for r in rows} == {"g6", "g2"}
    g6 = next(r for r in rows if r["type"] == "g6.12xlarge")
    assert g6["gpus"] == "4 x L4 (24 GiB)"
    anything = invoke("catalog", "list", "--gpu", "any", "-p", "azure", "-f", "json")
    offers = json.loads(anything.stdout)["offerings"]  # type: ignore[attr-defined]
    assert offers and all(o["gpus"] >= 1 and o["gpu_model"] for o in offers)
    assert {o["gpu_model"] for o in offers} == {"A100", "H100", "A10"}


def test_list_filters_by_platform(cli: CliRunner) -> None:
    result = invoke(
        "catalog",
        "list",
        "--platform",
        "windows",
        "-p",
        "aws",
        "--region",
        "us-east-1",
        "-f",
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))  # type: ignore[attr-defined]
    assert rows and {r["platform"] for r in rows} == {"windows"}
    m6i = next(r for r in rows if r["type"] == "m6i.large")
    assert Decimal(m6i["on-demand"]) == Decimal("0.096") + 2 * Decimal("0.046")
    linux = invoke("catalog", "list", "--platform", "linux", "-p", "aws", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(linux.stdout)))  # type: ignore[attr-defined]
    assert {r["platform"] for r in rows} == {"linux"}
    assert {r["arch"] for r in rows} == {"x86_64", "arm64"}


def test_table_shows_platform_and_gpus(cli: CliRunner) -> None:
    result = invoke("catalog", "list", "-p", "gcp", "--gpu", "H100")
    out = result.stdout  # type: ignore[attr-defined]
    assert result.exit_code == 0 and "a3-highgpu-8g" in out and "8 x H100" in out  # type: ignore[attr-defined]
