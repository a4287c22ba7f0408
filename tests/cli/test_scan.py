from __future__ import annotations

import json
from decimal import Decimal

import pytest

from helpers import run, vm, write_inventory
from lepton_cli.providers.file import load_inventory_file


@pytest.fixture
def estate(tmp_path):
    return write_inventory(
        tmp_path / "inv.yaml",
        [
            vm(
                "i-idle",
                type="m5.xlarge",
                hourly_cost=0.192,
                vcpus=4,
                memory_gib=16,
                utilization={"cpu_p95": 0.02, "days": 14},
            ),
            vm("i-young", utilization={"cpu_p95": 0.01, "days": 3}),  # too little history
            vm("i-kept", tags={"lepton:protect": "true"}, utilization={"cpu_p95": 0.0, "days": 30}),
            vm("i-busy"),
            vm("i-stopped", state="stopped", hourly_cost=0),
            {
                "id": "vol-1",
                "provider": "aws",
                "kind": "storage",
                "hourly_cost": 0.0109589,
                "size_gib": 100,
                "attached_to": "i-stopped",
            },
            {
                "id": "vol-2",
                "provider": "aws",
                "kind": "storage",
                "hourly_cost": 0.01,
                "state": "unattached",
                "size_gib": 50,
            },
            {
                "id": "eip-1",
                "provider": "aws",
                "kind": "network",
                "hourly_cost": 0.005,
                "state": "unattached",
            },
        ],
    )


def test_scan_finds_each_kind_of_waste_with_savings(estate):
    result = run("scan", "--source", estate, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    found = {f["resource"]: (f["finding"], Decimal(f["monthly_saving"])) for f in doc["findings"]}
    assert found == {
        "i-idle": ("idle-compute", Decimal("140.16")),
        "i-stopped": ("stopped-instance-paying", Decimal("0.0109589") * 730),
        "vol-2": ("unattached-volume", Decimal("7.30")),
        "eip-1": ("unattached-address", Decimal("3.65")),
    }
    assert Decimal(doc["totals"]["monthly_waste"]) == sum(v for _, v in found.values())
    assert doc["findings"][0]["resource"] == "i-idle"  # largest saving first


def test_idle_threshold_flag_changes_findings(estate):
    doc = json.loads(run("scan", "-s", estate, "-f", "json", "--idle-threshold", "0.6").stdout)
    idle = {f["resource"] for f in doc["findings"] if f["finding"] == "idle-compute"}
    assert idle == {"i-idle", "i-busy"}


def test_scan_output_is_an_inventory_later_commands_read(estate, tmp_path):
    out = tmp_path / "scan.yaml"
    result = run("scan", "--source", estate, "-o", out)
    assert result.exit_code == 0
    assert load_inventory_file(out) == load_inventory_file(estate)
    csv_out = tmp_path / "findings.csv"  # -o's format: --format, else the extension
    assert run("scan", "--source", estate, "-o", csv_out, "-f", "csv").exit_code == 0
    lines = csv_out.read_text().splitlines()
    assert lines[0] == "resource,provider,finding,reason,saving"
    assert len(lines) == 5


def test_summary_groups_by_provider_account_region_kind(estate):
    doc = json.loads(run("scan", "-s", estate, "-f", "json").stdout)
    kinds = {(r["provider"], r["kind"]): r["resources"] for r in doc["summary"]}
    assert kinds[("aws", "compute")] == 5 and kinds[("aws", "storage")] == 2


def test_table_output_names_findings(estate):
    result = run("scan", "--source", estate)
    assert result.exit_code == 0
    assert "i-idle" in result.stdout and "idle-compute" in result.stdout
    assert "4 findings would save" in result.stdout


def test_scan_without_source_or_provider_is_a_usage_error():
    result = run("scan")
    assert result.exit_code == 2
    assert "nothing to scan" in result.stderr


def test_unknown_provider_is_a_usage_error(estate):
    result = run("scan", "--provider", "nimbus")
    assert result.exit_code == 2
    assert "unknown provider 'nimbus'" in result.stderr and "aws" in result.stderr


def test_merged_sources_in_different_currencies_are_refused(tmp_path, estate):
    eur = write_inventory(tmp_path / "eur.yaml", [vm("i-eu")], currency="EUR")
    eur.write_text(eur.read_text().replace("currency: USD", "currency: EUR"))
    result = run("scan", "-s", estate, "-s", eur)
    assert result.exit_code == 3
    assert "different currencies (EUR, USD)" in result.stderr


def test_a_provider_that_fails_does_not_hide_the_others(tmp_path, monkeypatch, estate):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    config = tmp_path / "lepton.yaml"
    config.write_text(f"file: {{paths: ['{estate}']}}\naws: {{regions: [us-east-1]}}\n")
    args = ["--config", config, "scan", "--provider", "file", "--provider", "aws", "-f", "json"]
    failed = run(*args)
    assert failed.exit_code == 4, failed.output
    doc = json.loads(failed.stdout)
    assert doc["totals"]["resources"] == 8  # the file provider's estate is all there
    assert [f["provider"] for f in doc["failures"]] == ["aws"]
    assert run(*args, "--allow-partial").exit_code == 0


def test_the_only_provider_failing_is_the_command_failing(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    result = run("scan", "--provider", "aws", "--region", "us-east-1")
    assert result.exit_code == 4
    assert "To fix:" in result.stderr and result.stdout == ""


def test_a_live_provider_and_a_source_in_another_currency_are_refused(tmp_path, estate):
    eur = tmp_path / "eur.yaml"
    eur.write_text(estate.read_text().replace("currency: USD", "currency: EUR"))
    config = tmp_path / "lepton.yaml"
    config.write_text(f"file: {{paths: ['{estate}']}}\n")
    result = run("--config", config, "scan", "-s", eur, "--provider", "file")
    assert result.exit_code == 3
    assert "different currencies (EUR, USD)" in result.stderr


def test_an_old_snapshot_is_its_own_finding(tmp_path):
    snap = {"id": "snap-1", "provider": "aws", "kind": "storage", "resource_type":
            "aws.ebs-snapshot", "hourly_cost": 0.0068, "state": "unattached",
            "created_at": "2025-01-02T03:04:05Z"}  # fmt: skip
    inv = write_inventory(tmp_path / "inv.yaml", [snap])
    doc = json.loads(run("scan", "-s", inv, "-f", "json", "--no-history").stdout)
    (finding,) = doc["findings"]
    assert (finding["finding"], finding["reason"]) == (
        "old-snapshot",
        "old snapshot from 2025-01-02",
    )


def test_the_file_provider_without_files_says_how_to_give_them(cli):
    result = run("scan", "--provider", "file")
    assert result.exit_code == 3
    assert "no inventory to read" in result.stderr and "--source FILE" in result.stderr
