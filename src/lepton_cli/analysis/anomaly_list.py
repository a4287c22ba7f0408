"""The anomalies document (kind Anomalies): days whose cost departs from its own history.

:func:`anomaly_list` turns an :class:`~lepton_cli.analysis.anomalies.AnomalyReport` into the
document `lepton anomalies` prints (money to the cent, scores to two places).
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
    from lepton_cli.analysis.anomalies import Anomaly, AnomalyReport, Driver


class DriverLine(Model):
    """A resource whose change drove an anomaly."""

    resource_id: str
    expected: Decimal
    actual: Decimal
    delta: Decimal


class AnomalyLine(Model):
    day: dt.date
    group: dict[str, str | None]  # the --by keys' values
    currency: str
    expected: Decimal  # the median of the previous window
    actual: Decimal
    delta: Decimal
    score: float  # robust z-score
    drivers: list[DriverLine] = Field(default_factory=list)


class CheckedDays(Model):
    start: dt.date
    end: dt.date  # exclusive


class Anomalies(Document):
    kind: Literal["Anomalies"] = "Anomalies"
    by: list[str]
    currencies: list[str]
    checked: CheckedDays
    method: str
    anomalies: list[AnomalyLine] = Field(default_factory=list)


def anomaly_list(report: AnomalyReport) -> Anomalies:
    return Anomalies(
        by=list(report.by),
        currencies=list(report.currencies),
        checked=CheckedDays(start=report.checked.start, end=report.checked.end),
        method=report.method,
        anomalies=[_line(a) for a in report.anomalies],
    )


def _line(a: Anomaly) -> AnomalyLine:
    return AnomalyLine(
        day=a.day,
        group=dict(a.group),
        currency=a.currency,
        expected=to_cents(a.expected),
        actual=to_cents(a.actual),
        delta=to_cents(a.delta),
        score=round(a.score, 2),
        drivers=[_driver(d) for d in a.drivers],
    )


def _driver(d: Driver) -> DriverLine:
    return DriverLine(
        resource_id=d.resource_id,
        expected=to_cents(d.expected),
        actual=to_cents(d.actual),
        delta=to_cents(d.delta),
    )
