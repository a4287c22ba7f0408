"""`lepton anomalies`: days whose cost departs from its own recent history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

import typer

from lepton_cli.cli import common
from lepton_cli.cli.notify_options import NotifyOption, NotifyTimeoutOption, send, webhook
from lepton_cli.errors import GateError, UsageError
from lepton_cli.models.money import fmt_money, to_cents
from lepton_cli.report import Format, Table, View


def _parse_by(text: str) -> list[str]:
    from lepton_cli.analysis.budgets import dimensions

    known = dimensions()
    keys = [k.strip() for k in text.split(",") if k.strip()]
    bad = [k for k in keys if k not in known and not k.startswith("tag:")]
    if bad or not keys:
        raise UsageError(
            f"--by {text!r}: unknown dimension {', '.join(bad) or '(empty)'}",
            hint=f"use a comma-separated list of {', '.join(known)} or tag:KEY",
        )
    return keys


def _drivers(a: Any) -> str:
    return ", ".join(
        f"{d.resource_id} {'+' if d.delta >= 0 else '-'}{fmt_money(abs(d.delta), a.currency)}"
        for d in a.drivers
    )


def _row(a: Any) -> list[Any]:
    return [
        str(a.day),
        a.label(),
        a.currency,
        to_cents(a.expected),
        to_cents(a.actual),
        to_cents(a.delta),
        f"{a.score:.1f}",
        _drivers(a),
    ]


def _view(report: Any) -> View:
    from lepton_cli.analysis.anomaly_list import anomaly_list

    last = report.checked.end - dt.timedelta(days=1)  # the period's end is exclusive
    lines = [
        f"{len(report.anomalies)} anomalies from {report.checked.start} to {last} "
        f"by {','.join(report.by)}; method: {report.method}"
    ]
    cols = ["day", "group", "currency", "expected", "actual", "delta", "score", "top resources"]
    rows = [_row(a) for a in report.anomalies]
    doc = anomaly_list(report).data()
    return View(doc, [Table("Cost anomalies", cols, rows, frozenset(cols[3:7]))], lines)


def _alert_lines(report: Any) -> list[str]:
    return [
        f"{a.day} *{a.label()}*: {fmt_money(a.actual, a.currency)} vs expected "
        f"{fmt_money(a.expected, a.currency)}" + (f" (top: {_drivers(a)})" if a.drivers else "")
        for a in report.anomalies
    ]


def anomalies(
    source: common.SourceOption = None,
    by: Annotated[
        str, typer.Option("--by", help="Group costs by these dimensions (comma-separated).")
    ] = "service,account",
    days: Annotated[int, typer.Option("--days", min=1, help="Check the last N days of data.")] = 14,
    window: Annotated[
        int, typer.Option("--window", min=3, help="Days of history each day is judged against.")
    ] = 14,
    threshold: Annotated[
        float, typer.Option("--threshold", min=0.1, help="Robust z-score above which to flag.")
    ] = 3.5,
    min_delta: Annotated[
        float, typer.Option("--min-delta", min=0, help="Ignore departures smaller than this.")
    ] = 1.0,
    include_drops: Annotated[
        bool, typer.Option("--include-drops", help="Flag sudden drops too, not only spikes.")
    ] = False,
    fail_on_anomaly: Annotated[
        bool, typer.Option("--fail-on-anomaly", help="Exit 8 when an anomaly is found.")
    ] = False,
    notify: NotifyOption = None,
    notify_timeout: NotifyTimeoutOption = 10.0,
    fmt: common.FormatOption = Format.TABLE,
) -> None:
    """Find days whose cost per group departs from that group's own recent history, with the
    expected and actual cost and the resources that drove it.

    Method: the expected cost is the median of the previous --window days and the spread their
    median absolute deviation (MAD x 1.4826); a day is an anomaly when its robust z-score
    exceeds --threshold and it differs by at least --min-delta.

    Example: lepton anomalies --source focus-2026-10.csv --by service,account --fail-on-anomaly
    """
    from lepton_cli.analysis.anomalies import AnomalySettings, find_anomalies

    if not source:
        raise UsageError("give the FOCUS exports with --source", hint="e.g. --source focus.csv")
    target = webhook(common.settings(), notify)
    cfg = AnomalySettings(
        window=window,
        threshold=threshold,
        min_delta=Decimal(str(min_delta)),
        include_drops=include_drops,
    )
    report = find_anomalies(source, _parse_by(by), days, cfg)
    for warning in report.warnings:
        common.warn(warning)
    common.emit(_view(report), fmt)
    title = f"lepton: {len(report.anomalies)} cost anomalies"
    send(target, notify_timeout, title, _alert_lines(report))
    if fail_on_anomaly and report.anomalies:
        raise GateError(
            f"{len(report.anomalies)} cost anomalies found",
            hint="see the table above for the days and the resources that drove them",
        )


def register(app: typer.Typer) -> None:
    """Add `lepton anomalies` to ``app``."""
    app.command("anomalies")(anomalies)
