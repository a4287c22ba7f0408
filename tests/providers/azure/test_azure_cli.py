"""`lepton scan --provider azure` end to end: lepton.yaml, the CLI, the real SDK, the stub."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from azure_stub import SUB1, SUB2, VM_IDLE, VM_WEB, StubState
from typer.testing import CliRunner

from lepton_cli.cli.app import app
from lepton_cli.providers.azure.normalize import arm_id


def write_config(tmp_path: Path, stub: StubState, subscriptions: list[str]) -> Path:
    config = tmp_path / "lepton.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "cache_dir": str(tmp_path / "cache"),
                "history": False,
                "azure": {
                    "base_url": stub.base,
                    "retail_prices_url": f"{stub.base}/api/retail/prices",
                    "subscriptions": subscriptions,
                    "cost_query_interval": 0,
                    "max_retries": 1,
                },
            }
        )
    )
    return config


def scan(cli: CliRunner, config: Path, *extra: str) -> tuple[int, str, str]:
    args = ["--config", str(config), "scan", "--provider", "azure", "--period", "2026-10", *extra]
    result = cli.invoke(app, args)
    return result.exit_code, result.stdout, result.stderr


def test_scan_writes_an_inventory_of_azure_resources(
    cli: CliRunner, stub: StubState, tmp_path: Path
) -> None:
    config = write_config(tmp_path, stub, [SUB1])
    code, out, err = scan(cli, config, "-o", "scan.yaml", "--format", "json")
    assert code == 0, err
    inventory = yaml.safe_load((tmp_path / "scan.yaml").read_text())
    assert inventory["apiVersion"] == "lepton/v1" and inventory["kind"] == "Inventory"
    by_id = {r["id"]: r for r in inventory["resources"]}
    web = by_id[arm_id(VM_WEB)]
    assert web["type"] == "Standard_D2s_v5" and web["utilization"]["cpu_p95"] == 0.5
    assert by_id[arm_id(VM_IDLE)]["hourly_cost"] == 0.192
    assert '"kind": "ScanReport"' in out


def test_a_failed_subscription_exits_4_unless_partial_is_allowed(
    cli: CliRunner, stub: StubState, tmp_path: Path
) -> None:
    config = write_config(tmp_path, stub, [SUB1, SUB2])
    code, _, err = scan(cli, config, "--no-costs")
    assert code == 4 and SUB2 in err
    code, _, err = scan(cli, config, "--no-costs", "--allow-partial", "-o", "scan.yaml")
    assert code == 0, err
    inventory = yaml.safe_load((tmp_path / "scan.yaml").read_text())
    accounts = {r["account"] for r in inventory["resources"]}
    assert accounts == {SUB1} and arm_id(VM_WEB) in {r["id"] for r in inventory["resources"]}


def test_missing_credentials_exit_4_and_say_az_login(
    cli: CliRunner, stub: StubState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IDENTITY_ENDPOINT")
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")
    code, _, err = scan(cli, write_config(tmp_path, stub, [SUB1]))
    assert code == 4 and "az login" in err and "Traceback" not in err


def test_a_typo_in_the_azure_section_is_exit_3(
    cli: CliRunner, stub: StubState, tmp_path: Path
) -> None:
    config = tmp_path / "lepton.yaml"
    config.write_text("azure:\n  subscription: [abc]\n")
    code, _, err = scan(cli, config)
    assert code == 3 and "subscription" in err


def test_scan_then_optimize(cli: CliRunner, stub: StubState, tmp_path: Path) -> None:
    config = write_config(tmp_path, stub, [SUB1])
    assert scan(cli, config, "-o", "scan.yaml")[0] == 0
    result = cli.invoke(app, ["--config", str(config), "optimize", "--source", "scan.yaml",
                              "--format", "yaml"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    plan = yaml.safe_load(result.stdout)
    assert plan["kind"] == "Plan"
    touched = {ref["id"] for action in plan["actions"] for ref in action["resources"]}
    assert arm_id(VM_IDLE) in touched  # 1% CPU for two weeks, no workload: proposed for termination


def test_catalog_refresh_lays_live_prices_over_the_snapshot(
    cli: CliRunner, stub: StubState, tmp_path: Path
) -> None:
    import datetime as dt
    import json

    config = write_config(tmp_path, stub, [SUB1])
    args = ["--config", str(config), "catalog"]
    refreshed = cli.invoke(app, [*args, "refresh", "-p", "azure", "--region", "eastus"])
    assert refreshed.exit_code == 0, refreshed.stderr
    listed = cli.invoke(app, [*args, "list", "-p", "azure", "--region", "eastus", "-f", "json"])
    doc = json.loads(listed.stdout)
    assert doc["as_of"] == dt.date.today().isoformat()
    d2 = next(o for o in doc["offerings"] if o["type"] == "Standard_D2s_v5")
    assert d2["prices"] == {"on-demand": "0.096", "spot": "0.0192", "reserved": "0.058904"}


def test_catalog_refresh_carries_windows_prices_and_gpus(
    cli: CliRunner, stub: StubState, tmp_path: Path
) -> None:
    import json
    from decimal import Decimal

    config = write_config(tmp_path, stub, [SUB1])
    args = ["--config", str(config), "catalog"]
    refreshed = cli.invoke(app, [*args, "refresh", "-p", "azure", "--region", "eastus"])
    assert refreshed.exit_code == 0, refreshed.stderr
    listed = cli.invoke(app, [*args, "list", "-p", "azure", "--region", "eastus", "-f", "json"])
    rows = {(o["type"], o["platform"]): o for o in json.loads(listed.stdout)["offerings"]}
    windows = rows["Standard_D2s_v5", "windows"]
    assert Decimal(windows["prices"]["on-demand"]) == Decimal("0.188")  # the stub's Windows meter
    assert Decimal(windows["prices"]["spot"]) == Decimal("0.0376")
    a100 = rows["Standard_NC24ads_A100_v4", "linux"]
    assert (a100["gpus"], a100["gpu_model"], a100["vcpus"]) == (1, "A100", 24)
    assert a100["gpu_memory_gib"] == 80  # not in resource SKUs: kept from the bundled entry
    assert a100["perf"] == 1.1  # the bundled perf, not a refresh's 1.0
