"""The scan document (kind ScanReport): what a fleet runs, costs and wastes.

:func:`scan_report` aggregates an inventory, its waste findings and any billed cost records
into the document `lepton scan` prints; ``cli/scan.py`` only turns it into tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Literal, Protocol

from pydantic import Field

from lepton_cli.analysis.summary import Group, group_resources
from lepton_cli.analysis.waste import Finding
from lepton_cli.models import CostRecord, Inventory, Resource
from lepton_cli.models.base import Currency, Model, Money
from lepton_cli.models.document import Document, omitted_when_none


class ScopeFailure(Protocol):
    """A scope a provider could not read (``providers.base.ScopeFailure``: analysis reads no
    provider module)."""

    @property
    def provider(self) -> str: ...
    @property
    def scope(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def hint(self) -> str | None: ...


SUMMARY_KEYS = ("provider", "account", "region", "kind")


class ScanTotals(Model):
    resources: int = Field(ge=0)
    monthly_cost: Money  # from FOCUS: the effective (amortised) cost
    monthly_waste: Money  # what the findings would save
    findings: int = Field(ge=0)
    billed_monthly_cost: Money | None = omitted_when_none()  # resources read from a bill


class ScanGroup(Model):
    """The inventory's run-rate in one (provider, account, region, kind)."""

    provider: str
    account: str
    region: str
    kind: str
    resources: int = Field(ge=0)
    monthly_cost: Money
    billed_monthly_cost: Money | None = omitted_when_none()


class ScanFinding(Model):
    resource: str
    provider: str
    account: str
    region: str
    finding: str
    reason: str
    monthly_saving: Money


class BilledCost(Model):
    """Billed and effective cost of one service, from a provider's billing API."""

    provider: str
    service: str
    currency: str
    billed_cost: Decimal
    effective_cost: Decimal


class ScanFailure(Model):
    provider: str
    scope: str
    error: str
    hint: str


class ScanReport(Document):
    kind: Literal["ScanReport"] = "ScanReport"
    currency: Currency
    totals: ScanTotals
    summary: list[ScanGroup] = Field(default_factory=list)
    findings: list[ScanFinding] = Field(default_factory=list)
    billed_costs: list[BilledCost] | None = omitted_when_none()
    failures: list[ScanFailure] | None = omitted_when_none()


def scan_report(
    inventory: Inventory,
    found: Sequence[Finding],
    records: Iterable[CostRecord] = (),
    failures: Sequence[ScopeFailure] = (),
) -> ScanReport:
    """The scan of ``inventory``: totals, groups by provider / account / region / kind,
    findings, billed cost per service (from ``records``) and the scopes that failed."""
    billed = billed_costs(records)
    return ScanReport(
        currency=inventory.currency,
        totals=_totals(inventory.resources, found),
        summary=[_group(g) for g in group_resources(inventory.resources, SUMMARY_KEYS)],
        findings=[_finding(f) for f in found],
        billed_costs=billed or None,
        failures=[_failure(f) for f in failures] or None,
    )


def _totals(resources: Sequence[Resource], found: Sequence[Finding]) -> ScanTotals:
    return ScanTotals(
        resources=len(resources),
        monthly_cost=sum((r.monthly_cost for r in resources), Decimal(0)),
        monthly_waste=sum((f.monthly_saving for f in found), Decimal(0)),
        findings=len(found),
        billed_monthly_cost=billed_monthly_cost(resources),
    )


def billed_monthly_cost(resources: Iterable[Resource]) -> Decimal | None:
    """Monthly billed cost of resources read from a bill (None when none were): from FOCUS,
    ``monthly_cost`` is the effective (amortised) cost and this the billed one."""
    found = [r.billed_monthly_cost for r in resources if r.billed_monthly_cost is not None]
    return sum(found, Decimal(0)) if found else None


def _group(g: Group) -> ScanGroup:
    return ScanGroup.model_validate(
        {
            **g.keys,
            "resources": len(g.resources),
            "monthly_cost": g.metrics.monthly_cost,
            "billed_monthly_cost": billed_monthly_cost(g.resources),
        }
    )


def _finding(f: Finding) -> ScanFinding:
    r = f.resource
    return ScanFinding(
        resource=r.id,
        provider=r.provider,
        account=r.account,
        region=r.region,
        finding=f.kind.value,
        reason=f.reason,
        monthly_saving=f.monthly_saving,
    )


def _failure(f: ScopeFailure) -> ScanFailure:
    return ScanFailure(provider=f.provider, scope=f.scope, error=f.message, hint=f.hint or "")


def billed_costs(records: Iterable[CostRecord]) -> list[BilledCost]:
    """Billed and effective cost per (provider, service, currency), costliest first."""
    sums: dict[tuple[str, str, str], list[Decimal]] = {}
    for rec in records:
        key = (rec.provider_name, rec.service_name or "(none)", rec.billing_currency)
        acc = sums.setdefault(key, [Decimal(0), Decimal(0)])
        acc[0] += rec.billed_cost
        acc[1] += rec.effective_cost
    rows = [
        BilledCost(provider=p, service=s, currency=c, billed_cost=b, effective_cost=e)
        for (p, s, c), (b, e) in sums.items()
    ]
    return sorted(rows, key=lambda r: (-r.billed_cost, r.provider, r.service))
