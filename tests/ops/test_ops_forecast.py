"""Forecast: daily run-rate with day-of-week seasonality, computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lepton_cli.analysis.forecast import forecast_month, weekday_factors
from lepton_cli.models import Period

OCT = Period.month("2026-10")  # 2026-10-01 is a Thursday


def _series(start: dt.date, n: int, weekday: str, weekend: str) -> dict[dt.date, Decimal]:
    out = {}
    for i in range(n):
        d = start + dt.timedelta(days=i)
        out[d] = Decimal(weekend if d.weekday() >= 5 else weekday)
    return out


def test_flat_cost_forecasts_the_run_rate():
    daily = {d: Decimal(100) for d in _series(dt.date(2026, 10, 1), 10, "0", "0")}
    fc = forecast_month(daily, OCT, dt.date(2026, 10, 10), coverage_start=dt.date(2026, 10, 1))
    assert (fc.actual, fc.forecast, fc.daily_rate) == (Decimal(1000), Decimal(3100), Decimal(100))
    assert (fc.days_elapsed, fc.days_in_month) == (10, 31)


def test_weekends_carry_into_the_forecast():
    # four full weeks of history before October: weekdays 100, weekends 30
    history = _series(dt.date(2026, 9, 3), 28 + 14, "100", "30")
    as_of = dt.date(2026, 10, 14)
    fc = forecast_month(history, OCT, as_of, coverage_start=dt.date(2026, 9, 3))
    # the remaining 17 days (Oct 15-31) hold 12 weekdays and 5 weekend days
    assert fc.forecast == fc.actual + Decimal(12 * 100 + 5 * 30)
    # a plain run-rate would have said 17 x mean(=80)
    assert fc.daily_rate == Decimal(80)


def test_weekday_factors_need_two_samples():
    window = [dt.date(2026, 10, 1) + dt.timedelta(days=i) for i in range(7)]
    factors = weekday_factors(window, {d: Decimal(10) for d in window})
    assert set(factors.values()) == {Decimal(1)}


def test_missing_days_inside_coverage_are_zero_but_not_before_it():
    daily = {dt.date(2026, 10, 1): Decimal(70)}
    late = forecast_month(daily, OCT, dt.date(2026, 10, 7), coverage_start=dt.date(2026, 10, 1))
    assert late.daily_rate == Decimal(10)  # 70 over the 7 covered days
    assert late.forecast == Decimal(70) + 24 * Decimal(10)


def test_a_complete_month_forecasts_its_actual():
    daily = _series(dt.date(2026, 10, 1), 31, "10", "5")
    fc = forecast_month(daily, OCT, dt.date(2026, 10, 31), coverage_start=dt.date(2026, 10, 1))
    assert fc.forecast == fc.actual == Decimal(22 * 10 + 9 * 5)
