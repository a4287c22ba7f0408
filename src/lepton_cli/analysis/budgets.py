"""Monthly budgets from lepton.yaml, checked against FOCUS cost exports.

```yaml
budgets:
  - name: payments
    amount: 5000
    currency: USD                 # default USD; costs in other currencies are not counted
    scope: tag:team=payments      # total | provider:aws | account:123 | service:Amazon EC2 | ...
    metric: billed_cost           # or effective_cost (amortised, after discounts)
    thresholds: {actual: [0.8, 1.0], forecast: [1.0]}
```

A scope is ``total``, ``DIMENSION:VALUE`` or ``tag:KEY=VALUE``, or a mapping of several of them
(all must match). Dimensions are the keys of the FOCUS query layer
(:data:`lepton_cli.billing.keys.KEYS`) but day and month: provider, account, service,
region, resource, pricing, sku, invoice_issuer, charge_class, ...
The forecast method is documented in :mod:`lepton_cli.analysis.forecast`.

A budget month is a billing month: its actual is what the month's invoice holds (rows whose
BillingPeriodStart is in it, corrections included), so it reconciles with ``lepton report
--period``. The forecast still runs on a daily series by charge date: the month's rows on the
day they were charged (a row charged before the month, such as a correction, counts on its first
day; one charged after it on its last), and before the month the charges of the trailing window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import Field, field_validator

from lepton_cli.analysis.forecast import TRAILING_DAYS, Forecast, forecast_month
from lepton_cli.errors import InputError
from lepton_cli.fileio import validate
from lepton_cli.models import Period
from lepton_cli.models.base import Model

Metric = Literal["billed_cost", "effective_cost"]
TIME_KEYS = frozenset({"day", "month"})  # query keys that are time, not a slice of the spend
Group = tuple[str | None, ...]  # the values of the grouping keys, in order


class CostRowLike(Protocol):
    """What :func:`lepton_cli.billing.query.aggregate` returns per group."""

    @property
    def keys(self) -> Mapping[str, str | None]: ...
    @property
    def currency(self) -> str: ...
    @property
    def billed_cost(self) -> Decimal: ...
    @property
    def effective_cost(self) -> Decimal: ...


def dimensions() -> list[str]:
    """The keys a cost can be sliced or filtered by (imported on use: the engines stay lazy)."""
    from lepton_cli.billing.keys import KEYS

    return [k for k in KEYS if k not in TIME_KEYS]


class BudgetScope(Model):
    """Query filters (all must match) and the label people see."""

    filters: dict[str, str] = Field(default_factory=dict)
    label: str = "total"


def _filter(key: str, value: Any) -> tuple[str, str]:
    key = key.strip()
    if key == "tag":  # {tag: team=payments}
        tag_key, sep, tag_value = str(value).partition("=")
        if not sep or not tag_key:
            raise ValueError(f"tag scope {value!r} must be KEY=VALUE, e.g. team=payments")
        return f"tag:{tag_key.strip()}", tag_value.strip()
    if key.startswith("tag:") and len(key) > 4:
        return key, str(value).strip()
    dims = dimensions()
    if key not in dims:
        known = ", ".join(dims)
        raise ValueError(f"unknown scope dimension {key!r}: use total, tag:KEY=VALUE or {known}")
    return key, str(value).strip()


def parse_scope(raw: Any) -> BudgetScope:
    """``total``, ``provider:aws``, ``tag:team=payments`` or a mapping of such filters."""
    if isinstance(raw, BudgetScope):
        return raw
    if raw is None or (isinstance(raw, str) and raw.strip() == "total"):
        return BudgetScope()
    if isinstance(raw, str):
        if raw.startswith("tag:"):
            key, sep, value = raw[4:].partition("=")
            pairs = [_filter(f"tag:{key}", value)] if sep and key else [_filter("tag", raw[4:])]
        else:
            key, sep, value = raw.partition(":") if ":" in raw else raw.partition("=")
            if not sep:
                raise ValueError(f"scope {raw!r} must be total, DIMENSION:VALUE or tag:KEY=VALUE")
            pairs = [_filter(key, value)]
    elif isinstance(raw, Mapping) and raw:
        pairs = [_filter(str(k), v) for k, v in raw.items()]
    else:
        raise ValueError("scope must be total, DIMENSION:VALUE, tag:KEY=VALUE or a mapping")
    filters = dict(pairs)
    label = ", ".join(f"{k}={v}" if k.startswith("tag:") else f"{k}:{v}" for k, v in pairs)
    return BudgetScope(filters=filters, label=label)


class Thresholds(Model):
    """Shares of the amount (0.8 = 80%) that raise an alert, on actual and on forecast cost."""

    actual: list[float] = Field(default_factory=lambda: [0.8, 1.0])
    forecast: list[float] = Field(default_factory=lambda: [1.0])

    @field_validator("actual", "forecast")
    @classmethod
    def _positive(cls, values: list[float]) -> list[float]:
        if any(v <= 0 for v in values):
            raise ValueError("thresholds are shares of the amount and must be > 0 (0.8 = 80%)")
        return sorted(values)


class Budget(Model):
    name: str = Field(min_length=1)
    amount: Decimal = Field(gt=0)
    currency: str = "USD"
    scope: BudgetScope = Field(default_factory=BudgetScope)
    metric: Metric = "billed_cost"
    thresholds: Thresholds = Field(default_factory=Thresholds)

    @field_validator("scope", mode="before")
    @classmethod
    def _scope(cls, raw: Any) -> BudgetScope:
        return parse_scope(raw)


class _BudgetsSection(Model):
    budgets: list[Budget]


def parse_budgets(raw: Sequence[Mapping[str, Any]], source: str = "lepton.yaml") -> list[Budget]:
    """Validate the ``budgets:`` section; errors name ``budgets[i].key``."""
    budgets = validate(_BudgetsSection, {"budgets": list(raw)}, source).budgets
    seen: set[str] = set()
    for b in budgets:
        if b.name in seen:
            raise InputError(f"{source}: two budgets are named {b.name!r}", hint="rename one")
        seen.add(b.name)
    return budgets


@dataclass(frozen=True)
class BudgetStatus:
    budget: Budget
    forecast: Forecast
    matched: bool  # the scope matched at least one cost row
    daily: Mapping[dt.date, Decimal] = field(default_factory=dict, compare=False)  # its series

    @property
    def share_actual(self) -> float:
        return float(self.forecast.actual / self.budget.amount)

    @property
    def share_forecast(self) -> float:
        return float(self.forecast.forecast / self.budget.amount)

    def crossed(self, kind: Literal["actual", "forecast"]) -> list[float]:
        """The thresholds of ``kind`` that the actual or forecast share has reached."""
        share = self.share_actual if kind == "actual" else self.share_forecast
        return [t for t in getattr(self.budget.thresholds, kind) if share >= t]

    def alerts(self) -> list[str]:
        """``actual ≥ 80%``-style words for each threshold crossed (the highest of each kind)."""
        out = []
        for kind in ("actual", "forecast"):
            crossed = self.crossed(kind)
            if crossed:
                out.append(f"{kind} ≥ {max(crossed):.0%}")
        return out


@dataclass(frozen=True)
class BudgetReport:
    month: Period
    as_of: dt.date
    coverage_start: dt.date
    statuses: list[BudgetStatus] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def group_series(
    rows: Iterable[CostRowLike], keys: Sequence[str], metric: Metric
) -> dict[tuple[Group, str], dict[dt.date, Decimal]]:
    """Rows grouped by ``keys`` + ``day`` -> one daily series per (group, currency).

    The currency is part of the key: costs in different currencies are never added up.
    """
    out: dict[tuple[Group, str], dict[dt.date, Decimal]] = {}
    for row in rows:
        day = row.keys.get("day")
        if day is None:
            continue
        d = dt.date.fromisoformat(day[:10])
        s = out.setdefault((tuple(row.keys.get(k) for k in keys), row.currency), {})
        s[d] = s.get(d, Decimal(0)) + getattr(row, metric)
    return out


def evaluate(
    budget: Budget,
    rows: Sequence[CostRowLike],
    month: Period,
    as_of: dt.date,
    coverage_start: dt.date,
) -> tuple[BudgetStatus, list[str]]:
    """A budget's status from its scope's daily rows; warnings for an empty scope or currency."""
    groups = group_series(rows, [], budget.metric)
    daily = groups.get(((), budget.currency), {})
    others = {currency for _, currency in groups} - {budget.currency}
    warnings = []
    if not rows:
        warnings.append(
            f"budget {budget.name!r}: scope {budget.scope.label} matches no cost in the sources"
        )
    elif others and not daily:
        warnings.append(
            f"budget {budget.name!r} is in {budget.currency} but the costs in its scope are in "
            f"{', '.join(sorted(others))}; set its currency to match"
        )
    fc = forecast_month(daily, month, as_of, coverage_start)
    return BudgetStatus(budget, fc, matched=bool(rows), daily=daily), warnings


def aggregate_costs(
    paths: Sequence[Path],
    by: list[str],
    period: Period | None = None,
    filters: dict[str, str] | None = None,
    *,
    window: Period | None = None,
    notes: Any = None,
) -> Sequence[CostRowLike]:
    """FOCUS costs grouped by ``by``: ``period`` selects billing months, ``window`` charge
    days, on the selected engine (imported on use: engines stay out of start-up)."""
    from lepton_cli.billing.query import aggregate

    return aggregate(paths, by, period=period, filters=filters, window=window, notes=notes)


@dataclass(frozen=True)
class Coverage:
    """What the sources hold: the charge days and the billing months with rows."""

    days: list[dt.date]
    months: list[str]  # YYYY-MM of BillingPeriodStart


def coverage(paths: Sequence[Path], notes: Any = None) -> list[dt.date]:
    """Every day with at least one cost row in the sources, sorted; InputError if none."""
    return _coverage(paths, notes).days


def _coverage(paths: Sequence[Path], notes: Any = None) -> Coverage:
    rows = aggregate_costs(paths, ["month", "day"], notes=notes)
    found = sorted({dt.date.fromisoformat(d[:10]) for r in rows if (d := r.keys.get("day"))})
    if not found:
        raise InputError("the sources hold no cost rows", hint="check the --source paths")
    months = sorted({m for r in rows if (m := r.keys.get("month"))})
    return Coverage(found, months)


def _pick_month(seen: Coverage, month: Period | None) -> Period:
    """The billing month to report (default: the latest invoiced in the data)."""
    month = month or Period.month(seen.months[-1])
    if month.label not in seen.months:
        raise InputError(
            f"the sources hold no cost billed in {month.label}",
            hint=f"their billing months are {', '.join(seen.months)}; pick --month among them",
        )
    return month


def _clamp(day: dt.date, month: Period) -> dt.date:
    return min(max(day, month.start), month.end - dt.timedelta(days=1))


def month_series(
    paths: Sequence[Path],
    month: Period,
    coverage_start: dt.date,
    filters: dict[str, str] | None,
    notes: Any = None,
) -> tuple[list[CostRowLike], dt.date | None]:
    """Daily rows for a billing month's forecast, and the last day with data in it.

    The month's invoice rows by charge day (clamped into the month, so the month's total is
    its invoice's), preceded by the charges of the trailing window before the month.
    """
    billed = aggregate_costs(paths, ["day"], month, filters, notes=notes)
    rows: list[CostRowLike] = [_moved(r, month) for r in billed]
    start = max(month.start - dt.timedelta(days=TRAILING_DAYS), coverage_start)
    if start < month.start:
        window = Period(start=start, end=month.start)
        rows += aggregate_costs(paths, ["day"], filters=filters, window=window, notes=notes)
    days_in = [dt.date.fromisoformat(d) for r in rows[: len(billed)] if (d := r.keys.get("day"))]
    return rows, max(days_in) if days_in else None


@dataclass(frozen=True)
class _DayRow:
    keys: Mapping[str, str | None]
    currency: str
    billed_cost: Decimal
    effective_cost: Decimal


def _moved(row: CostRowLike, month: Period) -> CostRowLike:
    day = row.keys.get("day")
    if day is None:
        return row
    moved = _clamp(dt.date.fromisoformat(day[:10]), month).isoformat()
    return _DayRow({"day": moved}, row.currency, row.billed_cost, row.effective_cost)


def budget_report(
    paths: Sequence[Path],
    budgets: Sequence[Budget],
    month: Period | None = None,
    notes: Any = None,
) -> BudgetReport:
    """Month-to-date actual (the billing month's invoice so far), forecast and share used of
    each budget, from FOCUS exports; what the reads noted (superseded files) is in warnings."""
    from lepton_cli.billing.query import Notes

    notes = notes if notes is not None else Notes()
    seen = _coverage(paths, notes)
    month = _pick_month(seen, month)
    first = seen.days[0]
    _, last = month_series(paths, month, month.start, None, notes)
    as_of = last or month.start
    report = BudgetReport(month, as_of, first)
    for budget in budgets:
        rows, _ = month_series(paths, month, first, budget.scope.filters or None, notes)
        status, warnings = evaluate(budget, rows, month, as_of, first)
        report.statuses.append(status)
        report.warnings.extend(warnings)
    report.warnings[:0] = notes.lines()
    return report
