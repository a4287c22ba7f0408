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

from lepton_cli.analysis.breakdown import fleet_metrics
from lepton_cli.analysis.summary import group_resources
from lepton_cli.cli import common
from lepton_cli.errors import UsageError
from lepton_cli.models import Inventory, Period
from lepton_cli.report import Chart, Format, Table, View
from lepton_cli.report.charts import stacked_daily, treemap
from lepton_cli.sources import classify, load_inventory

MONEY = ("billed_cost", "effective_cost", "list_cost", "corrections")
FLEET = ("used_cost", "idle_cost", "efficiency")


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
            view = _focus_view(files.focus, keys, month, basis)
            if _html(fmt, output):
                view.charts[:0] = _daily_chart(files.focus, keys[0], month, basis)
        else:
            inventory = load_inventory(files.inventories)
            rows = _inventory_rows(inventory, keys)
            view = _view(keys, rows, month, inventory.currency)
    common.emit_or_write(view, fmt, output, "report")


def _engine_table() -> bool:
    """Whether the billing engine reads a table (athena, bigquery, spark `table:`), so that
    a report needs no --source."""
    from lepton_cli.billing import engines

    return engines.selected().table is not None


def _html(fmt: Format, output: Path | None) -> bool:
    wanted = common.file_format(fmt, output) if output is not None else fmt
    return wanted is Format.HTML


def _daily_chart(paths: Any, key: str, month: Period | None, basis: BasisOption) -> list[Chart]:
    """The HTML page's daily cost, stacked by the first --by key (one more query)."""
    from lepton_cli.billing.query import Basis, aggregate

    by = [key] if key == "day" else ["day", key]
    chart = stacked_daily(aggregate(paths, by, month, basis=Basis(basis.value)), key)
    return [chart] if chart else []


def _focus_view(paths: Any, keys: list[str], month: Period | None, basis: BasisOption) -> View:
    from lepton_cli.billing.query import Basis, Notes, PricingCurrencyRow, aggregate

    notes = Notes()
    pricing: list[PricingCurrencyRow] = []
    found = aggregate(paths, keys, month, basis=Basis(basis.value), notes=notes, pricing=pricing)
    rows = [_focus_row(row) for row in found]
    view = _view(keys, rows, month, None)
    view.document["basis"] = basis.value
    for line in notes.lines():
        common.warn(line)
    if notes.superseded:
        view.document["superseded"] = [
            {"file": str(s.path), "by": [str(p) for p in s.by]} for s in notes.superseded
        ]
    _add_corrections(view, rows)
    _add_pricing_currency(view, pricing)
    return view


def _focus_row(row: Any) -> dict[str, Any]:
    out = {
        **row.keys,
        "currency": row.currency,
        "billed_cost": row.billed_cost,
        "effective_cost": row.effective_cost,
        "list_cost": row.list_cost,
    }
    if row.corrections:
        out["corrections"] = row.corrections
    return out


def _add_corrections(view: View, rows: list[dict[str, Any]]) -> None:
    """Corrections (ChargeClass = Correction) are in the totals; say how much, per currency."""
    per: dict[str, Decimal] = {}
    for r in rows:
        if r.get("corrections"):
            per[r["currency"]] = per.get(r["currency"], Decimal(0)) + r["corrections"]
    if not per:
        return
    view.document["corrections"] = [{"currency": c, "billed_cost": a} for c, a in per.items()]
    parts = "; ".join(f"{a.quantize(Decimal('0.01')):,} {c}" for c, a in per.items())
    view.lines.append(f"of which corrections (ChargeClass Correction): {parts}")


def _add_pricing_currency(view: View, found: list[Any]) -> None:
    """FOCUS 1.2 virtual-currency amounts: their own table, never added to money."""
    if not found:
        return
    keys = view.document["by"]
    rows = [
        {**r.keys, "pricing_currency": r.pricing_currency, "amount": r.effective_cost}
        for r in found
    ]
    view.document["pricing_currency"] = rows
    columns = [*[k for k in keys if not k.startswith("tag:")], "pricing_currency", "amount"]
    view.tables.append(
        Table(
            "Amounts in a pricing currency (PricingCurrencyEffectiveCost; not money)",
            columns,
            [[r.get(c) for c in columns] for r in rows],
            frozenset({"amount"}),
        )
    )


def _inventory_rows(inv: Inventory, keys: list[str]) -> list[dict[str, Any]]:
    rows = []
    for g in group_resources(inv.resources, keys):
        m = g.metrics
        rows.append(
            {
                **g.keys,
                "currency": inv.currency,
                "billed_cost": m.monthly_cost,
                "effective_cost": m.monthly_cost,
                "list_cost": m.monthly_cost,
                "used_cost": m.used_cost,
                "idle_cost": m.idle_cost,
                "efficiency": round(m.efficiency, 6),
            }
        )
    if rows:
        total = fleet_metrics(inv.resources)
        rows.append(
            {
                **dict.fromkeys(keys, "(total)"),
                "currency": inv.currency,
                "billed_cost": total.monthly_cost,
                "effective_cost": total.monthly_cost,
                "list_cost": total.monthly_cost,
                "used_cost": total.used_cost,
                "idle_cost": total.idle_cost,
                "efficiency": round(total.efficiency, 6),
            }
        )
    return rows


def _view(
    keys: list[str], rows: list[dict[str, Any]], month: Period | None, fleet_currency: str | None
) -> View:
    document: dict[str, Any] = {"apiVersion": "lepton/v1", "kind": "Report", "by": keys}
    if month:
        document["period"] = month.label
    document["rows"] = [r for r in rows if r[keys[0]] != "(total)"] if fleet_currency else rows
    columns = _columns(keys, rows)
    if fleet_currency:  # a run-rate has one figure: billed = effective = list
        columns = [c for c in columns if c not in ("effective_cost", "list_cost")]
    right = frozenset((*MONEY, *FLEET))
    table_rows = [[r.get(c) for c in columns] for r in rows]
    table = Table("Cost by " + ", ".join(keys), columns, table_rows, right)
    lines = [_totals_line(rows, keys)] if rows else ["no cost rows matched"]
    if fleet_currency:
        lines.append("run-rate from the inventory: hourly cost x 730 hours a month")
    charts = [c for c in [treemap(document["rows"], keys, "billed_cost")] if c]
    return View(document, [table], lines, charts=charts, title="lepton report")


def _columns(keys: list[str], rows: list[dict[str, Any]]) -> list[str]:
    """The columns of every row, in first-seen order (a corrections column only when any)."""
    columns = list(rows[0]) if rows else [*keys, "currency", *MONEY[:3]]
    for r in rows:
        columns += [c for c in r if c not in columns]
    return columns


def _totals_line(rows: list[dict[str, Any]], keys: list[str]) -> str:
    per_currency: dict[str, Decimal] = {}
    for r in rows:
        if r[keys[0]] != "(total)":
            per_currency[r["currency"]] = (
                per_currency.get(r["currency"], Decimal(0)) + r["billed_cost"]
            )
    parts = [f"{amount.quantize(Decimal('0.01')):,} {cur}" for cur, amount in per_currency.items()]
    return "billed total: " + "; ".join(parts)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
