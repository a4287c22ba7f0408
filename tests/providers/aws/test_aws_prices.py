"""Offerings (families in use and their neighbours), parsers against real API samples, config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from estate import price_everything
from pydantic import ValidationError

from lepton_cli.models.resource import Pricing
from lepton_cli.providers.aws import AwsConfig, AwsProvider
from lepton_cli.providers.aws.prices import RegionPrices, parse_compute_item, parse_type


def test_offerings_price_every_size_of_the_families(aws, context):
    price_everything(aws, ["us-east-1"])
    provider = AwsProvider(AwsConfig(offering_families=["m5"]), context)
    offers = {o.type: o for o in provider.offerings(["us-east-1"])}
    assert provider.failures == []
    # every m5 size the price source knows, specs from DescribeInstanceTypes
    assert set(offers) == {"m5.large", "m5.xlarge", "m5.2xlarge"}
    large = offers["m5.large"]
    assert (large.provider, large.region, large.vcpus, large.memory_gib, large.arch) == (
        "aws",
        "us-east-1",
        2,
        8,
        "x86_64",
    )
    assert large.prices == {
        Pricing.ON_DEMAND: Decimal("0.096"),
        Pricing.RESERVED: Decimal("0.06"),
        Pricing.SPOT: Decimal("0.00001"),
    }
    assert Pricing.RESERVED not in offers["m5.2xlarge"].prices
    (products,) = {c.operation for c in aws.stubs.calls if c.service == "pricing"}
    body = json.loads(next(c.body for c in aws.stubs.calls if c.service == "pricing"))
    assert (
        products == "GetProducts"
        and {"Type": "TERM_MATCH", "Field": "operatingSystem", "Value": "Linux"} in body["Filters"]
    )


@pytest.fixture
def corpus() -> Path:
    folder = os.environ.get("LEPTON_CORPUS")
    if not folder:
        pytest.skip("LEPTON_CORPUS is not set")
    return Path(folder) / "api-samples" / "aws"


def test_real_price_list_item(corpus):
    item = json.loads((corpus / "pricing_getproducts_pricelist_item_m5_large.json").read_text())
    assert parse_compute_item(item) == ("m5.large", Decimal("0.096"), Decimal("0.06"))


def test_real_instance_types(corpus):
    page = json.loads((corpus / "ec2_describe_instance_types_25_instances.json").read_text())
    specs = {t.name: t for t in map(parse_type, page["InstanceTypes"])}
    assert len(specs) == 25
    a1 = specs["a1.2xlarge"]
    assert (a1.vcpus, a1.memory_gib, a1.arch) == (8, 16, "arm64")
    # i386 + x86_64 is an x86_64 type (once read as "i386"); none of these has a GPU
    assert specs["c1.medium"].arch == specs["c3.large"].arch == "x86_64"
    assert {t.arch for t in specs.values()} == {"arm64", "x86_64"}
    assert all(t.gpus == 0 and t.gpu_model is None for t in specs.values())


def test_real_spot_history_keeps_the_newest_price_per_zone(corpus):
    from lepton_cli.providers.aws.prices import spot_prices

    page = json.loads((corpus / "ec2_describe_spot_price_history_m5_large.json").read_text())

    class Pages:
        def get_paginator(self, _):
            return self

        def paginate(self, **_):
            return [page]

    prices = RegionPrices()
    spot_prices(Pages(), ["m5.large"], prices)
    assert prices.spot["m5.large", "us-east-1f"] == Decimal("0.0437")  # 2021-02-09T01:40
    assert len({z for _, z in prices.spot}) == 5


def test_real_cost_explorer_answer(corpus):
    from lepton_cli.providers.aws.costs import records

    page = json.loads((corpus / "ce_get_cost_and_usage_cli_example_output.json").read_text())
    rows = list(records([page], "123456789012", ("service_name", "tag")))
    assert [r.billed_cost for r in rows] == [Decimal("40.3543773134"), Decimal("0.2682364644")]


def test_config_is_strict_and_explains_itself():
    with pytest.raises(ValidationError, match="12-digit"):
        AwsConfig(accounts=["12345"], role_arn="arn:aws:iam::{account}:role/r")
    with pytest.raises(ValidationError, match="placeholder"):
        AwsConfig(accounts=["123456789012"], role_arn="arn:aws:iam::123456789012:role/r")
    with pytest.raises(ValidationError):
        AwsConfig(regoins=["us-east-1"])
    with pytest.raises(ValidationError, match="DAILY"):
        AwsConfig(cost_by_resource=True, cost_granularity="MONTHLY")


def test_importing_the_provider_loads_no_boto3():
    code = (
        "import sys; import lepton_cli.providers.aws as a; "
        "assert a.AwsProvider.name == 'aws'; print('boto3' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
