"""`lepton report`: billed, effective and list cost per group and currency.

From FOCUS exports, months are billing months (the invoice's, BillingPeriodStart) unless
``--basis charge``; corrections are counted in the month that invoices them and shown apart;
superseded deliveries of an export are named; FOCUS 1.2 amounts in a pricing currency other
than the billing one (credits, tokens) are a table of their own, never added to money.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from lepton_cli.analysis.report import CostReport, focus_report, inventory_report
from lepton_cli.cli import common
from lepton_cli.errors import UsageError
from lepton_cli.models import Period
from lepton_cli.models.document import data as as_data
from lepton_cli.report import Chart, Format, Table, View
from lepton_cli.report.charts import stacked_daily, treemap
from lepton_cli.sources import classify, load_inventory

MONEY = ("billed_cost", "effective_cost", "list_cost", "corrections")
FLEET = ("used_cost", "idle_cost", "efficiency")
TOTAL = "(total)"  # the label of the table's fleet-total row


class BasisOption(StrEnum):
    BILLING = "billing"
    CHARGE = "charge"


def report(
    source: common.SourceOption = None,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="Group by (comma-separated): provider, service, region, account, month, day, "
            "tag:KEY, or any FOCUS column in snake case (invoice_issuer, invoice_id, "
            "billing_account, sub_account, host_provider, service_provider, charge_category, "
            "charge_class, pricing_category, commitment_discount, service_category, ...).",
        ),
    ] = "provider,service",
    period: Annotated[
        str | None,
        typer.Option(
            help="Only this month, YYYY-MM (FOCUS sources): the billing month (invoice), or "
            "the charge month with --basis charge."
        ),
    ] = None,
    basis: Annotated[
        BasisOption,
        typer.Option(
            "--basis",
            help="Months by billing period (the invoice, default) or by charge period "
            "(charges spanning months are split pro rata by hours).",
            case_sensitive=False,
        ),
    ] = BasisOption.BILLING,
    output: common.OutputOption = None,
    fmt: common.FormatOption = Format.TABLE,
) -> None:
    """Cost per group and currency, sorted by cost. Billing rows come from FOCUS exports when
    given, else from the inventory's run-rate (hourly x 730), with used cost, idle cost and
    efficiency.

    Example: lepton report --source examples/acme/focus-2026-10.csv --by service,tag:team

    Example (the invoice view): lepton report -s exports/ --by invoice_issuer,service_provider
    --period 2026-10
    """
    keys = [k.strip() for k in by.split(",") if k.strip()]
    if not keys:
        raise UsageError("--by is empty", hint="e.g. --by provider,service")
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise UsageError(f"--by names {', '.join(repeated)} twice", hint="name each key once")
    table = not source and _engine_table()
    if not source and not table:
        raise UsageError("no --source given", hint="pass --source FILE (repeatable)")
    month = Period.month(period) if period else None
    files = classify(source or [])
    if files.focus and files.inventories:  # billed cost and run-rate would count spend twice
        raise UsageError(
            "report reads either FOCUS exports or inventories, not both at once",
            hint="run one report per kind of source",
        )
    if month and files.inventories:
        raise UsageError(
            "--period applies to FOCUS exports; an inventory is a monthly run-rate",
            hint="drop --period, or report on a FOCUS export",
        )
    if basis is not BasisOption.BILLING and files.inventories:
        raise UsageError("--basis applies to FOCUS exports", hint="drop --basis")
    with common.status("aggregating costs"):
        if files.focus or table:
            view = _view(_focus_report(files.focus, keys, month, basis))
            if _html(fmt, output):
                view.charts[:0] = _daily_chart(files.focus, keys[0], month, basis)
        else:
            view = _view(inventory_report(load_inventory(files.inventories), keys))
    common.emit_or_write(view, fmt, output, "report")


def _engine_table() -> bool:
    """Whether the billing engine reads a table (athena, bigquery, trino, spark `table:`), so
    that a report needs no --source (an engine that reads only tables says which it lacks)."""
    from lepton_cli.billing import engines

    engine = engines.selected()
    return engine.table is not None or engine.reads_tables_only


def _html(fmt: Format, output: Path | None) -> bool:
    wanted = common.file_format(fmt, output) if output is not None else fmt
    return wanted is Format.HTML


def _daily_chart(paths: Any, key: str, month: Period | None, basis: BasisOption) -> list[Chart]:
    """The HTML page's daily cost, stacked by the first --by key (one more query)."""
    from lepton_cli.billing.query import Basis, aggregate

    by = [key] if key == "day" else ["day", key]
    chart = stacked_daily(aggregate(paths, by, month, basis=Basis(basis.value)), key)
    return [chart] if chart else []


def _focus_report(
    paths: Any, keys: list[str], month: Period | None, basis: BasisOption
) -> CostReport:
    from lepton_cli.billing.query import Basis, Notes

    notes = Notes()
    doc = focus_report(paths, keys, month, Basis(basis.value), notes)
    for line in notes.lines():
        common.warn(line)
    return doc


def _view(doc: CostReport) -> View:
    """The rows, then the inventory's fleet total as a last row; the pricing-currency table."""
    data = doc.data()
    keys = doc.by
    rows: list[dict[str, Any]] = list(data["rows"])
    if doc.total is not None:
        rows.append({**dict.fromkeys(keys, TOTAL), **as_data(doc.total)})
    columns = _columns(keys, rows)
    if doc.total is not None:  # a run-rate has one figure: billed = effective = list
        columns = [c for c in columns if c not in ("effective_cost", "list_cost")]
    right = frozenset((*MONEY, *FLEET))
    table_rows = [[r.get(c) for c in columns] for r in rows]
    tables = [Table("Cost by " + ", ".join(keys), columns, table_rows, right)]
    tables += _pricing_currency_table(keys, data.get("pricing_currency") or [])
    charts = [c for c in [treemap(data["rows"], keys, "billed_cost")] if c]
    return View(data, tables, _lines(doc), charts=charts, title="lepton report")


def _lines(doc: CostReport) -> list[str]:
    lines = [_totals_line(doc)] if doc.rows else ["no cost rows matched"]
    if doc.total is not None:
        lines.append("run-rate from the inventory: hourly cost x 730 hours a month")
    if doc.corrections:
        parts = "; ".join(
            f"{c.billed_cost.quantize(Decimal('0.01')):,} {c.currency}" for c in doc.corrections
        )
        lines.append(f"of which corrections (ChargeClass Correction): {parts}")
    return lines


def _pricing_currency_table(keys: list[str], rows: list[dict[str, Any]]) -> list[Table]:
    """FOCUS 1.2 virtual-currency amounts: their own table, never added to money."""
    if not rows:
        return []
    columns = [*[k for k in keys if not k.startswith("tag:")], "pricing_currency", "amount"]
    return [
        Table(
            "Amounts in a pricing currency (PricingCurrencyEffectiveCost; not money)",
            columns,
            [[r.get(c) for c in columns] for r in rows],
            frozenset({"amount"}),
        )
    ]


def _columns(keys: list[str], rows: list[dict[str, Any]]) -> list[str]:
    """The columns of every row, in first-seen order (a corrections column only when any)."""
    columns = list(rows[0]) if rows else [*keys, "currency", *MONEY[:3]]
    for r in rows:
        columns += [c for c in r if c not in columns]
    return columns


def _totals_line(doc: CostReport) -> str:
    parts = [
        f"{amount.quantize(Decimal('0.01')):,} {cur}" for cur, amount in doc.billed_totals().items()
    ]
    return "billed total: " + "; ".join(parts)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
