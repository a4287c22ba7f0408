"""Owned commitments and purchase recommendations, as frozen models.

A :class:`Commitment` is one reserved instance, savings plan, reservation or committed-use
discount, whichever provider or billing export it was read from. Money is ``Decimal`` and
hourly; months are 730 hours (``models.money.HOURS_PER_MONTH``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from lepton_cli.models.base import Model


class Product(StrEnum):
    """Every commitment product of the three clouds (and one for a FOCUS row we cannot name)."""

    AWS_RESERVED_INSTANCE = "aws.reserved-instance"
    AWS_EC2_INSTANCE_SAVINGS_PLAN = "aws.ec2-instance-savings-plan"
    AWS_COMPUTE_SAVINGS_PLAN = "aws.compute-savings-plan"
    AZURE_RESERVATION = "azure.reservation"
    AZURE_SAVINGS_PLAN = "azure.savings-plan"
    GCP_RESOURCE_CUD = "gcp.resource-cud"
    GCP_FLEXIBLE_CUD = "gcp.flexible-cud"
    OTHER = "other"

    @property
    def provider(self) -> str:
        return self.value.split(".", 1)[0] if self is not Product.OTHER else "other"

    @property
    def counted(self) -> bool:
        """Bought as a count (instances, vCPUs), not as money per hour."""
        return self in (
            Product.AWS_RESERVED_INSTANCE,
            Product.AZURE_RESERVATION,
            Product.GCP_RESOURCE_CUD,
        )


class Payment(StrEnum):
    NO_UPFRONT = "no-upfront"
    PARTIAL_UPFRONT = "partial-upfront"
    ALL_UPFRONT = "all-upfront"

    @property
    def upfront_share(self) -> Decimal:
        """Share of the term's cost paid at purchase (AWS partial upfront is about half)."""
        return {"no-upfront": Decimal(0), "partial-upfront": Decimal("0.5")}.get(
            self.value, Decimal(1)
        )


class CommitmentScope(Model):
    """What a commitment may cover. ``None`` means any (a Compute Savings Plan has no region).

    ``size_flexible``: covers any size of ``family`` in ``region`` by normalisation factor
    (AWS regional Linux RIs, Azure instance size flexibility); else only ``type``."""

    account: str | None = None
    region: str | None = None
    zone: str | None = None
    family: str | None = None
    type: str | None = None
    platform: str | None = None
    size_flexible: bool = False

    @property
    def label(self) -> str:
        parts = [self.type or (f"{self.family} family" if self.family else None)]
        parts += [self.zone or self.region, f"account {self.account}" if self.account else None]
        return ", ".join(p for p in parts if p) or "any"


class Commitment(Model):
    """One owned commitment. ``hourly_commitment`` (savings plans, flexible CUDs: money per hour
    of discounted spend) or ``count`` (RIs, reservations: instances; resource CUDs: vCPUs).

    ``hourly_fee`` is what it costs per hour whatever happens: the recurring charge plus the
    upfront amortised over the term. ``on_demand_hourly`` is what the covered usage would cost
    on demand when fully used; ``effective_rate`` is the fee per unit."""

    id: str = Field(min_length=1)
    provider: str
    product: Product
    name: str | None = None
    scope: CommitmentScope = Field(default_factory=CommitmentScope)
    term_months: int = Field(ge=0)
    payment: Payment = Payment.NO_UPFRONT
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    hourly_commitment: Decimal | None = Field(default=None, ge=0)
    count: Decimal | None = Field(default=None, ge=0)
    unit: str | None = None  # instances, vCPU, USD/hour, normalized units
    upfront: Decimal = Field(default=Decimal(0), ge=0)
    hourly_fee: Decimal = Field(default=Decimal(0), ge=0)
    effective_rate: Decimal | None = None  # fee per unit per hour
    on_demand_hourly: Decimal | None = None  # the on-demand value of full use, per hour
    rates: dict[str, Decimal] = Field(default_factory=dict)  # "region/type" -> hourly rate
    currency: str = "USD"
    state: str = "active"
    source: str = ""  # what it was read from: an API name or a FOCUS file

    def days_left(self, now: dt.datetime) -> int | None:
        if self.end is None:
            return None
        return (self.end - now).days


class Usage(Model):
    """Observed use of one commitment over a window: what it covered and what it left unused."""

    commitment_id: str
    hours: Decimal = Decimal(0)
    used_cost: Decimal = Decimal(0)  # fee share spent on covered usage
    unused_cost: Decimal = Decimal(0)  # fee paid for nothing
    utilization: float | None = None  # used / (used + unused), when the source gives it
    covered_quantity: Decimal = Decimal(0)
    eligible_quantity: Decimal | None = None  # usage the commitment could have covered
    eligible_unit: str | None = None
