"""Architecture, accelerators and platforms, read for real: moto's DescribeInstanceTypes and
DescribeInstances (a Windows AMI) plus the stubbed Pricing API, through real boto3 clients."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from aws_fake import Aws, compute_item
from estate import price_everything, run
from typer.testing import CliRunner

from lepton_cli.cli.app import app
from lepton_cli.models.resource import Pricing
from lepton_cli.providers.aws import AwsConfig, AwsProvider
from lepton_cli.providers.aws.prices import PLATFORMS, parse_type, platform_of
from lepton_cli.providers.base import ProviderContext, Scope

# This suite's own numbers, shaped like the Pricing API's answers.
WINDOWS = {"m5.large": ("0.1880000000", "0.1400000000"), "g5.xlarge": ("1.1900000000", None)}
LINUX = {"g5.xlarge": ("1.0060000000", "0.6340000000"), "m7g.large": ("0.0816000000", None)}


def windows_ami(ec2: object) -> str:
    images = ec2.describe_images(Owners=["amazon"])["Images"]  # type: ignore[attr-defined]
    return next(i["ImageId"] for i in images if i.get("Platform") == "windows")


def price_platforms(aws: Aws, region: str = "us-east-1") -> None:
    price_everything(aws, [region])
    for type_, (od, ri) in LINUX.items():
        aws.stubs.prices.append(compute_item(type_, region, od, ri))
    for type_, (od, ri) in WINDOWS.items():
        aws.stubs.prices.append(compute_item(type_, region, od, ri, "Windows"))
    # a BYOL Windows product for the same type must not be taken for the licensed one
    aws.stubs.prices.append(
        compute_item("m5.large", region, "0.0960000000", None, "Windows", "Bring your own license")
    )


@pytest.fixture(scope="module")
def fleet(aws_module: Aws) -> dict[str, str]:
    aws = aws_module
    price_platforms(aws)
    ec2 = aws.client("ec2")
    gpu = run(ec2, "g5.xlarge", tags={"workload": "inference"})[0]
    graviton = run(ec2, "m7g.large")[0]
    linux = run(ec2, "m5.large")[0]
    windows = ec2.run_instances(
        ImageId=windows_ami(ec2), MinCount=1, MaxCount=1, InstanceType="m5.large"
    )["Instances"][0]["InstanceId"]
    return {"gpu": gpu, "graviton": graviton, "linux": linux, "windows": windows}


@pytest.fixture(scope="module")
def scanned(fleet: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    context = ProviderContext(cache_dir=tmp_path_factory.mktemp("cache"), max_workers=2)
    provider = AwsProvider(AwsConfig(regions=["us-east-1"]), context)
    found = {r.id: r for r in provider.inventory(Scope(regions=("us-east-1",)))}
    assert provider.failures == []
    return found


def test_a_g5_instance_reads_its_gpu(fleet, scanned):
    g5 = scanned[fleet["gpu"]]
    assert (g5.type, g5.gpus, g5.gpu_model, g5.arch, g5.platform) == (
        "g5.xlarge",
        1,
        "A10G",
        "x86_64",
        "linux",
    )
    assert g5.hourly_cost == Decimal("1.006")


def test_a_graviton_instance_reads_arm64(fleet, scanned):
    graviton = scanned[fleet["graviton"]]
    assert (graviton.arch, graviton.gpus, graviton.gpu_model) == ("arm64", 0, None)
    assert graviton.hourly_cost == Decimal("0.0816")


def test_a_windows_instance_is_priced_at_the_windows_rate(fleet, scanned):
    windows, linux = scanned[fleet["windows"]], scanned[fleet["linux"]]
    assert (windows.platform, linux.platform) == ("windows", "linux")
    assert windows.hourly_cost == Decimal("0.188")  # not the BYOL product, not Linux's 0.096
    assert linux.hourly_cost == Decimal("0.096")
    assert "lepton:platform" not in windows.tags


def test_windows_prices_are_asked_once_for_the_types_running_windows(aws_module, scanned):
    bodies = [json.loads(c.body) for c in aws_module.stubs.calls if c.service == "pricing"]
    windows = [
        b
        for b in bodies
        if {"Type": "TERM_MATCH", "Field": "operatingSystem", "Value": "Windows"} in b["Filters"]
    ]
    assert windows and all(
        {"Type": "ANY_OF", "Field": "instanceType", "Value": "m5.large"} in b["Filters"]
        and {"Type": "TERM_MATCH", "Field": "licenseModel", "Value": "No License required"}
        in b["Filters"]
        for b in windows
    )
    assert len({json.dumps(b, sort_keys=True) for b in windows}) == 1  # one query, paged


def test_platform_details_map_to_lepton_names():
    assert platform_of({"PlatformDetails": "Linux/UNIX"}).name == "linux"
    assert platform_of({"Platform": "windows"}).name == "windows"
    assert platform_of({"PlatformDetails": "Red Hat Enterprise Linux"}).operating_system == "RHEL"
    sql = platform_of({"PlatformDetails": "Windows with SQL Server Enterprise"})
    assert (sql.name, sql.operating_system, sql.software) == (
        "windows-sql-enterprise",
        "Windows",
        "SQL Ent",
    )
    assert platform_of({}) is PLATFORMS["Linux/UNIX"]
    assert platform_of({"PlatformDetails": "Some New OS"}).name == "some-new-os"


def test_describe_instance_types_shapes():
    p5 = {
        "InstanceType": "p5.48xlarge",
        "VCpuInfo": {"DefaultVCpus": 192},
        "MemoryInfo": {"SizeInMiB": 2097152},
        "ProcessorInfo": {"SupportedArchitectures": ["x86_64"]},
        "GpuInfo": {
            "Gpus": [
                {
                    "Name": "H100",
                    "Manufacturer": "NVIDIA",
                    "Count": 8,
                    "MemoryInfo": {"SizeInMiB": 81920},
                }
            ],
            "TotalGpuMemoryInMiB": 655360,
        },
    }
    spec = parse_type(p5)
    assert (spec.gpus, spec.gpu_model, spec.gpu_memory_gib, spec.memory_gib) == (
        8,
        "H100",
        80,
        2048,
    )
    t2 = dict(p5, ProcessorInfo={"SupportedArchitectures": ["i386", "x86_64"]}, GpuInfo=None)
    assert (parse_type(t2).arch, parse_type(t2).gpus, parse_type(t2).gpu_model) == (
        "x86_64",
        0,
        None,
    )
    mac = dict(t2, ProcessorInfo={"SupportedArchitectures": ["arm64_mac"]})
    assert parse_type(mac).arch == "arm64"


def test_offerings_carry_gpus_and_windows_prices(aws: Aws, tmp_path):
    price_platforms(aws)
    context = ProviderContext(cache_dir=tmp_path, max_workers=2)
    provider = AwsProvider(AwsConfig(offering_families=["g5", "m7g"]), context)
    offers = {(o.type, o.platform): o for o in provider.offerings(["us-east-1"])}
    assert provider.failures == []
    g5 = offers["g5.xlarge", "linux"]
    assert (g5.gpus, g5.gpu_model, g5.family, g5.arch) == (1, "A10G", "accelerated", "x86_64")
    assert g5.gpu_memory_gib == round(22888 / 1024, 2)  # what EC2 reports for the A10G
    assert g5.prices[Pricing.ON_DEMAND] == Decimal("1.006")
    assert g5.prices[Pricing.RESERVED] == Decimal("0.634")
    windows = offers["g5.xlarge", "windows"]
    assert windows.prices[Pricing.ON_DEMAND] == Decimal("1.19") and windows.gpus == 1
    assert offers["m7g.large", "linux"].arch == "arm64"
    assert ("m7g.large", "windows") not in offers  # no Windows on Graviton


def test_catalog_refresh_writes_platform_and_gpu_fields(aws: Aws, tmp_path):
    price_platforms(aws)
    config = tmp_path / "lepton.yaml"
    config.write_text(
        f"cache_dir: {tmp_path / 'c'}\naws:\n  regions: [us-east-1]\n  offering_families: [g5]\n"
    )
    runner = CliRunner()
    got = runner.invoke(
        app, ["--config", str(config), "catalog", "refresh", "-p", "aws", "--region", "us-east-1"]
    )
    assert got.exit_code == 0, got.stderr
    listed = runner.invoke(
        app,
        ["--config", str(config), "catalog", "list", "-p", "aws", "--region", "us-east-1",
         "--gpu", "A10G", "-f", "json"],
    )  # fmt: skip
    rows = {(o["type"], o["platform"]): o for o in json.loads(listed.stdout)["offerings"]}
    linux, windows = rows["g5.xlarge", "linux"], rows["g5.xlarge", "windows"]
    assert Decimal(windows["prices"]["on-demand"]) == Decimal("1.19")
    assert Decimal(linux["prices"]["on-demand"]) == Decimal("1.006")
    assert (linux["gpus"], linux["gpu_model"]) == (1, "A10G")
    # the bundled g5 sizes the refresh did not price stay, with their bundled prices
    assert Decimal(rows["g5.2xlarge", "linux"]["prices"]["on-demand"]) == Decimal("1.212")
