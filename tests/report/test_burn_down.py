"""The burn-down's data: the cumulative actual, the forecast and its band, by hand."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from decimal import Decimal

import pytest

from lepton_cli.analysis.forecast import forecast_month, forecast_path
from lepton_cli.models import Period
from lepton_cli.report.charts import burn_down

MONTH = Period.month("2026-03")
AS_OF = dt.date(2026, 3, 14)
# two weeks of a noisy daily cost, no weekday pattern strong enough to hide the noise
COSTS = [100, 130, 90, 120, 80, 60, 70, 110, 125, 95, 115, 85, 65, 75]
DAILY = {dt.date(2026, 3, i + 1): Decimal(c) for i, c in enumerate(COSTS)}


def test_the_path_ends_at_the_forecast_and_its_band_widens_with_sqrt_days() -> None:
    path = forecast_path(DAILY, MONTH, AS_OF, MONTH.start)
    assert path.actual[-1] == sum(DAILY.values(), Decimal(0))
    assert len(path.actual) == 14 and path.forecast_days[-1] == dt.date(2026, 3, 31)
    assert path.forecast[-1] == forecast_month(DAILY, MONTH, AS_OF, MONTH.start).forecast
    mean = statistics.fmean(COSTS)
    by_day = {w: [c for i, c in enumerate(COSTS) if dt.date(2026, 3, i + 1).weekday() == w]
              for w in range(7)}  # fmt: skip
    factor = {w: statistics.fmean(v) / mean for w, v in by_day.items()}  # two of each weekday
    errors = [c - mean * factor[dt.date(2026, 3, i + 1).weekday()] for i, c in enumerate(COSTS)]
    s = statistics.stdev(errors)
    assert float(path.spread) == pytest.approx(s, abs=0.005)
    for k in (1, 5, 17):
        width = float(path.high[k] - path.forecast[k])
        assert width == pytest.approx(1.645 * s * math.sqrt(k), abs=0.011)
    assert all(lo >= path.actual[-1] for lo in path.low)  # booked cost never comes back


def test_the_chart_carries_actual_band_forecast_and_budget() -> None:
    path = forecast_path(DAILY, MONTH, AS_OF, MONTH.start)
    chart = burn_down("total", Decimal(3000), "USD", path)
    names = [t["name"] for t in chart.data]
    assert names == ["actual", "band (90%)", "band (90%)", "forecast", "budget 3,000.00"]
    assert chart.data[0]["y"][-1] == sum(DAILY.values(), Decimal(0))
    assert chart.data[4]["y"] == [Decimal(3000), Decimal(3000)]
    assert chart.data[4]["x"] == ["2026-03-01", "2026-03-31"]
