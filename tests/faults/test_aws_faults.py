"""`lepton scan --provider aws` with faults on the wire between boto3 and moto.

Each case asserts the exit code and what was still delivered. The `timeout` setting keeps the
clients' connect/read timeouts and the per-scope deadline short, so every case ends in seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from aws_fake import Aws
from estate import price_everything, run
from fault_proxy import Answer, FaultProxy, Rule, aws_call, aws_error, closed_port, fault_proxy
from typer.testing import CliRunner

from lepton_cli.cli.app import app

REGIONS = ["us-east-1", "eu-west-1"]
# Seconds per scope. Healthy regions must fit in it even when moto crawls on a busy machine;
# the stall case, which waits for a read timeout, sets a shorter one with --timeout.
TIMEOUT = 60
STALL_TIMEOUT = 20  # read timeout 5 s


@pytest.fixture
def estate(aws: Aws) -> dict[str, str]:
    """One priced m5.large in each of two regions: region -> instance id."""
    price_everything(aws, REGIONS)
    return {r: run(aws.client("ec2", r), "m5.large")[0] for r in REGIONS}


@pytest.fixture
def proxy(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Any:
    with fault_proxy(aws.url) as front:
        monkeypatch.setenv("AWS_ENDPOINT_URL", front.url)
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
        yield front


def lepton_yaml(tmp_path: Path, **extra: Any) -> Path:
    path = tmp_path / "lepton.yaml"
    doc = {
        "cache_dir": str(tmp_path / "cache"),
        "history": False,
        "timeout": TIMEOUT,
        "aws": {"regions": REGIONS},
        **extra,
    }
    path.write_text(yaml.safe_dump(doc))
    return path


def scan(tmp_path: Path, *args: str, config: Path | None = None) -> tuple[int, str, list[Any]]:
    """Exit code, stderr and the resources written to -o."""
    out = tmp_path / "scan.yaml"
    out.unlink(missing_ok=True)
    cmd = ["--config", str(config or lepton_yaml(tmp_path)), "scan", "--provider", "aws"]
    got = CliRunner().invoke(app, [*cmd, "--days", "1", "-o", str(out), *args])
    resources = yaml.safe_load(out.read_text())["resources"] if out.exists() else []
    return got.exit_code, got.stderr, resources


def instances(resources: list[Any]) -> dict[str, str]:
    """region -> instance id of the delivered EC2 instances."""
    return {r["region"]: r["id"] for r in resources if r["resource_type"] == "aws.ec2-instance"}


def test_stock_moto_reserved_instances_html_500_is_a_partial_failure(
    aws: Aws,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """EC2 straight at moto, where DescribeReservedInstances (not implemented) answers an HTML
    500: the region's instances and volumes are still delivered. (Pricing and Savings Plans stay
    on the stubs: moto's price list is slow to load and says nothing about faults.)"""
    iid = run(aws.client("ec2"), "m5.large")[0]
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.moto_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_PRICING", aws.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAVINGSPLANS", aws.url)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    config = lepton_yaml(tmp_path, aws={"regions": ["us-east-1"]})
    code, err, resources = scan(tmp_path, "--no-costs", config=config)
    assert code == 4, err
    assert "reserved instances" in err and "internal error" not in err
    assert instances(resources) == {"us-east-1": iid}
    code, err, resources = scan(tmp_path, "--no-costs", "--allow-partial", config=config)
    assert code == 0, err
    assert instances(resources) == {"us-east-1": iid}


def test_html_500_on_one_region_keeps_the_other(
    estate: dict[str, str], proxy: FaultProxy, tmp_path: Path
) -> None:
    page = aws_call("ec2", "DescribeInstances", "eu-west-1")
    proxy.add(Rule(page, answer=Answer(502)))
    code, err, resources = scan(tmp_path, "--no-costs")
    assert code == 4, err
    assert "region eu-west-1" in err and "internal error" not in err
    assert instances(resources) == {"us-east-1": estate["us-east-1"]}
    assert proxy.served("answer", page) == 3  # AWS_MAX_ATTEMPTS: the error page was retried


def test_html_500_then_success_is_retried(
    estate: dict[str, str], proxy: FaultProxy, tmp_path: Path
) -> None:
    page = aws_call("ec2", "DescribeInstances", "eu-west-1")
    proxy.add(Rule(page, times=2))
    code, err, resources = scan(tmp_path, "--no-costs")
    assert code == 0, err
    assert instances(resources) == estate
    assert proxy.served("answer", page) == 2 and proxy.served("", page) == 1


def test_garbled_200_on_one_region_keeps_the_other(
    estate: dict[str, str], proxy: FaultProxy, tmp_path: Path
) -> None:
    proxy.add(Rule(aws_call("ec2", "DescribeVolumes", "eu-west-1"), fault="garbled"))
    code, err, resources = scan(tmp_path, "--no-costs")
    assert code == 4, err
    assert "could not be read" in err and "region eu-west-1" in err
    assert instances(resources) == {"us-east-1": estate["us-east-1"]}


def test_garbled_secondary_read_is_a_partial_failure(
    estate: dict[str, str], proxy: FaultProxy, tmp_path: Path
) -> None:
    proxy.add(Rule(aws_call("ec2", "DescribeReservedInstances"), fault="garbled"))
    proxy.add(Rule(aws_call("savingsplans"), answer=Answer(500)))
    code, err, resources = scan(tmp_path, "--no-costs")
    assert code == 4, err
    assert err.count("reserved instances") == 2 and "savings plans" in err
    assert instances(resources) == estate  # every region's instances are still there


def test_throttled_then_success(estate: dict[str, str], proxy: FaultProxy, tmp_path: Path) -> None:
    volumes = aws_call("ec2", "DescribeVolumes", "us-east-1")
    proxy.add(Rule(volumes, answer=aws_error("ec2", "RequestLimitExceeded", 503), times=2))
    code, err, resources = scan(tmp_path, "--no-costs")
    assert code == 0, err
    assert instances(resources) == estate
    assert proxy.served("answer", volumes) == 2 and proxy.served("", volumes) == 1


def test_huge_retry_after_is_not_waited_for(
    estate: dict[str, str], proxy: FaultProxy, tmp_path: Path
) -> None:
    volumes = aws_call("ec2", "DescribeVolumes", "eu-west-1")
    slow_down = Answer(503, b"", "text/plain", {"Retry-After": "3600"})
    proxy.add(Rule(volumes, answer=slow_down, times=1))
    code, err, resources = scan(tmp_path, "--no-costs")
    assert code == 0, err
    assert instances(resources) == estate
    assert proxy.served("answer", volumes) == 1 and proxy.served("", volumes) == 1


def test_stall_past_the_read_timeout_fails_that_region_only(
    estate: dict[str, str], proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # one read timeout, not three
    page = aws_call("ec2", "DescribeInstances", "eu-west-1")
    proxy.add(Rule(page, fault="stall", seconds=60))
    code, err, resources = scan(tmp_path, "--no-costs", "--timeout", str(STALL_TIMEOUT))
    assert code == 4, err
    assert "region eu-west-1" in err and ("in time" in err or "gave up" in err)
    assert instances(resources) == {"us-east-1": estate["us-east-1"]}


def test_connection_reset_fails_that_region_only(
    estate: dict[str, str], proxy: FaultProxy, tmp_path: Path
) -> None:
    proxy.add(Rule(aws_call("ec2", "DescribeInstances", "eu-west-1"), fault="reset"))
    code, err, resources = scan(tmp_path, "--no-costs")
    assert code == 4, err
    assert "region eu-west-1" in err and "internal error" not in err
    assert instances(resources) == {"us-east-1": estate["us-east-1"]}


def test_connection_refused_is_exit_4_with_the_endpoint_named(
    estate: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    code, err, resources = scan(tmp_path, "--no-costs")
    assert code == 4, err
    assert "unreachable" in err and "AWS_ENDPOINT_URL" in err
    assert resources == []


def test_access_denied_in_one_region_only(
    estate: dict[str, str], proxy: FaultProxy, tmp_path: Path
) -> None:
    denied = aws_call("ec2", region="eu-west-1")
    proxy.add(Rule(denied, answer=aws_error("ec2", "UnauthorizedOperation", 403)))
    code, err, resources = scan(tmp_path, "--no-costs")
    assert code == 4, err
    assert "access denied" in err and "docs/aws.md" in err
    assert instances(resources) == {"us-east-1": estate["us-east-1"]}
    code, err, resources = scan(tmp_path, "--no-costs", "--allow-partial")
    assert code == 0, err
    assert instances(resources) == {"us-east-1": estate["us-east-1"]}


def test_credentials_expiring_mid_scan_fail_fast_once(
    estate: dict[str, str], proxy: FaultProxy, tmp_path: Path
) -> None:
    expired = aws_call("ec2")
    proxy.add(Rule(expired, answer=aws_error("ec2", "ExpiredToken", 400)))
    code, err, _ = scan(tmp_path, "--no-costs")
    assert code == 4, err
    assert err.count("error:") == 1 and "ExpiredToken" in err and "aws configure" in err
    assert proxy.served("answer", expired) <= len(REGIONS)  # not retried, not once per read


def test_garbled_cost_explorer_answer_is_never_cached(
    estate: dict[str, str], proxy: FaultProxy, tmp_path: Path
) -> None:
    ce = aws_call("ce", "GetCostAndUsage")
    proxy.add(Rule(ce, fault="garbled", times=1))
    config = lepton_yaml(tmp_path)
    code, err, resources = scan(tmp_path, "--period", "2026-10", config=config)
    assert code == 4, err
    assert "cost explorer" in err and "could not be read" in err
    assert instances(resources) == estate  # the inventory is kept
    assert not list((tmp_path / "cache").glob("aws/ce/*.json"))
    code, err, _ = scan(tmp_path, "--period", "2026-10", config=config)
    assert code == 0, err
    assert proxy.served("garbled", ce) == 1 and proxy.served("", ce) == 1  # asked again


def test_sts_error_page_is_exit_4_naming_the_identity(
    estate: dict[str, str], proxy: FaultProxy, tmp_path: Path
) -> None:
    sts = aws_call("sts", "GetCallerIdentity")
    proxy.add(Rule(sts, answer=Answer(502)))
    code, err, resources = scan(tmp_path, "--no-costs")
    assert code == 4, err
    assert "cannot read the identity" in err and "internal error" not in err
    assert resources == [] and proxy.served("answer", sts) == 3  # retried, then given up


def test_a_cost_explorer_cache_entry_of_the_wrong_shape_is_a_miss(
    estate: dict[str, str], proxy: FaultProxy, tmp_path: Path
) -> None:
    config = lepton_yaml(tmp_path)
    code, err, _ = scan(tmp_path, "--period", "2026-10", config=config)
    assert code == 0, err
    entries = list((tmp_path / "cache").glob("aws/ce/*.json"))
    assert entries
    for entry in entries:  # valid JSON, but not what lepton stores
        entry.write_text('{"ResultsByTime": "none"}')
    code, err, _ = scan(tmp_path, "--period", "2026-10", config=config)
    assert code == 0, err
    assert proxy.served("", aws_call("ce", "GetCostAndUsage")) == 2  # asked again
