"""The commitment status document (kind CommitmentStatus): what each owned commitment costs,
how much of it is used, and when it ends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_serializer

from lepton_cli.commitments.model import CommitmentScope, Payment, Product
from lepton_cli.commitments.status import CommitmentStatus, Totals
from lepton_cli.models.base import Model
from lepton_cli.models.document import Document, omitted_when_none
from lepton_cli.models.money import HOURS_PER_MONTH, to_cents

if TYPE_CHECKING:
    from lepton_cli.providers.base import ScopeFailure


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else to_cents(value)


class CommitmentLine(Model):
    id: str
    provider: str
    product: Product
    scope: CommitmentScope
    term_months: int
    payment: Payment
    start: dt.datetime | None
    end: dt.datetime | None
    hourly_commitment: Decimal | None
    count: Decimal | None
    unit: str | None
    hourly_fee: Decimal
    upfront: Decimal
    utilization: float | None  # None: no usage read for it
    used_cost: Decimal | None  # over the window read
    unused_cost: Decimal | None
    monthly_unused_cost: Decimal | None
    coverage: float | None
    days_left: int | None
    expires_within_days: int | None  # 30 | 60 | 90
    source: str

    @field_serializer("scope")
    def _scope(self, scope: CommitmentScope) -> dict[str, Any]:
        """Only what bounds the commitment (an unbounded scope is ``{}``)."""
        return scope.model_dump(exclude_none=True, exclude_defaults=True)


class CommitmentTotals(Model):
    monthly_fee: Decimal
    used_cost: Decimal
    unused_cost: Decimal
    utilization: float | None


class FailedScope(Model):
    provider: str
    scope: str
    error: str


class CommitmentStatusList(Document):
    kind: Literal["CommitmentStatus"] = "CommitmentStatus"
    as_of: dt.datetime
    commitments: list[CommitmentLine] = Field(default_factory=list)
    totals: CommitmentTotals
    failures: list[FailedScope] | None = omitted_when_none()


def status_document(
    rows: Sequence[CommitmentStatus],
    total: Totals,
    now: dt.datetime,
    failures: Sequence[ScopeFailure] = (),
) -> CommitmentStatusList:
    return CommitmentStatusList(
        as_of=now,
        commitments=[_line(s) for s in rows],
        totals=CommitmentTotals(
            monthly_fee=to_cents(total.hourly_fee * HOURS_PER_MONTH),
            used_cost=total.used_cost,
            unused_cost=total.unused_cost,
            utilization=_share(total.utilization),
        ),
        failures=[
            FailedScope(provider=f.provider, scope=f.scope, error=f.message) for f in failures
        ]
        or None,
    )


def _line(s: CommitmentStatus) -> CommitmentLine:
    c = s.commitment
    return CommitmentLine(
        id=c.id,
        provider=c.provider,
        product=c.product,
        scope=c.scope,
        term_months=c.term_months,
        payment=c.payment,
        start=c.start,
        end=c.end,
        hourly_commitment=c.hourly_commitment,
        count=c.count,
        unit=c.unit,
        hourly_fee=c.hourly_fee,
        upfront=c.upfront,
        utilization=_share(s.utilization),
        used_cost=s.usage.used_cost if s.usage else None,
        unused_cost=s.unused_cost,
        monthly_unused_cost=_cents(s.monthly_unused_cost),
        coverage=_share(s.coverage),
        days_left=s.days_left,
        expires_within_days=s.expiry,
        source=c.source,
    )
