"""End to end: `lepton scan --provider gcp` against the local Google Cloud, then optimize."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import gcp_fixtures as fx
import yaml
from gcp_fake import FakeGoogle
from test_gcp_costs import export
from test_gcp_inventory import shop
from typer.testing import CliRunner

from lepton_cli.cli.app import app

TABLE = "billing-admin.billing.gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9"


def config(google: FakeGoogle, tmp_path: Path, projects: list[str]) -> Path:
    path = tmp_path / "lepton.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "gcp": {
                    "projects": projects,
                    "billing_account": fx.ACCOUNT,
                    "billing_export_table": TABLE,
                    "endpoints": {
                        "compute": google.url,
                        "billing": google.url,
                        "bigquery": google.url,
                        "monitoring": google.monitoring_url,
                    },
                }
            }
        )
    )
    return path


def test_scan_then_optimize(google: FakeGoogle, adc: Path, tmp_path: Path) -> None:
    shop(google)
    export(google)
    google.billing["shop-prod"] = fx.ACCOUNT
    runner = CliRunner()
    lepton_yaml = config(google, tmp_path, ["shop-prod"])
    scan_file = tmp_path / "scan.yaml"
    scan = runner.invoke(
        app,
        [
            "--config",
            str(lepton_yaml),
            "scan",
            "--provider",
            "gcp",
            "--period",
            "2026-10",
            "-o",
            str(scan_file),
            "-f",
            "json",
        ],
    )
    assert scan.exit_code == 0, scan.stderr
    report = json.loads(scan.stdout)
    assert report["totals"]["resources"] == 6
    billed = {r["service"]: r for r in report["billed_costs"]}
    assert billed["Compute Engine"]["billed_cost"] == "155.2758"
    inventory = yaml.safe_load(scan_file.read_text())
    web = next(r for r in inventory["resources"] if r["id"].endswith("/instances/web-1"))
    assert (web["provider"], web["type"]) == ("gcp", "n2-standard-4")
    assert Decimal(str(web["hourly_cost"])) == Decimal("0.194236")  # JSON money is exact text
    findings = {f["resource"].rsplit("/", 1)[-1] for f in report["findings"]}
    assert {"scratch", "forgotten-ip"} <= findings

    plan_file = tmp_path / "plan.yaml"
    plan = runner.invoke(
        app,
        [
            "--config",
            str(lepton_yaml),
            "optimize",
            "--source",
            str(scan_file),
            "-o",
            str(plan_file),
            "-f",
            "json",
        ],
    )
    assert plan.exit_code == 0, plan.stderr
    written = yaml.safe_load(plan_file.read_text())
    assert written["kind"] == "Plan" and written["solver"]["status"]
    assert any(a["kind"] == "terminate" for a in written["actions"])


def test_failing_project_exits_4_unless_partial_allowed(
    google: FakeGoogle, adc: Path, tmp_path: Path
) -> None:
    shop(google)
    google.failing[r"/projects/shop-broken/aggregated/instances"] = (403, "compute.instances.list")
    lepton_yaml = config(google, tmp_path, ["shop-prod", "shop-broken"])
    args = ["--config", str(lepton_yaml), "scan", "--provider", "gcp", "--no-costs", "-f", "json"]
    runner = CliRunner()
    failed = runner.invoke(app, args)
    assert failed.exit_code == 4
    assert "shop-broken" in failed.stderr
    partial = runner.invoke(app, [*args, "--allow-partial"])
    assert partial.exit_code == 0
    assert json.loads(partial.stdout)["totals"]["resources"] == 6


def test_missing_credentials_exit_4(google: FakeGoogle, no_adc: None, tmp_path: Path) -> None:
    lepton_yaml = config(google, tmp_path, ["shop-prod"])
    result = CliRunner().invoke(app, ["--config", str(lepton_yaml), "scan", "--provider", "gcp"])
    assert result.exit_code == 4
    assert "gcloud auth application-default login" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_table_name_exit_3(google: FakeGoogle, adc: Path, tmp_path: Path) -> None:
    path = tmp_path / "lepton.yaml"
    path.write_text("gcp:\n  billing_export_table: 'x.y.z`; DROP TABLE t'\n")
    result = CliRunner().invoke(app, ["--config", str(path), "scan", "--provider", "gcp"])
    assert result.exit_code == 3
    assert "billing_export_table" in result.stderr


def test_catalog_refresh(google: FakeGoogle, adc: Path, tmp_path: Path) -> None:
    lepton_yaml = config(google, tmp_path, ["shop-prod"])
    result = CliRunner().invoke(
        app,
        [
            "--config",
            str(lepton_yaml),
            "catalog",
            "refresh",
            "--provider",
            "gcp",
            "--region",
            "us-central1",
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert "refreshed 3 gcp offerings" in result.stderr
