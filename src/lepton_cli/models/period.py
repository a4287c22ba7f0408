"""A billing period: a half-open range of days, usually one month."""

from __future__ import annotations

import datetime as dt
import re

from lepton_cli.errors import UsageError
from lepton_cli.models.base import Model

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class Period(Model):
    start: dt.date
    end: dt.date  # exclusive

    @classmethod
    def month(cls, text: str) -> Period:
        """Parse ``YYYY-MM`` into the month it names."""
        match = _MONTH.match(text)
        if not match:
            raise UsageError(
                f"invalid period {text!r}", hint="give a month as YYYY-MM, e.g. 2026-10"
            )
        year, month = int(match[1]), int(match[2])
        end = dt.date(year + month // 12, month % 12 + 1, 1)
        return cls(start=dt.date(year, month, 1), end=end)

    @classmethod
    def last_full_month(cls, today: dt.date | None = None) -> Period:
        first = (today or dt.date.today()).replace(day=1)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        return cls(start=previous, end=first)

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def midnight(day: dt.date, tzinfo: dt.tzinfo | None = None) -> dt.datetime:
    """The first instant of ``day``: naive unless ``tzinfo`` is given (a period's bounds as
    timestamps, e.g. ``midnight(period.end, dt.UTC)`` for an API that wants UTC)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tzinfo)
