"""End to end: `lepton scan --provider aws -o scan.yaml`, then `lepton optimize` on the result."""

from __future__ import annotations

import pytest
import yaml
from estate import cpu, price_everything, run
from typer.testing import CliRunner

from lepton_cli.cli.app import app

runner = CliRunner()


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "lepton.yaml"
    path.write_text(f"cache_dir: {tmp_path / 'c'}\nhistory: false\naws:\n  regions: [us-east-1]\n")
    return path


def test_scan_then_optimize(aws, config, tmp_path):
    price_everything(aws, ["us-east-1"])
    ec2 = aws.client("ec2")
    fleet = run(ec2, "m5.2xlarge", 3, {"workload": "api", "team": "web"})
    for iid in fleet:
        cpu(aws, "us-east-1", iid, [8.0, 10.0, 12.0])
    ec2.create_volume(Size=200, VolumeType="gp3", AvailabilityZone="us-east-1a")
    out = tmp_path / "scan.yaml"
    got = runner.invoke(
        app,
        [
            "--config",
            str(config),
            "scan",
            "--provider",
            "aws",
            "--no-costs",
            "--days",
            "1",
            "-o",
            str(out),
            "-f",
            "json",
        ],
    )
    assert got.exit_code == 0, got.stderr
    doc = yaml.safe_load(out.read_text())
    assert doc["apiVersion"] == "lepton/v1" and doc["kind"] == "Inventory"
    instances = [r for r in doc["resources"] if r["resource_type"] == "aws.ec2-instance"]
    assert sorted(r["id"] for r in instances) == sorted(fleet)
    assert instances[0]["utilization"]["cpu_p95"] == pytest.approx(0.12)
    loose = [r for r in doc["resources"] if r.get("state") == "unattached"]
    assert [(r["resource_type"], r["size_gib"]) for r in loose] == [("aws.ebs-volume", 200)]
    plan = tmp_path / "plan.yaml"
    got = runner.invoke(
        app,
        ["--config", str(config), "optimize", "--source", str(out), "-o", str(plan), "-f", "json"],
    )
    assert got.exit_code == 0, got.stderr
    planned = yaml.safe_load(plan.read_text())
    assert planned["kind"] == "Plan"
    # three m5.2xlarge at ~10% CPU: the plan must cost less than they do now
    assert float(planned["summary"]["planned_monthly_cost"]) < float(
        planned["summary"]["current_monthly_cost"]
    )


def test_a_failed_region_exits_4_unless_partial_is_allowed(aws, tmp_path):
    price_everything(aws, ["us-east-1"])
    kept = run(aws.client("ec2"), "m5.large", 2)
    aws.stubs.faults.append(
        lambda c: (
            (403, "UnauthorizedOperation")
            if c.service == "ec2" and c.region == "eu-west-1"
            else None
        )
    )
    config = tmp_path / "lepton.yaml"
    config.write_text(
        f"cache_dir: {tmp_path / 'c'}\nhistory: false\naws:\n  regions: [us-east-1, eu-west-1]\n"
    )
    out = tmp_path / "scan.yaml"
    args = ["--config", str(config), "scan", "--provider", "aws", "--no-costs", "--days", "1"]
    got = runner.invoke(app, args)
    assert got.exit_code == 4 and "eu-west-1" in got.stderr, got.stderr
    got = runner.invoke(app, [*args, "--allow-partial", "-o", str(out)])
    assert got.exit_code == 0, got.stderr
    assert "eu-west-1" in got.stderr  # still reported, as a warning
    doc = yaml.safe_load(out.read_text())
    delivered = [r for r in doc["resources"] if r["resource_type"] == "aws.ec2-instance"]
    assert sorted(r["id"] for r in delivered) == sorted(kept)
    assert {r["region"] for r in delivered} == {"us-east-1"}


def test_catalog_refresh_lays_live_prices_over_the_snapshot(aws, tmp_path):
    import json
    from decimal import Decimal

    from aws_fake import compute_item

    config = tmp_path / "lepton.yaml"
    config.write_text(
        f"cache_dir: {tmp_path / 'c'}\naws:\n  regions: [us-east-1]\n  offering_families: [m5]\n"
    )
    aws.stubs.prices.append(compute_item("m5.large", "us-east-1", "0.0999000000", "0.0611000000"))
    got = runner.invoke(
        app, ["--config", str(config), "catalog", "refresh", "-p", "aws", "--region", "us-east-1"]
    )
    assert got.exit_code == 0, got.stderr
    listed = runner.invoke(
        app,
        ["--config", str(config), "catalog", "list", "-p", "aws", "--region", "us-east-1", "-f",
         "json"],
    )  # fmt: skip
    m5 = next(o for o in json.loads(listed.stdout)["offerings"] if o["type"] == "m5.large")
    assert Decimal(m5["prices"]["on-demand"]) == Decimal("0.0999")  # m5 is not in the snapshot
    assert Decimal(m5["prices"]["reserved"]) == Decimal("0.0611")
