"""The cost report document (kind Report): cost per group and currency.

Two sources give it: FOCUS exports (billed, effective and list cost per billing month, with
corrections, superseded deliveries and pricing-currency amounts; :func:`focus_report`) and an
inventory's run-rate (hourly x 730, with used cost, idle cost and efficiency and the fleet's
total; :func:`inventory_report`). ``cli/report.py`` only turns the document into a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from lepton_cli.models import Period
from lepton_cli.models.base import Model
from lepton_cli.models.document import Document, KeyedRow, omitted_when_none

if TYPE_CHECKING:
    from lepton_cli.analysis.breakdown import FleetMetrics
    from lepton_cli.billing.engine import Notes
    from lepton_cli.billing.keys import Basis
    from lepton_cli.billing.query import CostRow as QueryRow
    from lepton_cli.billing.query import PricingCurrencyRow
    from lepton_cli.models import Inventory


class CostRow(KeyedRow):
    """One group's cost in one currency. From an inventory billed = effective = list (a
    run-rate has one figure) and the fleet figures are set; from FOCUS, corrections are."""

    currency: str
    billed_cost: Decimal
    effective_cost: Decimal
    list_cost: Decimal | None  # None: the export carries no ListCost for these rows
    corrections: Decimal | None = omitted_when_none()  # ChargeClass Correction, included above
    used_cost: Decimal | None = omitted_when_none()
    idle_cost: Decimal | None = omitted_when_none()
    efficiency: float | None = omitted_when_none()


class PricingCurrencyAmount(KeyedRow):
    """FOCUS 1.2: an amount in a pricing currency (credits, tokens): never added to money."""

    pricing_currency: str
    amount: Decimal


class Superseded(Model):
    file: str
    by: list[str]


class Correction(Model):
    currency: str
    billed_cost: Decimal


class CostReport(Document):
    kind: Literal["Report"] = "Report"
    by: list[str]
    period: str | None = omitted_when_none()
    rows: list[CostRow] = Field(default_factory=list)
    basis: str | None = omitted_when_none()  # FOCUS: billing or charge months
    superseded: list[Superseded] | None = omitted_when_none()
    corrections: list[Correction] | None = omitted_when_none()
    pricing_currency: list[PricingCurrencyAmount] | None = omitted_when_none()
    # The inventory's fleet total (its keys empty). Shown as the table's last row; the
    # document's rows are the groups only.
    total: CostRow | None = Field(default=None, exclude=True)

    def billed_totals(self) -> dict[str, Decimal]:
        """Billed cost per currency over the rows."""
        out: dict[str, Decimal] = {}
        for r in self.rows:
            out[r.currency] = out.get(r.currency, Decimal(0)) + r.billed_cost
        return out


def _run_rate(keys: dict[str, str | None], currency: str, m: FleetMetrics) -> CostRow:
    return CostRow(
        keys=keys,
        currency=currency,
        billed_cost=m.monthly_cost,
        effective_cost=m.monthly_cost,
        list_cost=m.monthly_cost,
        used_cost=m.used_cost,
        idle_cost=m.idle_cost,
        efficiency=round(m.efficiency, 6),
    )


def inventory_report(inventory: Inventory, by: Sequence[str]) -> CostReport:
    """The inventory's monthly run-rate per group of ``by``, costliest first, and in total."""
    from lepton_cli.analysis.breakdown import fleet_metrics  # the fleet models: not for FOCUS
    from lepton_cli.analysis.summary import group_resources

    rows = [
        _run_rate(g.keys, inventory.currency, g.metrics)
        for g in group_resources(inventory.resources, by)
    ]
    total = fleet_metrics(inventory.resources) if rows else None
    return CostReport(
        by=list(by),
        rows=rows,
        total=_run_rate({}, inventory.currency, total) if total else None,
    )


def _focus_row(row: QueryRow) -> CostRow:
    return CostRow(
        keys=row.keys,
        currency=row.currency,
        billed_cost=row.billed_cost,
        effective_cost=row.effective_cost,
        list_cost=row.list_cost,
        corrections=row.corrections or None,
    )


def focus_report(
    paths: Sequence[Path],
    by: Sequence[str],
    month: Period | None,
    basis: Basis,
    notes: Notes,
) -> CostReport:
    """Cost per group of ``by`` and currency over FOCUS exports (what the read noted besides
    summing goes to ``notes``)."""
    from lepton_cli.billing.query import aggregate

    pricing: list[PricingCurrencyRow] = []
    found = aggregate(paths, by, month, basis=basis, notes=notes, pricing=pricing)
    rows = [_focus_row(row) for row in found]
    superseded = [Superseded(file=str(s.path), by=[str(p) for p in s.by]) for s in notes.superseded]
    return CostReport(
        by=list(by),
        period=month.label if month else None,
        rows=rows,
        basis=basis.value,
        superseded=superseded or None,
        corrections=_corrections(rows) or None,
        pricing_currency=[
            PricingCurrencyAmount(
                keys=r.keys, pricing_currency=r.pricing_currency, amount=r.effective_cost
            )
            for r in pricing
        ]
        or None,
    )


def _corrections(rows: Sequence[CostRow]) -> list[Correction]:
    """Corrections (ChargeClass = Correction) are in the totals; how much, per currency."""
    per: dict[str, Decimal] = {}
    for r in rows:
        if r.corrections:
            per[r.currency] = per.get(r.currency, Decimal(0)) + r.corrections
    return [Correction(currency=c, billed_cost=a) for c, a in per.items()]
