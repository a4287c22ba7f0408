"""`lepton budget status`: month-to-date cost, forecast and share of each budget in lepton.yaml."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from lepton_cli.cli import common
from lepton_cli.cli.notify_options import NotifyOption, NotifyTimeoutOption, send, webhook
from lepton_cli.errors import GateError, UsageError
from lepton_cli.models import Period
from lepton_cli.models.money import fmt_money
from lepton_cli.report import Format, Table, View

budget_app = typer.Typer(help="Budgets from lepton.yaml, against FOCUS cost exports.")

_EXAMPLE = """budgets:
  - {name: total, amount: 40000, scope: total}
  - {name: payments, amount: 5000, scope: tag:team=payments,
     thresholds: {actual: [0.8, 1.0], forecast: [1.0]}}"""


class FailOn(StrEnum):
    ACTUAL = "actual"
    FORECAST = "forecast"


def _status_row(s: Any) -> list[Any]:
    b, fc = s.budget, s.forecast
    return [
        b.name,
        b.scope.label,
        fmt_money(b.amount, b.currency),
        fmt_money(fc.actual, b.currency),
        f"{s.share_actual:.0%}",
        fmt_money(fc.forecast, b.currency),
        f"{s.share_forecast:.0%}",
        ", ".join(s.alerts()) or "ok",
    ]


def _view(report: Any, method: str) -> View:
    from lepton_cli.analysis.budget_status import budget_status

    days = f"{report.statuses[0].forecast.days_elapsed} of {report.month.days} days"
    lines = [f"{report.month.label}: costs through {report.as_of} ({days}); forecast: {method}"]
    cols = ["budget", "scope", "amount", "actual", "used", "forecast", "forecast used", "alert"]
    rows = [_status_row(s) for s in report.statuses]
    doc = budget_status(report, method).data()
    right = frozenset(cols[2:7])
    return View(doc, [Table(f"Budgets, {report.month.label}", cols, rows, right)], lines)


def _burn_downs(report: Any) -> list[Any]:
    """One burn-down chart per budget: actual, forecast with its band, the budget line."""
    from lepton_cli.analysis.forecast import forecast_path
    from lepton_cli.report.charts import burn_down

    return [
        burn_down(
            s.budget.name,
            s.budget.amount,
            s.budget.currency,
            forecast_path(s.daily, report.month, report.as_of, report.coverage_start),
        )
        for s in report.statuses
    ]


def _alert_lines(report: Any) -> list[str]:
    out = []
    for s in report.statuses:
        if s.alerts():
            b, fc = s.budget, s.forecast
            out.append(
                f"*{b.name}* ({b.scope.label}): actual {fmt_money(fc.actual, b.currency)} "
                f"({s.share_actual:.0%}), forecast {fmt_money(fc.forecast, b.currency)} "
                f"({s.share_forecast:.0%}) of {fmt_money(b.amount, b.currency)}: "
                f"{', '.join(s.alerts())}"
            )
    return out


def status(
    source: common.SourceOption = None,
    month: Annotated[
        str | None, typer.Option("--month", help="YYYY-MM; default: the latest month in the data.")
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option("--fail-on", help="Exit 8 when an actual (or forecast) threshold is crossed."),
    ] = None,
    notify: NotifyOption = None,
    notify_timeout: NotifyTimeoutOption = 10.0,
    fmt: common.FormatOption = Format.TABLE,
) -> None:
    """Month-to-date actual, forecast to month end and share used of each budget in lepton.yaml.

    Forecast method: daily run-rate over the trailing 28 days with day-of-week seasonality (each
    remaining day = the mean daily cost x that weekday's factor: its mean over the overall mean).

    Example: lepton budget status --source focus-2026-10.csv --fail-on forecast
    """
    from lepton_cli.analysis.budgets import budget_report, parse_budgets
    from lepton_cli.analysis.forecast import METHOD

    if not source:
        raise UsageError("give the FOCUS exports with --source", hint="e.g. --source focus.csv")
    settings = common.settings()
    origin = settings.origin_of("budgets")
    if not settings.budgets:
        raise UsageError(f"no budgets in {origin}", hint=f"add a section like:\n{_EXAMPLE}")
    budgets = parse_budgets(settings.budgets, origin)
    target = webhook(settings, notify)
    report = budget_report(source, budgets, Period.month(month) if month else None)
    for warning in report.warnings:
        common.warn(warning)
    view = _view(report, METHOD)
    if fmt is Format.HTML:
        view.charts, view.title = _burn_downs(report), "lepton budget status"
    common.emit(view, fmt)
    lines = _alert_lines(report)
    send(target, notify_timeout, f"lepton: budget alerts for {report.month.label}", lines)
    _gate(report, fail_on)


def _gate(report: Any, fail_on: FailOn | None) -> None:
    if fail_on is None:
        return
    hit = [s.budget.name for s in report.statuses if s.crossed(fail_on.value)]
    if hit:
        raise GateError(
            f"{len(hit)} budget(s) crossed a {fail_on.value} threshold: {', '.join(hit)}",
            hint="see the table above; raise the budget or cut the spend",
        )


def register(app: typer.Typer) -> None:
    """Add `lepton budget status` to ``app``."""
    budget_app.command("status")(status)
    app.add_typer(budget_app, name="budget")
