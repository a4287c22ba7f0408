"""AWS commitments read with boto3 over HTTP: moto for STS and regions, the front server for
reserved instances, savings plans (and their rates) and Cost Explorer's utilisation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from aws_commitments_fake import OfflineAws

from lepton_cli.commitments.model import Payment, Product
from lepton_cli.commitments.sources import from_provider
from lepton_cli.commitments.status import status
from lepton_cli.providers.aws import AwsConfig, AwsProvider
from lepton_cli.providers.base import ProviderContext

TODAY = dt.date(2026, 11, 30)
RI = {
    "reservedInstancesId": "ri-1",
    "instanceType": "m6i.xlarge",
    "start": "2026-01-15T00:00:00.000Z",
    "end": "2027-01-15T00:00:00.000Z",
    "duration": "31536000",
    "usagePrice": "0.0",
    "fixedPrice": "0.0",
    "instanceCount": "4",
    "productDescription": "Linux/UNIX",
    "state": "active",
    "instanceTenancy": "default",
    "currencyCode": "USD",
    "offeringType": "No Upfront",
    "offeringClass": "standard",
    "scope": "Region",
    "hourly": "0.121",
}
PLAN = {
    "savingsPlanId": "sp-1",
    "savingsPlanArn": "arn:aws:savingsplans::111122223333:savingsplan/sp-1",
    "description": "compute 1y",
    "start": "2025-12-10T00:00:00Z",
    "end": "2026-12-10T00:00:00Z",
    "state": "active",
    "savingsPlanType": "Compute",
    "paymentOption": "Partial Upfront",
    "currency": "USD",
    "commitment": "2.5",
    "upfrontPaymentAmount": "10950",
    "recurringPaymentAmount": "1.25",
    "termDurationInSeconds": 31536000,
}


def rate(region: str, type_: str, value: str) -> dict[str, object]:
    props = [
        {"name": "region", "value": region},
        {"name": "instanceType", "value": type_},
        {"name": "productDescription", "value": "Linux/UNIX"},
        {"name": "tenancy", "value": "shared"},
    ]
    return {
        "rate": value,
        "currency": "USD",
        "unit": "Hrs",
        "productType": "EC2",
        "serviceCode": "AmazonEC2",
        "properties": props,
    }


def provider(tmp_path: Path) -> AwsProvider:
    ctx = ProviderContext(cache_dir=tmp_path / "cache", max_workers=2)
    return AwsProvider(AwsConfig(regions=["us-east-1", "eu-west-1"]), ctx)


def estate(aws: OfflineAws) -> None:
    aws.state.reserved = {"us-east-1": [RI]}
    aws.state.plans = [PLAN]
    aws.state.rates = {
        "sp-1": [rate("us-east-1", "m6i.xlarge", "0.139"), rate("eu-west-1", "m6i.xlarge", "0.155")]
    }
    # 4 instances x 720 h purchased, 648 h unused; fee 4 x 0.121 x 720 = 348.48
    aws.state.ri_utilisation = {
        "UtilizationsByTime": [
            {
                "TimePeriod": {"Start": "2026-10-31", "End": "2026-11-30"},
                "Groups": [
                    {
                        "Key": "SUBSCRIPTION_ID",
                        "Value": "sub-9",
                        "Attributes": {"leaseId": "ri-1", "region": "us-east-1"},
                        "Utilization": {
                            "UtilizationPercentage": "77.5",
                            "PurchasedHours": "2880",
                            "TotalActualHours": "2232",
                            "UnusedHours": "648",
                            "TotalAmortizedFee": "348.48",
                        },
                    }
                ],
            }
        ],
        "Total": {},
    }
    aws.state.ri_coverage = {
        "CoveragesByTime": [
            {
                "TimePeriod": {"Start": "2026-10-31", "End": "2026-11-30"},
                "Groups": [
                    {
                        "Attributes": {"region": "us-east-1", "instanceType": "m6i.xlarge"},
                        "Coverage": {
                            "CoverageHours": {
                                "OnDemandHours": "648",
                                "ReservedHours": "2232",
                                "TotalRunningHours": "2880",
                                "CoverageHoursPercentage": "77.5",
                            }
                        },
                    }
                ],
            }
        ]
    }
    aws.state.sp_utilisation = {
        "SavingsPlansUtilizationDetails": [
            {
                "SavingsPlanArn": PLAN["savingsPlanArn"],
                "Utilization": {
                    "TotalCommitment": "1800",
                    "UsedCommitment": "1620",
                    "UnusedCommitment": "180",
                    "UtilizationPercentage": "90",
                },
            }
        ],
        "TimePeriod": {"Start": "2026-10-31", "End": "2026-11-30"},
    }


def test_reads_reservations_plans_rates_and_utilisation(
    offline_aws: OfflineAws, tmp_path: Path
) -> None:
    estate(offline_aws)
    owned = from_provider(provider(tmp_path), 30, TODAY)
    assert owned.failures == []
    by_id = {c.id: c for c in owned.commitments}
    ri, sp = by_id["ri-1"], by_id["sp-1"]
    assert (ri.product, ri.count, ri.term_months, ri.payment) == (
        Product.AWS_RESERVED_INSTANCE,
        4,
        12,
        Payment.NO_UPFRONT,
    )
    assert ri.scope.size_flexible and ri.scope.family == "m6i" and ri.scope.region == "us-east-1"
    assert ri.hourly_fee == Decimal("0.121") * 4
    assert (sp.product, sp.hourly_commitment, sp.upfront, sp.payment) == (
        Product.AWS_COMPUTE_SAVINGS_PLAN,
        Decimal("2.5"),
        Decimal("10950"),
        Payment.PARTIAL_UPFRONT,
    )
    # both pages of rates were read
    assert sp.rates == {
        "us-east-1/m6i.xlarge": Decimal("0.139"),
        "eu-west-1/m6i.xlarge": Decimal("0.155"),
    }
    now = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    rows = {s.commitment.id: s for s in status(owned.commitments, owned.usage, now)}
    # RI: 648 of 2880 hours unused -> 348.48 x 648 / 2880 = 78.408 unused; coverage 2232 / 2880
    assert rows["ri-1"].utilization == 0.775
    assert rows["ri-1"].unused_cost == Decimal("348.48") * 648 / 2880
    assert rows["ri-1"].coverage == 2232 / 2880
    # SP: 180 of 1800 unused over 30 days (720 h): 180 / 720 x 730 a month
    assert rows["sp-1"].utilization == 0.9 and rows["sp-1"].unused_cost == Decimal("180")
    assert rows["sp-1"].monthly_unused_cost == Decimal(180) / 720 * 730
    # the plan ends 2026-12-10: within 30 days; the RI on 2027-01-15: within 60
    assert (rows["sp-1"].expiry, rows["ri-1"].expiry) == (30, 60)


def test_cost_explorer_asked_for_the_window(offline_aws: OfflineAws, tmp_path: Path) -> None:
    estate(offline_aws)
    from_provider(provider(tmp_path), 30, TODAY)
    ops = [(s, op) for s, _, op in offline_aws.state.calls]
    assert ops.count(("ec2", "DescribeReservedInstances")) == 2  # one per region
    assert ("ce", "GetReservationUtilization") in ops and ("ce", "GetReservationCoverage") in ops
    assert ops.count(("savingsplans", "DescribeSavingsPlanRates")) == 2  # paged


def test_a_denied_api_is_a_failed_scope_not_a_crash(
    offline_aws: OfflineAws, tmp_path: Path
) -> None:
    estate(offline_aws)
    offline_aws.state.ri_utilisation = {}
    offline_aws.state.plans = [dict(PLAN, savingsPlanId="sp-2")]
    offline_aws.state.rates = {}
    # CE answers, but a window whose start is not before its end is rejected by the service
    owned = from_provider(provider(tmp_path), 0, TODAY)
    assert [c.id for c in owned.commitments] == ["ri-1", "sp-2"]
    [failure] = owned.failures
    assert "cost explorer" in failure.scope and "ValidationException" in failure.message
