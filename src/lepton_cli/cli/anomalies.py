"""`lepton anomalies`: days whose cost departs from its own recent history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

import typer

from lepton_cli.cli import common
from lepton_cli.cli.budget import NotifyOption, NotifyTimeoutOption, send
from lepton_cli.errors import GateError, UsageError
from lepton_cli.models import API_VERSION
from lepton_cli.models.money import fmt_money, to_cents
from lepton_cli.report import Format, Table, View

_DIMENSIONS = (
    "provider",
    "service",
    "service_category",
    "region",
    "account",
    "sub_account",
    "resource_type",
    "pricing",
    "charge_category",
    "sku",
)


def _parse_by(text: str) -> list[str]:
    keys = [k.strip() for k in text.split(",") if k.strip()]
    bad = [k for k in keys if k not in _DIMENSIONS and not k.startswith("tag:")]
    if bad or not keys:
        raise UsageError(
            f"--by {text!r}: unknown dimension {', '.join(bad) or '(empty)'}",
            hint=f"use a comma-separated list of {', '.join(_DIMENSIONS)} or tag:KEY",
        )
    return keys


def _drivers(a: Any, currency: str) -> str:
    return ", ".join(
        f"{d.resource_id} {'+' if d.delta >= 0 else '-'}{fmt_money(abs(d.delta), currency)}"
        for d in a.drivers
    )


def _row(a: Any, currency: str) -> list[Any]:
    return [
        str(a.day),
        a.label(),
        to_cents(a.expected),
        to_cents(a.actual),
        to_cents(a.delta),
        f"{a.score:.1f}",
        _drivers(a, currency),
    ]


def _doc(a: Any) -> dict[str, Any]:
    return {
        "day": a.day,
        "group": a.group,
        "expected": to_cents(a.expected),
        "actual": to_cents(a.actual),
        "delta": to_cents(a.delta),
        "score": round(a.score, 2),
        "drivers": [
            {
                "resource_id": d.resource_id,
                "expected": to_cents(d.expected),
                "actual": to_cents(d.actual),
                "delta": to_cents(d.delta),
            }
            for d in a.drivers
        ],
    }


def _view(report: Any) -> View:
    cur = report.currency
    last = report.checked.end - dt.timedelta(days=1)  # the period's end is exclusive
    lines = [
        f"{len(report.anomalies)} anomalies from {report.checked.start} to {last} "
        f"by {','.join(report.by)}; method: {report.method}"
    ]
    cols = ["day", "group", "expected", "actual", "delta", "score", "top resources"]
    rows = [_row(a, cur) for a in report.anomalies]
    doc = {
        "apiVersion": API_VERSION,
        "kind": "Anomalies",
        "by": report.by,
        "currency": cur,
        "checked": {"start": report.checked.start, "end": report.checked.end},
        "method": report.method,
        "anomalies": [_doc(a) for a in report.anomalies],
    }
    return View(doc, [Table("Cost anomalies", cols, rows, frozenset(cols[2:6]))], lines)


def _alert_lines(report: Any) -> list[str]:
    cur = report.currency
    return [
        f"{a.day} *{a.label()}*: {fmt_money(a.actual, cur)} vs expected "
        f"{fmt_money(a.expected, cur)}" + (f" (top: {_drivers(a, cur)})" if a.drivers else "")
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
    from lepton_cli.analysis.anomalies import Settings, find_anomalies

    if not source:
        raise UsageError("give the FOCUS exports with --source", hint="e.g. --source focus.csv")
    settings = common.settings()
    cfg = Settings(
        window=window,
        threshold=threshold,
        min_delta=Decimal(str(min_delta)),
        include_drops=include_drops,
    )
    report = find_anomalies(source, _parse_by(by), days, cfg)
    common.emit(_view(report), fmt)
    title = f"lepton: {len(report.anomalies)} cost anomalies"
    send(settings, notify, notify_timeout, title, _alert_lines(report))
    if fail_on_anomaly and report.anomalies:
        raise GateError(
            f"{len(report.anomalies)} cost anomalies found",
            hint="see the table above for the days and the resources that drove them",
        )


def register(app: typer.Typer) -> None:
    """Add `lepton anomalies` to ``app``."""
    app.command("anomalies")(anomalies)
