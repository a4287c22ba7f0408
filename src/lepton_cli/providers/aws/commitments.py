"""Owned AWS commitments: reserved instances (EC2 DescribeReservedInstances, per region),
savings plans (DescribeSavingsPlans and their DescribeSavingsPlanRates) and what Cost Explorer
says they did over the window (GetReservationUtilization per reservation,
GetSavingsPlansUtilizationDetails per plan, GetReservationCoverage per type and region).

Each Cost Explorer request is billed ($0.01): three per account per run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lepton_cli.commitments.model import Commitment, CommitmentScope, Payment, Product, Usage
from lepton_cli.commitments.normalise import family
from lepton_cli.providers.aws.inventory import SDK_ERRORS, failure, scope_name
from lepton_cli.providers.aws.normalize import reservation_rate
from lepton_cli.providers.aws.session import GLOBAL_REGION, Account
from lepton_cli.providers.base import ScopeFailure

_PAYMENTS = {
    "no upfront": Payment.NO_UPFRONT,
    "partial upfront": Payment.PARTIAL_UPFRONT,
    "all upfront": Payment.ALL_UPFRONT,
}
_PLAN_TYPES = {
    "compute": Product.AWS_COMPUTE_SAVINGS_PLAN,
    "ec2instance": Product.AWS_EC2_INSTANCE_SAVINGS_PLAN,
}
SECONDS_PER_MONTH = 730 * 3600
RATE_FILTERS = [
    {"name": "productDescription", "values": ["Linux/UNIX"]},
    {"name": "tenancy", "values": ["shared"]},
]


@dataclass
class AwsCommitments:
    commitments: list[Commitment] = field(default_factory=list)
    usage: dict[str, Usage] = field(default_factory=dict)
    failures: list[ScopeFailure] = field(default_factory=list)


def payment(text: str | None) -> Payment:
    return _PAYMENTS.get((text or "").lower(), Payment.NO_UPFRONT)


def months(seconds: Any) -> int:
    return round(int(seconds or 0) / SECONDS_PER_MONTH)


def reserved_instance(raw: dict[str, Any], account: str, region: str) -> Commitment:
    """One RI. A regional Linux RI of default tenancy is size-flexible within its family."""
    count = int(raw.get("InstanceCount") or 1)
    rate = reservation_rate(raw)
    zone = raw.get("AvailabilityZone") if raw.get("Scope") == "Availability Zone" else None
    linux = (raw.get("ProductDescription") or "Linux/UNIX").startswith("Linux/UNIX")
    flexible = zone is None and linux and raw.get("InstanceTenancy", "default") == "default"
    return Commitment(
        id=raw["ReservedInstancesId"],
        provider="aws",
        product=Product.AWS_RESERVED_INSTANCE,
        scope=CommitmentScope(
            account=account,
            region=region,
            zone=zone,
            family=family("aws", raw["InstanceType"]),
            type=raw["InstanceType"],
            platform=raw.get("ProductDescription"),
            size_flexible=flexible,
        ),
        term_months=months(raw.get("Duration")),
        payment=payment(raw.get("OfferingType")),
        start=raw.get("Start"),
        end=raw.get("End"),
        count=Decimal(count),
        unit="instances",
        upfront=Decimal(str(raw.get("FixedPrice") or 0)) * count,
        hourly_fee=rate * count,
        effective_rate=rate,
        currency=raw.get("CurrencyCode") or "USD",
        state=str(raw.get("State", "active")),
        source="ec2:DescribeReservedInstances",
    )


def _when(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def savings_plan(raw: dict[str, Any], account: str, rates: dict[str, Decimal]) -> Commitment:
    """One savings plan: ``commitment`` is its hourly spend, upfront already inside it."""
    kind = str(raw.get("savingsPlanType", "Compute")).lower()
    commitment = Decimal(str(raw.get("commitment") or 0))
    return Commitment(
        id=raw["savingsPlanId"],
        provider="aws",
        product=_PLAN_TYPES.get(kind, Product.OTHER),
        name=raw.get("description"),
        scope=CommitmentScope(
            account=account, region=raw.get("region") or None, family=raw.get("ec2InstanceFamily")
        ),
        term_months=months(raw.get("termDurationInSeconds")),
        payment=payment(raw.get("paymentOption")),
        start=_when(raw.get("start")),
        end=_when(raw.get("end")),
        hourly_commitment=commitment,
        unit="USD/hour",
        upfront=Decimal(str(raw.get("upfrontPaymentAmount") or 0)),
        hourly_fee=commitment,
        currency=raw.get("currency") or "USD",
        state=str(raw.get("state", "active")),
        rates=rates,
        source="savingsplans:DescribeSavingsPlans",
    )


def _paged(call: Any, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    token: str | None = None
    while True:
        page = call(**kwargs, **({"nextToken": token} if token else {}))
        yield from page.get(key) or []
        token = page.get("nextToken")
        if not token:
            return


def plan_rates(sp: Any, plan_id: str) -> dict[str, Decimal]:
    """``region/instanceType`` -> the plan's hourly rate (Linux, shared tenancy)."""
    out: dict[str, Decimal] = {}
    for r in _paged(
        sp.describe_savings_plan_rates,
        "searchResults",
        savingsPlanId=plan_id,
        filters=RATE_FILTERS,
    ):
        props = {p["name"]: p["value"] for p in r.get("properties") or []}
        if "instanceType" in props:
            out[f"{props.get('region', '')}/{props['instanceType']}"] = Decimal(str(r["rate"]))
    return out


def read(account: Account, regions: list[str], window: tuple[dt.date, dt.date]) -> AwsCommitments:
    """Every active commitment of ``account`` and, from Cost Explorer, what it did in
    ``window``; a failing region or API is a failed scope, the rest is kept."""
    out = AwsCommitments()
    for region in regions:
        _reserved(account, region, out)
    _plans(account, out)
    if out.commitments:
        _utilisation(account, window, out)
    return out


def _reserved(account: Account, region: str, out: AwsCommitments) -> None:
    active = [{"Name": "state", "Values": ["active"]}]
    try:
        got = account.client("ec2", region).describe_reserved_instances(Filters=active)
    except SDK_ERRORS as e:
        out.failures.append(failure(e, scope_name(account.id, region, "reserved instances")))
        return
    out.commitments += [
        reserved_instance(r, account.id, region) for r in got.get("ReservedInstances", [])
    ]


def _plans(account: Account, out: AwsCommitments) -> None:
    try:
        sp = account.client("savingsplans", GLOBAL_REGION)
        plans = list(_paged(sp.describe_savings_plans, "savingsPlans", states=["active"]))
        out.commitments += [
            savings_plan(p, account.id, plan_rates(sp, p["savingsPlanId"])) for p in plans
        ]
    except SDK_ERRORS as e:
        out.failures.append(failure(e, scope_name(account.id, None, "savings plans")))


def _utilisation(account: Account, window: tuple[dt.date, dt.date], out: AwsCommitments) -> None:
    period = {"Start": window[0].isoformat(), "End": window[1].isoformat()}
    hours = Decimal((window[1] - window[0]).days * 24)
    try:
        ce = account.client("ce", GLOBAL_REGION)
        ris = [c for c in out.commitments if c.product is Product.AWS_RESERVED_INSTANCE]
        if ris:
            coverage = _coverage(ce, period)
            _ri_usage(ce, period, ris, coverage, out)
        if any(c.product is not Product.AWS_RESERVED_INSTANCE for c in out.commitments):
            _plan_usage(ce, period, hours, out)
    except SDK_ERRORS as e:
        out.failures.append(failure(e, scope_name(account.id, None, "cost explorer")))


def _coverage(ce: Any, period: dict[str, str]) -> dict[tuple[str, str], Decimal]:
    """Running hours per (region, instance type), covered or not (GetReservationCoverage)."""
    got = ce.get_reservation_coverage(
        TimePeriod=period,
        GroupBy=[
            {"Type": "DIMENSION", "Key": "REGION"},
            {"Type": "DIMENSION", "Key": "INSTANCE_TYPE"},
        ],
    )
    out: dict[tuple[str, str], Decimal] = {}
    for slot in got.get("CoveragesByTime") or []:
        for g in slot.get("Groups") or []:
            attrs = g.get("Attributes") or {}
            key = (attrs.get("region", ""), attrs.get("instanceType", ""))
            running = g["Coverage"]["CoverageHours"].get("TotalRunningHours") or "0"
            out[key] = out.get(key, Decimal(0)) + Decimal(running)
    return out


def _ri_usage(
    ce: Any,
    period: dict[str, str],
    ris: list[Commitment],
    coverage: dict[tuple[str, str], Decimal],
    out: AwsCommitments,
) -> None:
    got = ce.get_reservation_utilization(
        TimePeriod=period, GroupBy=[{"Type": "DIMENSION", "Key": "SUBSCRIPTION_ID"}]
    )
    by_id = {c.id: c for c in ris}
    for slot in got.get("UtilizationsByTime") or []:
        for g in slot.get("Groups") or []:
            lease = (g.get("Attributes") or {}).get("leaseId") or g.get("Value")
            if lease in by_id:
                c = by_id[lease]
                key = (c.scope.region or "", c.scope.type or "")
                out.usage[lease] = _ri_figures(lease, g["Utilization"], coverage.get(key))


def _ri_figures(lease: str, u: dict[str, str], eligible: Decimal | None) -> Usage:
    purchased = Decimal(u.get("PurchasedHours") or "0")
    unused_hours = Decimal(u.get("UnusedHours") or "0")
    fee = Decimal(u.get("TotalAmortizedFee") or "0")
    unused = fee * unused_hours / purchased if purchased else Decimal(0)
    return Usage(
        commitment_id=lease,
        hours=purchased,
        used_cost=fee - unused,
        unused_cost=unused,
        utilization=float(Decimal(u.get("UtilizationPercentage") or "0") / 100),
        covered_quantity=Decimal(u.get("TotalActualHours") or "0"),
        eligible_quantity=eligible,
        eligible_unit="Hours",
    )


def _plan_usage(ce: Any, period: dict[str, str], hours: Decimal, out: AwsCommitments) -> None:
    details = _paged_ce(ce, period)
    ids = {c.id for c in out.commitments}
    for d in details:
        plan_id = str(d.get("SavingsPlanArn", "")).rsplit("/", 1)[-1]
        if plan_id not in ids:
            continue
        u = d.get("Utilization") or {}
        out.usage[plan_id] = Usage(
            commitment_id=plan_id,
            hours=hours,
            used_cost=Decimal(u.get("UsedCommitment") or "0"),
            unused_cost=Decimal(u.get("UnusedCommitment") or "0"),
            utilization=float(Decimal(u.get("UtilizationPercentage") or "0") / 100),
        )


def _paged_ce(ce: Any, period: dict[str, str]) -> Iterator[dict[str, Any]]:
    token: str | None = None
    while True:
        extra = {"NextToken": token} if token else {}
        page = ce.get_savings_plans_utilization_details(TimePeriod=period, **extra)
        yield from page.get("SavingsPlansUtilizationDetails") or []
        token = page.get("NextToken")
        if not token:
            return


EC2_COMPUTE = "Amazon Elastic Compute Cloud - Compute"
HOURLY_DAYS = 14  # Cost Explorer keeps hourly granularity for the last 14 days


def hourly_on_demand(
    account: Account, days: int, end: dt.datetime
) -> list[tuple[str, str, dt.datetime, Decimal]]:
    """(region, instance type, hour, on-demand cost) from Cost Explorer's hourly
    GetCostAndUsage: EC2 compute bought on demand, so owned RIs and plans are already applied."""
    start = end - dt.timedelta(days=days)
    ce = account.client("ce", GLOBAL_REGION)
    request: dict[str, Any] = {
        "TimePeriod": {"Start": _stamp(start), "End": _stamp(end)},
        "Granularity": "HOURLY",
        "Metrics": ["UnblendedCost"],
        "GroupBy": [
            {"Type": "DIMENSION", "Key": "REGION"},
            {"Type": "DIMENSION", "Key": "INSTANCE_TYPE"},
        ],
        "Filter": {
            "And": [
                {"Dimensions": {"Key": "SERVICE", "Values": [EC2_COMPUTE]}},
                {"Dimensions": {"Key": "PURCHASE_TYPE", "Values": ["On Demand Instances"]}},
            ]
        },
    }
    rows: list[tuple[str, str, dt.datetime, Decimal]] = []
    token: str | None = None
    while True:
        page = ce.get_cost_and_usage(**request, **({"NextPageToken": token} if token else {}))
        for slot in page.get("ResultsByTime") or []:
            hour = _when(slot["TimePeriod"]["Start"])
            for g in slot.get("Groups") or []:
                region, type_ = (g.get("Keys") or ["", ""])[:2]
                amount = Decimal(g["Metrics"]["UnblendedCost"]["Amount"])
                if hour is not None and amount > 0:
                    rows.append((region, type_, hour, amount))
        token = page.get("NextPageToken")
        if not token:
            return rows


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
