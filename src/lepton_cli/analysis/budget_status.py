"""The budget status document (kind BudgetStatus): each budget's month to date and forecast.

:func:`budget_status` turns a :class:`~lepton_cli.analysis.budgets.BudgetReport` into the
document `lepton budget status` prints.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from lepton_cli.models.base import Model
from lepton_cli.models.document import Document
from lepton_cli.models.money import to_cents

if TYPE_CHECKING:
    from lepton_cli.analysis.budgets import BudgetReport
    from lepton_cli.analysis.budgets import BudgetStatus as Status


class Crossed(Model):
    """The thresholds (shares of the amount) the actual and the forecast cost have reached."""

    actual: list[float]
    forecast: list[float]


class BudgetLine(Model):
    name: str
    scope: str  # as written in lepton.yaml, e.g. tag:team=payments
    metric: Literal["billed_cost", "effective_cost"]
    currency: str
    amount: Decimal
    actual: Decimal  # month to date, to the cent
    share_actual: float
    forecast: Decimal  # to month end
    share_forecast: float
    daily_rate: Decimal
    matched: bool  # the scope matched at least one cost row
    crossed: Crossed


class BudgetStatus(Document):
    kind: Literal["BudgetStatus"] = "BudgetStatus"
    month: str
    as_of: dt.date
    forecast_method: str
    budgets: list[BudgetLine] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


def budget_status(report: BudgetReport, method: str) -> BudgetStatus:
    return BudgetStatus(
        month=report.month.label,
        as_of=report.as_of,
        forecast_method=method,
        budgets=[_line(s) for s in report.statuses],
        warnings=list(report.warnings),
    )


def _line(s: Status) -> BudgetLine:
    b, fc = s.budget, s.forecast
    return BudgetLine(
        name=b.name,
        scope=b.scope.label,
        metric=b.metric,
        currency=b.currency,
        amount=b.amount,
        actual=to_cents(fc.actual),
        share_actual=round(s.share_actual, 4),
        forecast=fc.forecast,
        share_forecast=round(s.share_forecast, 4),
        daily_rate=fc.daily_rate,
        matched=s.matched,
        crossed=Crossed(actual=s.crossed("actual"), forecast=s.crossed("forecast")),
    )
