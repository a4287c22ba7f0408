"""`lepton commitments status` end to end: FOCUS files and a live AWS, every format."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import yaml
from aws_commitments_fake import OfflineAws
from test_aws_commitments import estate
from typer.testing import CliRunner

from lepton_cli.cli.app import app

SPEC = "focus/spec-examples"


def run(*args: str | Path) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, [str(a) for a in args])
    return r.exit_code, r.stdout, r.stderr


def test_focus_status_as_json(corpus: Path) -> None:
    f = corpus / SPEC / "commitment_discount_usage_scenario_3.csv"
    code, out, _ = run(
        "commitments", "status", "--source", f, "-f", "json", "--as-of", "2023-01-02"
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["kind"] == "CommitmentStatus" and doc["apiVersion"] == "lepton/v1"
    [c] = doc["commitments"]
    # Used 0.75 + Unused 0.25 over one hour: 75% used, 0.25 unused, 0.25 x 730 a month
    assert c["utilization"] == 0.75 and Decimal(c["unused_cost"]) == Decimal("0.25")
    assert c["monthly_unused_cost"] == "182.50" and c["coverage"] == 1.0


def test_focus_status_markdown_and_csv(corpus: Path) -> None:
    f = corpus / SPEC / "commitment_discount_usage_scenario_4.csv"
    code, out, _ = run("commitments", "status", "--source", f, "-f", "markdown")
    assert code == 0 and out.startswith("<!-- lepton:commitments-status -->")
    assert "| <my-commitment-discount-id> |" in out and "50.0%" in out
    code, out, _ = run("commitments", "status", "--source", f, "-f", "csv")
    header, row = out.splitlines()
    assert header.split(",")[6:9] == ["utilisation", "unused / month", "coverage"]
    assert row.split(",")[6:9] == ["100.0%", "0.00", "50.0%"]


def test_nothing_to_read_is_a_usage_error() -> None:
    code, _, err = run("commitments", "status")
    assert code == 2 and "--source" in err


def test_a_bad_focus_file_is_invalid_input(corpus: Path) -> None:
    f = corpus / SPEC / "commitment_discount_purchase_scenario_2.csv"  # "T30:00:00Z" hours
    code, _, err = run("commitments", "status", "--source", f)
    assert code == 3 and "commitment_discount_purchase_scenario_2.csv" in err
    assert "Traceback" not in err


def test_live_aws_status_yaml(offline_aws: OfflineAws, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    estate(offline_aws)
    monkeypatch.chdir(tmp_path)
    Path("lepton.yaml").write_text("aws:\n  regions: [us-east-1]\n")
    out_file = tmp_path / "status.yaml"
    code, _, err = run(
        "commitments", "status", "-p", "aws", "--as-of", "2026-11-30", "-f", "yaml", "-o", out_file
    )
    assert code == 0, err
    doc = yaml.safe_load(out_file.read_text())
    by_id = {c["id"]: c for c in doc["commitments"]}
    assert by_id["sp-1"]["expires_within_days"] == 30 and by_id["ri-1"]["expires_within_days"] == 60
    # totals: RI fee 4 x 0.121 + SP 2.5 an hour, x 730 = 353.32 + 1825.00
    assert doc["totals"]["monthly_fee"] == 2178.32


def test_live_failure_exits_4_unless_partial(
    offline_aws: OfflineAws, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    estate(offline_aws)
    offline_aws.state.deny = {"GetReservationUtilization"}
    monkeypatch.chdir(tmp_path)
    Path("lepton.yaml").write_text("aws:\n  regions: [us-east-1]\n")
    args = ("commitments", "status", "-p", "aws", "--as-of", "2026-11-30", "-f", "json")
    code, out, err = run(*args)
    assert code == 4 and "cost explorer" in err and "AccessDenied" in err
    assert {c["id"] for c in json.loads(out)["commitments"]} == {"ri-1", "sp-1"}  # still shown
    code, out, err = run(*args, "--allow-partial")
    assert code == 0 and json.loads(out)["failures"][0]["scope"].endswith("(cost explorer)")
