"""Cost Explorer: records, the on-disk cache (each call costs $0.01), resource-level mode."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import requests

from lepton_cli.models import Period
from lepton_cli.providers.aws import AwsConfig, AwsProvider
from lepton_cli.providers.aws.costs import EC2_COMPUTE
from lepton_cli.providers.base import ProviderContext

ACCOUNT = "123456789012"


def _group(keys, unblended, amortized):
    return {
        "Keys": keys,
        "Metrics": {
            "UnblendedCost": {"Amount": unblended, "Unit": "USD"},
            "AmortizedCost": {"Amount": amortized, "Unit": "USD"},
            "UsageQuantity": {"Amount": "10", "Unit": "N/A"},
        },
    }


def _day(start, groups):
    end = (dt.date.fromisoformat(start) + dt.timedelta(days=1)).isoformat()
    return {
        "TimePeriod": {"Start": start, "End": end},
        "Total": {},
        "Groups": groups,
        "Estimated": False,
    }


def queue(aws, *days):
    body = {"results": [{"ResultsByTime": list(days), "DimensionValueAttributes": []}]}
    r = requests.post(
        f"{aws.moto_url}/moto-api/static/ce/cost-and-usage-results", json=body, timeout=10
    )
    assert r.status_code == 201


def test_costs_are_focus_records(aws, context):
    queue(
        aws,
        _day(
            "2026-10-01",
            [
                _group([EC2_COMPUTE, "us-east-1"], "12.50", "10.00"),
                _group(["Tax", "NoRegion"], "1.25", "1.25"),
            ],
        ),
    )
    provider = AwsProvider(AwsConfig(), context)
    rows = list(provider.costs(Period.month("2026-10")))
    assert provider.failures == []
    ec2, tax = rows
    assert (ec2.provider_name, ec2.sub_account_id, ec2.service_name, ec2.region_id) == (
        "AWS",
        ACCOUNT,
        EC2_COMPUTE,
        "us-east-1",
    )
    assert (ec2.billed_cost, ec2.effective_cost, ec2.billing_currency) == (
        Decimal("12.50"),
        Decimal("10.00"),
        "USD",
    )
    assert ec2.charge_period_start == dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    assert ec2.billing_period_start == dt.date(2026, 10, 1)
    assert tax.region_id is None and tax.billed_cost == Decimal("1.25")
    (call,) = [c for c in aws.stubs.calls if c.service == "ce"]
    assert call.operation == "GetCostAndUsage" and b'"LINKED_ACCOUNT"' in call.body


def test_second_run_is_served_from_disk(aws, context):
    queue(aws, _day("2026-09-01", [_group([EC2_COMPUTE, "us-east-1"], "3.00", "3.00")]))
    month = Period.month("2026-09")
    first = list(AwsProvider(AwsConfig(), context).costs(month))
    assert aws.stubs.count("ce") == 1
    second = list(AwsProvider(AwsConfig(), context).costs(month))
    assert aws.stubs.count("ce") == 1  # no new Cost Explorer call
    assert second == first and first[0].billed_cost == Decimal("3.00")


def test_no_cache_and_expired_cache_call_again(aws, tmp_path):
    month = Period.month("2026-08")
    stale = ProviderContext(cache_dir=tmp_path, cache_ttl_seconds=0)
    list(AwsProvider(AwsConfig(), stale).costs(month))
    list(AwsProvider(AwsConfig(), stale).costs(month))
    assert aws.stubs.count("ce") == 2
    bypass = ProviderContext(cache_dir=tmp_path, use_cache=False)
    list(AwsProvider(AwsConfig(), bypass).costs(month))
    assert aws.stubs.count("ce") == 3
    assert list((tmp_path / "aws" / "ce").glob("*.json"))


def test_resource_level_costs_replace_service_rows_not_add_to_them(aws, context):
    today = dt.date.today()
    first = today.replace(day=1)
    month = Period(start=first, end=(first + dt.timedelta(days=32)).replace(day=1))
    queue(
        aws,
        _day(
            today.isoformat(),
            [
                _group([EC2_COMPUTE, "us-east-1"], "5.00", "5.00"),
                _group(["Amazon S3", "us-east-1"], "1.00", "1.00"),
            ],
        ),
    )
    aws.stubs.ce_resources = {
        "ResultsByTime": [
            _day(
                today.isoformat(),
                [_group(["i-0aaa"], "3.00", "3.00"), _group(["i-0bbb"], "2.00", "2.00")],
            )
        ]
    }
    rows = list(AwsProvider(AwsConfig(cost_by_resource=True), context).costs(month))
    by_resource = {r.resource_id: r.billed_cost for r in rows if r.resource_id}
    assert by_resource == {"i-0aaa": Decimal("3.00"), "i-0bbb": Decimal("2.00")}
    assert sum(r.billed_cost for r in rows) == Decimal("6.00")  # EC2 counted once
    assert aws.stubs.count("ce", "GetCostAndUsageWithResources") == 1
