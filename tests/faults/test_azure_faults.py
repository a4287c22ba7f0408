"""`lepton scan --provider azure` with faults on the wire between the Azure SDK and the stub."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from azure_stub import SUB1, SUB2, VM_WEB, StubState
from fault_proxy import Answer, FaultProxy, Rule, closed_port, json_error, path_matches
from typer.testing import CliRunner

from lepton_cli.cli.app import app
from lepton_cli.providers.azure.normalize import arm_id

TIMEOUT = 10  # seconds per subscription: read timeout 2.5 s, Retry-After cap 2.5 s
VMS = r"/Microsoft\.Compute/virtualMachines$"
Azure = tuple[StubState, FaultProxy]


def lepton_yaml(tmp_path: Path, base: str, subscriptions: list[str], max_retries: int = 2) -> Path:
    path = tmp_path / "lepton.yaml"
    azure = {
        "base_url": base,
        "retail_prices_url": f"{base}/api/retail/prices",
        "subscriptions": subscriptions,
        "cost_query_interval": 0,
        "max_retries": max_retries,
    }
    doc = {"cache_dir": str(tmp_path / "cache"), "history": False, "timeout": TIMEOUT}
    path.write_text(yaml.safe_dump({**doc, "azure": azure}))
    return path


def scan(config: Path, *args: str) -> tuple[int, str, list[Any]]:
    out = config.parent / "scan.yaml"
    out.unlink(missing_ok=True)
    cmd = ["--config", str(config), "scan", "--provider", "azure", "-o", str(out), *args]
    got = CliRunner().invoke(app, cmd)
    resources = yaml.safe_load(out.read_text())["resources"] if out.exists() else []
    return got.exit_code, got.stderr, resources


def vms(resources: list[Any]) -> dict[str, Any]:
    return {r["id"]: r for r in resources if r["resource_type"] == "azure.vm"}


def in_sub(sub: str, pattern: str) -> Any:
    return path_matches(rf"^/subscriptions/{sub}/.*{pattern}")


def both(azure: Azure, tmp_path: Path) -> Path:
    return lepton_yaml(tmp_path, azure[1].url, [SUB1, SUB2])


def only_sub1(azure: Azure, tmp_path: Path) -> Path:
    return lepton_yaml(tmp_path, azure[1].url, [SUB1])


def test_html_500_in_one_subscription_keeps_the_other(azure: Azure, tmp_path: Path) -> None:
    _, proxy = azure
    listing = in_sub(SUB2, VMS)
    proxy.add(Rule(listing, answer=Answer(500)))
    config = lepton_yaml(tmp_path, proxy.url, [SUB1, SUB2], max_retries=1)
    code, err, resources = scan(config, "--no-costs")
    assert code == 4, err
    assert SUB2 in err and "HTTP 500" in err and "internal error" not in err
    assert arm_id(VM_WEB) in vms(resources)
    assert {r["account"] for r in resources} == {SUB1}
    assert proxy.served("answer", listing) == 2  # max_retries 1: the 500 was retried once


def test_html_500_then_success_is_retried(azure: Azure, tmp_path: Path) -> None:
    _, proxy = azure
    proxy.add(Rule(in_sub(SUB1, VMS), answer=Answer(503), times=1))
    code, err, resources = scan(only_sub1(azure, tmp_path), "--no-costs")
    assert code == 0, err
    assert len(vms(resources)) == 3


def test_garbled_200_in_one_subscription_keeps_the_other(azure: Azure, tmp_path: Path) -> None:
    _, proxy = azure
    proxy.add(Rule(in_sub(SUB2, VMS), fault="garbled"))
    code, err, resources = scan(both(azure, tmp_path), "--no-costs")
    assert code == 4, err
    assert "could not be read" in err and SUB2 in err
    assert {r["account"] for r in resources} == {SUB1} and len(vms(resources)) == 3


def test_garbled_metrics_keep_the_vms(azure: Azure, tmp_path: Path) -> None:
    _, proxy = azure
    proxy.add(Rule(in_sub(SUB1, r"/Microsoft\.Insights/metrics$"), fault="garbled"))
    code, err, resources = scan(only_sub1(azure, tmp_path), "--no-costs")
    assert code == 4, err
    assert "metrics" in err and "could not be read" in err
    found = vms(resources)
    assert len(found) == 3 and all(r.get("utilization") is None for r in found.values())


def test_throttled_then_success(azure: Azure, tmp_path: Path) -> None:
    _, proxy = azure
    disks = in_sub(SUB1, r"/Microsoft\.Compute/disks$")
    proxy.add(Rule(disks, answer=json_error(429, "TooManyRequests", "0"), times=2))
    code, err, resources = scan(only_sub1(azure, tmp_path), "--no-costs")
    assert code == 0, err
    assert proxy.served("answer", disks) == 2 and proxy.served("", disks) == 1
    assert any(r["resource_type"] == "azure.managed-disk" for r in resources)


def test_huge_retry_after_is_capped(azure: Azure, tmp_path: Path) -> None:
    _, proxy = azure
    listing = in_sub(SUB1, VMS)
    proxy.add(Rule(listing, answer=json_error(429, "TooManyRequests", "3600"), times=1))
    code, err, resources = scan(only_sub1(azure, tmp_path), "--no-costs")
    assert code == 0, err  # an hour was asked for; the cap (2.5 s here) was waited
    assert len(vms(resources)) == 3 and proxy.served("", listing) == 1


def test_stall_past_the_read_timeout_fails_that_subscription(azure: Azure, tmp_path: Path) -> None:
    _, proxy = azure
    proxy.add(Rule(in_sub(SUB2, VMS), fault="stall", seconds=30))
    config = lepton_yaml(tmp_path, proxy.url, [SUB1, SUB2], max_retries=0)  # one read timeout
    code, err, resources = scan(config, "--no-costs")
    assert code == 4, err
    assert SUB2 in err and "internal error" not in err
    assert {r["account"] for r in resources} == {SUB1}


def test_connection_refused_is_exit_4(azure: Azure, tmp_path: Path) -> None:
    config = lepton_yaml(tmp_path, f"https://127.0.0.1:{closed_port()}", [SUB1, SUB2])
    code, err, resources = scan(config, "--no-costs")
    assert code == 4, err
    assert "ServiceRequestError" in err and "azure.base_url" in err
    assert resources == []


def test_access_denied_in_one_subscription_only(azure: Azure, tmp_path: Path) -> None:
    state, _ = azure
    state.forbidden = {SUB2}
    config = both(azure, tmp_path)
    code, err, resources = scan(config, "--no-costs")
    assert code == 4, err
    assert SUB2 in err and "Reader" in err
    assert {r["account"] for r in resources} == {SUB1}
    code, err, resources = scan(config, "--no-costs", "--allow-partial")
    assert code == 0, err
    assert {r["account"] for r in resources} == {SUB1}


def test_rejected_credentials_fail_fast_once(azure: Azure, tmp_path: Path) -> None:
    _, proxy = azure
    token = path_matches(r"^/msi/token$")
    proxy.add(Rule(token, answer=json_error(400, "invalid_request")))
    code, err, _ = scan(both(azure, tmp_path), "--no-costs")
    assert code == 4, err
    assert err.count("error:") == 1 and "az login" in err
    assert proxy.served("", path_matches(r"^/subscriptions/")) == 0  # nothing read without one


def test_garbled_cost_answer_is_never_cached(azure: Azure, tmp_path: Path) -> None:
    _, proxy = azure
    query = in_sub(SUB1, r"/Microsoft\.CostManagement/query$")
    proxy.add(Rule(query, fault="garbled", times=1))
    config = only_sub1(azure, tmp_path)
    code, err, resources = scan(config, "--period", "2026-10")
    assert code == 4, err
    assert "could not be read" in err and len(vms(resources)) == 3
    assert not list((tmp_path / "cache").glob("azure/azure-costs/*.json"))
    code, err, _ = scan(config, "--period", "2026-10")
    assert code == 0, err
    assert proxy.served("", query) >= 2  # asked again: nothing of the garbled answer was kept


def unwritable(tmp_path: Path, mode: str) -> Path:
    """A cache folder lepton cannot write, made the way ``mode`` says."""
    import os

    if mode == "read-only folder":
        if os.geteuid() == 0:
            pytest.skip("root writes into a read-only folder anyway")
        folder = tmp_path / "ro"
        folder.mkdir(mode=0o500)
        return folder
    if mode == "read-only file system":
        folder = Path("/sys/lepton-cache")  # sysfs refuses new entries, even to root
        try:
            folder.mkdir()
        except OSError:
            return folder
        folder.rmdir()
        pytest.skip("no read-only file system to point at")
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    return blocker / "cache"


@pytest.mark.parametrize("mode", ["read-only folder", "read-only file system", "file in the way"])
def test_unwritable_cache_is_no_cache_with_a_warning(
    azure: Azure, tmp_path: Path, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    cache = unwritable(tmp_path, mode)
    config = only_sub1(azure, tmp_path)
    doc = yaml.safe_load(config.read_text())
    config.write_text(yaml.safe_dump({**doc, "cache_dir": str(cache)}))
    for extra in ([], ["--no-cache"]):
        code, err, resources = scan(config, "--period", "2026-10", *extra)
        assert code == 0, err
        assert len(vms(resources)) == 3
    warned = [r.getMessage() for r in caplog.records if "cannot write the cache" in r.message]
    assert len(warned) == 1 and str(cache) in warned[0]  # once, naming the folder


def test_the_cache_warning_reaches_stderr_of_the_real_cli(azure: Azure, tmp_path: Path) -> None:
    """Outside pytest (which captures logging), the warning is one line on stderr."""
    import subprocess
    import sys

    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    config = only_sub1(azure, tmp_path)
    doc = yaml.safe_load(config.read_text())
    config.write_text(yaml.safe_dump({**doc, "cache_dir": str(blocker / "cache")}))
    lepton = Path(sys.executable).with_name("lepton")
    cmd = [str(lepton), "--config", str(config), "scan", "-p", "azure", "--no-costs"]
    got = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert got.returncode == 0, got.stderr
    lines = [line for line in got.stderr.splitlines() if "cannot write the cache" in line]
    assert len(lines) == 1 and lines[0].startswith("warning:") and "cache_dir" in lines[0]
    assert "Traceback" not in got.stderr


def test_a_cost_cache_entry_of_the_wrong_shape_is_a_miss(azure: Azure, tmp_path: Path) -> None:
    _, proxy = azure
    query = in_sub(SUB1, r"/Microsoft\.CostManagement/query$")
    config = only_sub1(azure, tmp_path)
    code, err, _ = scan(config, "--period", "2026-10")
    assert code == 0, err
    asked = proxy.served("", query)
    entries = list((tmp_path / "cache").glob("azure/azure-costs/*.json"))
    assert entries
    for entry in entries:
        entry.write_text('["a list, not a table"]')
    code, err, _ = scan(config, "--period", "2026-10")
    assert code == 0, err
    assert proxy.served("", query) == 2 * asked  # every query asked again
