"""Helpers that build a small estate in moto with real boto3 calls."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aws_fake import Aws, compute_item, storage_item

PRICES = {
    "m5.large": ("0.0960000000", "0.0600000000"),
    "t3.micro": ("0.0104000000", None),
    "m5.xlarge": ("0.1920000000", "0.1200000000"),
    "m5.2xlarge": ("0.3840000000", None),
}


_AMIS: dict[str, str] = {}


def ami(ec2: Any) -> str:
    """A Linux AMI (moto's catalogue is fixed, and slow to list: looked up once a region)."""
    region = ec2.meta.region_name
    if region not in _AMIS:
        images = ec2.describe_images(Owners=["amazon"])["Images"]
        _AMIS[region] = next(i["ImageId"] for i in images if i.get("Platform") != "windows")
    return _AMIS[region]


def run(
    ec2: Any, type_: str, count: int = 1, tags: dict[str, str] | None = None, spot: bool = False
) -> list[str]:
    extra: dict[str, Any] = {}
    if tags:
        extra["TagSpecifications"] = [
            {"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    if spot:
        extra["InstanceMarketOptions"] = {"MarketType": "spot"}
    got = ec2.run_instances(
        ImageId=ami(ec2), MinCount=count, MaxCount=count, InstanceType=type_, **extra
    )
    return [i["InstanceId"] for i in got["Instances"]]


def cpu(
    aws: Aws,
    region: str,
    instance_id: str,
    values: list[float],
    namespace: str = "AWS/EC2",
    name: str = "CPUUtilization",
    dims: list[dict[str, str]] | None = None,
) -> None:
    """One datapoint an hour, newest last, ending an hour ago."""
    cw = aws.client("cloudwatch", region)
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    dims = dims or [{"Name": "InstanceId", "Value": instance_id}]
    data = [
        {
            "MetricName": name,
            "Dimensions": dims,
            "Unit": "Percent",
            "Value": v,
            "Timestamp": now - dt.timedelta(hours=len(values) - k),
        }
        for k, v in enumerate(values)
    ]
    for start in range(0, len(data), 500):
        cw.put_metric_data(Namespace=namespace, MetricData=data[start : start + 500])


def price_everything(aws: Aws, regions: list[str]) -> None:
    for region in regions:
        for type_, (od, ri) in PRICES.items():
            aws.stubs.prices.append(compute_item(type_, region, od, ri))
        aws.stubs.prices.append(storage_item(region, "gp3", "0.0800000000"))
        aws.stubs.prices.append(storage_item(region, "gp2", "0.1000000000"))
        aws.stubs.prices.append(storage_item(region, None, "0.0500000000"))
