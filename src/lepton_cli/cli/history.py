"""`lepton history`: the trend of cost, waste and savings found by past scan and optimize runs."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import typer

from lepton_cli.cli import common
from lepton_cli.models.money import fmt_money
from lepton_cli.report import Format, Table, View

DEFAULT_CURRENCY = "USD"  # of runs recorded without one
METRICS = (("cost", "cost"), ("waste", "waste"), ("idle_cost", "idle cost"), ("savings", "savings"))


def _chart_line(name: str, values: list[Decimal | None], currency: str) -> str | None:
    from lepton_cli.history import sparkline

    known = [v for v in values if v is not None]
    if not known:
        return None
    ends = f"{fmt_money(known[0], currency)} → {fmt_money(known[-1], currency)}"
    return f"  {name:<9} {sparkline(values)}  {ends}"


def _charts(entries: list[Any]) -> list[str]:
    """One chart per kind of run and currency: a scan's waste and an optimize run's idle cost
    measure different things, and money in two currencies cannot share an axis."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for e in entries:
        groups.setdefault((e.kind, e.currency or DEFAULT_CURRENCY), []).append(e)
    lines = []
    for (kind, currency), runs in sorted(groups.items()):
        lines.append(f"{kind} runs in {currency}:")
        for metric, name in METRICS:
            line = _chart_line(name, [getattr(e, metric) for e in runs], currency)
            lines += [line] if line else []
    return lines


def _row(r: Any) -> list[Any]:
    when = f"{r.recorded_at:%Y-%m-%d %H:%M}"
    return [when, r.kind, r.currency, r.cost, r.waste, r.idle_cost, r.savings]


def _view(entries: list[Any], path: str) -> View:
    from lepton_cli.history import history_document

    lines = [f"{len(entries)} runs recorded in {path}", *_charts(entries)]
    cols = ["recorded", "kind", "currency", "monthly cost", "waste", "idle cost", "savings found"]
    doc = history_document(entries)
    rows = [_row(r) for r in doc.runs]
    return View(doc.data(), [Table("History", cols, rows, frozenset(cols[3:]))], lines)


def history(
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only runs of this kind (scan or optimize).")
    ] = None,
    last: Annotated[int, typer.Option("--last", min=1, help="Show the last N runs.")] = 30,
    fmt: common.FormatOption = Format.TABLE,
) -> None:
    """Show the trend of monthly cost, waste and savings found over past runs, as a table and
    a terminal chart. Runs are recorded by `lepton scan` and `lepton optimize` (unless
    --no-history) in history.duckdb in the data directory (data_dir in lepton.yaml).

    Each figure has its own column: a scan's waste (what its findings would save), an optimize
    run's idle cost (the idle share of the current fleet) and savings (what its plan saves).

    Example: lepton history --kind scan --last 12
    """
    from lepton_cli.history import entries, history_path

    settings = common.settings()
    notes: list[str] = []
    found = entries(settings, kind=kind, last=last, notes=notes)
    for note in notes:
        common.warn(note)
    if not found:
        common.info("no runs recorded yet: `lepton scan` and `lepton optimize` record them")
    common.emit(_view(found, str(history_path(settings))), fmt)


def register(app: typer.Typer) -> None:
    """Add `lepton history` to ``app``."""
    app.command("history")(history)
