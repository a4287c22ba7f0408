"""Calls grow with pages, not instances; GetMetricData carries up to 500 queries a call."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from estate import price_everything, run

from lepton_cli.providers.aws import AwsConfig, AwsProvider
from lepton_cli.providers.base import Scope


def scan_calls(aws, context):
    aws.stubs.calls.clear()
    provider = AwsProvider(AwsConfig(regions=["us-east-1"]), context)
    found = list(provider.inventory(Scope(days=1)))
    assert provider.failures == []
    return found, Counter((c.service, c.operation) for c in aws.stubs.calls)


def test_calls_do_not_grow_with_instances_and_metrics_are_batched(aws, context):
    price_everything(aws, ["us-east-1"])
    ec2 = aws.client("ec2")
    few = run(ec2, "m5.large", 3)
    _, small = scan_calls(aws, context)
    many = few + run(ec2, "m5.large", 257) + run(ec2, "m5.xlarge", 40)  # 300 instances
    # the CloudWatch agent runs on 260 of them
    now = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    data = [
        {
            "MetricName": "mem_used_percent",
            "Value": 50.0,
            "Unit": "Percent",
            "Timestamp": now,
            "Dimensions": [{"Name": "InstanceId", "Value": iid}],
        }
        for iid in many[:260]
    ]
    aws.client("cloudwatch").put_metric_data(Namespace="CWAgent", MetricData=data)
    found, large = scan_calls(aws, context)
    assert sum(r.resource_type == "aws.ec2-instance" for r in found) == 300
    # 300 CPU + 260 memory queries = 560 -> two GetMetricData calls, one ListMetrics page
    assert large["monitoring", "GetMetricData"] == 2 and small["monitoring", "GetMetricData"] == 1
    assert large["monitoring", "ListMetrics"] == 1
    same = {k: v for k, v in large.items() if k != ("monitoring", "GetMetricData")}
    grown = {k for k in same if same[k] != small.get(k)}
    # only the Pricing pages grow (one more type to price); nothing is per instance
    assert grown <= {("pricing", "GetProducts")}
    assert large["ec2", "DescribeInstances"] == 1
