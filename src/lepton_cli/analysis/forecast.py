"""Month-end cost forecast: a daily run-rate with day-of-week seasonality.

The run-rate is the mean daily cost over the trailing 28 days of data (four of each weekday;
fewer when the data starts later). Each weekday gets a factor: its own mean over the overall
mean, so weekend dips and Monday batch jobs carry into the forecast; a weekday seen fewer than
twice keeps factor 1. Each remaining day of the month is forecast as run-rate x its weekday's
factor, and the forecast is the month-to-date actual plus those days. Days inside the data's
coverage with no rows count as zero cost; days before the coverage are unknown and left out.

The band (``forecast_path``): each trailing day's residual is its cost less what the method
would have said for it (run-rate x its weekday's factor); their sample standard deviation s is
the error of one forecast day. Taking the days' errors as independent, the cumulative forecast
k days past ``as_of`` has the 90% band +- 1.645 x s x sqrt(k), so it widens to month end; its low
edge never falls below the actual (cost already booked does not come back). Fewer than two
days in the window: no spread, a band of zero width.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from lepton_cli.models import Period
from lepton_cli.models.money import CENT

TRAILING_DAYS = 28
MIN_WEEKDAY_SAMPLES = 2
METHOD = (
    "daily run-rate over the trailing 28 days with day-of-week seasonality "
    "(each remaining day = mean daily cost x that weekday's factor)"
)

Series = Mapping[dt.date, Decimal]


@dataclass(frozen=True)
class Forecast:
    actual: Decimal  # month to date, through ``as_of``
    forecast: Decimal  # actual + forecast of the remaining days
    as_of: dt.date
    days_elapsed: int
    days_in_month: int
    daily_rate: Decimal  # the trailing mean daily cost


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    """The days of the half-open range ``[start, end)``."""
    return [start + dt.timedelta(days=i) for i in range((end - start).days)]


def _mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values) if values else Decimal(0)


def weekday_factors(window: list[dt.date], daily: Series) -> dict[int, Decimal]:
    """Each weekday's mean cost over the window's mean (1 when too few samples or no cost)."""
    overall = _mean([daily.get(d, Decimal(0)) for d in window])
    factors = {}
    for weekday in range(7):
        values = [daily.get(d, Decimal(0)) for d in window if d.weekday() == weekday]
        enough = len(values) >= MIN_WEEKDAY_SAMPLES and overall > 0
        factors[weekday] = _mean(values) / overall if enough else Decimal(1)
    return factors


def forecast_month(
    daily: Series, month: Period, as_of: dt.date, coverage_start: dt.date
) -> Forecast:
    """Forecast ``month``'s total from ``daily`` costs known through ``as_of``.

    ``coverage_start`` is the first day the data covers: the trailing window never reaches
    before it. ``as_of`` is clamped into the month.
    """
    as_of = min(max(as_of, month.start), month.end - dt.timedelta(days=1))
    elapsed = days(month.start, as_of + dt.timedelta(days=1))
    actual = sum((daily.get(d, Decimal(0)) for d in elapsed), Decimal(0))
    window_start = max(as_of - dt.timedelta(days=TRAILING_DAYS - 1), coverage_start)
    window = days(window_start, as_of + dt.timedelta(days=1))
    rate = _mean([daily.get(d, Decimal(0)) for d in window])
    factors = weekday_factors(window, daily)
    rest = days(as_of + dt.timedelta(days=1), month.end)
    remaining = sum((rate * factors[d.weekday()] for d in rest), Decimal(0))
    return Forecast(
        actual=actual,
        forecast=(actual + remaining).quantize(CENT),
        as_of=as_of,
        days_elapsed=len(elapsed),
        days_in_month=month.days,
        daily_rate=rate.quantize(CENT),
    )


Z_90 = Decimal("1.645")  # two-sided 90% of a normal error


@dataclass(frozen=True)
class ForecastPath:
    """The month day by day: cumulative actual through ``as_of``, then the cumulative
    forecast with its band to month end (the first forecast point is the actual at
    ``as_of``, so the lines meet)."""

    actual_days: list[dt.date]
    actual: list[Decimal]
    forecast_days: list[dt.date]
    forecast: list[Decimal]
    low: list[Decimal]
    high: list[Decimal]
    spread: Decimal  # s: the daily residuals' standard deviation


def residual_spread(window: list[dt.date], daily: Series) -> Decimal:
    """The sample standard deviation of cost less run-rate x weekday factor over ``window``."""
    if len(window) < 2:
        return Decimal(0)
    rate = _mean([daily.get(d, Decimal(0)) for d in window])
    factors = weekday_factors(window, daily)
    errors = [daily.get(d, Decimal(0)) - rate * factors[d.weekday()] for d in window]
    return (sum((e * e for e in errors), Decimal(0)) / (len(errors) - 1)).sqrt()


def forecast_path(
    daily: Series, month: Period, as_of: dt.date, coverage_start: dt.date
) -> ForecastPath:
    """``forecast_month`` day by day, with the band of the module docstring."""
    as_of = min(max(as_of, month.start), month.end - dt.timedelta(days=1))
    elapsed = days(month.start, as_of + dt.timedelta(days=1))
    actual, total = [], Decimal(0)
    for d in elapsed:
        total += daily.get(d, Decimal(0))
        actual.append(total)
    window_start = max(as_of - dt.timedelta(days=TRAILING_DAYS - 1), coverage_start)
    window = days(window_start, as_of + dt.timedelta(days=1))
    rate = _mean([daily.get(d, Decimal(0)) for d in window])
    factors = weekday_factors(window, daily)
    spread = residual_spread(window, daily)
    path, low, high, running = [total], [total], [total], total
    for k, d in enumerate(days(as_of + dt.timedelta(days=1), month.end), start=1):
        running += rate * factors[d.weekday()]
        width = Z_90 * spread * Decimal(k).sqrt()
        path.append(running.quantize(CENT))
        low.append(max(running - width, total).quantize(CENT))
        high.append((running + width).quantize(CENT))
    rest = [as_of, *days(as_of + dt.timedelta(days=1), month.end)]
    return ForecastPath(elapsed, actual, rest, path, low, high, spread.quantize(CENT))
