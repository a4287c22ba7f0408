"""Cost anomalies: days whose cost departs from the group's own recent history.

For every group (e.g. one service in one account) and every day checked, the expected cost is
the median of the previous ``window`` days (14 by default) and the spread is their median
absolute deviation (MAD), scaled by 1.4826 so it estimates a standard deviation. The day is an
anomaly when its robust z-score ``(cost - median) / scale`` exceeds ``threshold`` (3.5) and the
difference is at least ``min_delta`` in money. The scale is floored at 5% of the median so that a
perfectly flat history does not turn every cent into an anomaly. Median and MAD ignore the
occasional spike in the history itself, which a mean and standard deviation would not.
Days inside the data's coverage with no rows count as zero. Days are charge days
(ChargePeriodStart): an anomaly is about when money was spent, not when it was invoiced. A
group needs ``min_history`` days of history (or the whole window, when the window is
shorter) before it is judged. Each currency is its own group: costs in different currencies
are never added up. The resources that drove an anomaly are those whose cost that day departs
most from their own median over the same window.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from lepton_cli.analysis.budgets import Group, Metric, aggregate_costs, coverage, group_series
from lepton_cli.analysis.forecast import days
from lepton_cli.models import Period

MAD_TO_SIGMA = Decimal("1.4826")
SCALE_FLOOR = Decimal("0.05")  # of the median
METHOD = (
    "median and MAD of the previous {window} days; an anomaly when |cost - median| / "
    "(1.4826 x MAD) > {threshold} and the difference is at least {min_delta}"
)

Series = Mapping[dt.date, Decimal]


@dataclass(frozen=True)
class AnomalySettings:
    window: int = 14
    threshold: float = 3.5
    min_delta: Decimal = Decimal(1)
    min_history: int = 7  # days of history a group needs before it is judged (<= window)
    include_drops: bool = False
    top: int = 3  # drivers per anomaly

    @property
    def needed_history(self) -> int:
        """Days of history a group needs: a window shorter than min_history is enough."""
        return min(self.min_history, self.window)

    def method(self) -> str:
        return METHOD.format(window=self.window, threshold=self.threshold, min_delta=self.min_delta)


@dataclass(frozen=True)
class Driver:
    resource_id: str
    expected: Decimal
    actual: Decimal

    @property
    def delta(self) -> Decimal:
        return self.actual - self.expected


@dataclass(frozen=True)
class Anomaly:
    group: dict[str, str | None]
    currency: str
    day: dt.date
    expected: Decimal
    actual: Decimal
    score: float  # robust z-score
    drivers: list[Driver] = field(default_factory=list)

    @property
    def delta(self) -> Decimal:
        return self.actual - self.expected

    def label(self) -> str:
        return " / ".join(v or "(none)" for v in self.group.values()) or "total"


def _median(values: list[Decimal]) -> Decimal:
    return Decimal(statistics.median(values)) if values else Decimal(0)


def baseline(history: list[Decimal]) -> tuple[Decimal, Decimal]:
    """(median, scale): the robust centre and spread of ``history``."""
    med = _median(history)
    mad = _median([abs(v - med) for v in history])
    return med, max(MAD_TO_SIGMA * mad, SCALE_FLOOR * abs(med), Decimal("0.01"))


def check_day(
    s: Series, day: dt.date, first: dt.date, cfg: AnomalySettings
) -> tuple[Decimal, Decimal, float] | None:
    """(expected, actual, score) when ``day`` is an anomaly in series ``s``, else None."""
    start = max(first, day - dt.timedelta(days=cfg.window))
    history = [s.get(d, Decimal(0)) for d in days(start, day)]
    if len(history) < cfg.needed_history:
        return None
    expected, scale = baseline(history)
    actual = s.get(day, Decimal(0))
    delta = actual - expected
    score = float(delta / scale)
    big = abs(delta) >= cfg.min_delta and abs(score) > cfg.threshold
    return (expected, actual, score) if big and (delta > 0 or cfg.include_drops) else None


def detect(
    groups: Mapping[tuple[Group, str], Series],
    keys: Sequence[str],
    check: Sequence[dt.date],
    first: dt.date,
    cfg: AnomalySettings,
) -> list[Anomaly]:
    """Anomalies of every group on every day in ``check`` (``first`` = start of coverage)."""
    out = []
    for (group, currency), s in groups.items():
        for day in check:
            hit = check_day(s, day, first, cfg)
            if hit:
                out.append(Anomaly(dict(zip(keys, group, strict=True)), currency, day, *hit))
    return sorted(out, key=lambda a: (a.day, -abs(a.delta), a.label(), a.currency))


def drivers(
    resources: Mapping[str, Series], day: dt.date, first: dt.date, cfg: AnomalySettings, up: bool
) -> list[Driver]:
    """The ``cfg.top`` resources whose cost on ``day`` moved most (in the anomaly's direction)."""
    start = max(first, day - dt.timedelta(days=cfg.window))
    found = []
    for rid, s in resources.items():
        expected = _median([s.get(d, Decimal(0)) for d in days(start, day)])
        found.append(Driver(rid, expected, s.get(day, Decimal(0))))
    moved = [d for d in found if (d.delta > 0 if up else d.delta < 0)]
    return sorted(moved, key=lambda d: (-abs(d.delta), d.resource_id))[: cfg.top]


@dataclass(frozen=True)
class AnomalyReport:
    by: list[str]
    checked: Period  # the days judged
    coverage_start: dt.date
    currencies: list[str]  # of the costs checked; each anomaly carries its own
    method: str
    anomalies: list[Anomaly] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # superseded files, odd cells


def _with_drivers(
    a: Anomaly, paths: Sequence[Path], first: dt.date, cfg: AnomalySettings, metric: Metric
) -> Anomaly:
    start = max(first, a.day - dt.timedelta(days=cfg.window))
    # A group key that is null (no service, no account) cannot be filtered on: the drivers
    # then come from every row of the day, which still names the resources that moved.
    filters = {k: v for k, v in a.group.items() if v is not None}
    window = Period(start=start, end=a.day + dt.timedelta(days=1))
    rows = aggregate_costs(paths, ["resource", "day"], filters=filters or None, window=window)
    series = group_series(rows, ["resource"], metric)
    named = {
        str(k[0] or "(no resource id)"): s for (k, cur), s in series.items() if cur == a.currency
    }
    return Anomaly(
        a.group,
        a.currency,
        a.day,
        a.expected,
        a.actual,
        a.score,
        drivers(named, a.day, first, cfg, up=a.delta > 0),
    )


def find_anomalies(
    paths: Sequence[Path],
    by: Sequence[str],
    last_days: int = 14,
    cfg: AnomalySettings | None = None,
    metric: Metric = "billed_cost",
) -> AnomalyReport:
    """Anomalies in the last ``last_days`` days of data in the FOCUS exports at ``paths``."""
    cfg = cfg or AnomalySettings()
    by = list(by)
    from lepton_cli.billing.engine import Notes

    notes = Notes()
    all_days = coverage(paths, notes)
    first, last = all_days[0], all_days[-1]
    check = Period(
        start=max(first, last - dt.timedelta(days=last_days - 1)), end=last + dt.timedelta(days=1)
    )
    window = Period(start=max(first, check.start - dt.timedelta(days=cfg.window)), end=check.end)
    rows = aggregate_costs(paths, [*by, "day"], window=window, notes=notes)
    groups = group_series(rows, by, metric)
    found = detect(groups, by, days(check.start, check.end), first, cfg)
    found = [_with_drivers(a, paths, first, cfg, metric) for a in found]
    currencies = sorted({currency for _, currency in groups})
    return AnomalyReport(by, check, first, currencies, cfg.method(), found, notes.lines())
