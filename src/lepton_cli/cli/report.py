"""`lepton report`: billed, effective and list cost per group and currency."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import typer

from lepton_cli.analysis.breakdown import fleet_metrics
from lepton_cli.analysis.summary import group_resources
from lepton_cli.cli import common
from lepton_cli.errors import UsageError
from lepton_cli.models import Inventory, Period
from lepton_cli.report import Format, Table, View
from lepton_cli.report.charts import treemap
from lepton_cli.sources import classify, load_inventory

MONEY = ("billed_cost", "effective_cost", "list_cost")
FLEET = ("used_cost", "idle_cost", "efficiency")


def report(
    source: common.SourceOption = None,
    by: Annotated[
        str,
        typer.Option(
            "--by", help="Group by: provider, service, region, account, tag:KEY (comma-separated)."
        ),
    ] = "provider,service",
    period: Annotated[
        str | None, typer.Option(help="Only charges in this month, YYYY-MM (FOCUS sources).")
    ] = None,
    output: common.OutputOption = None,
    fmt: common.FormatOption = Format.TABLE,
) -> None:
    """Cost per group and currency, sorted by cost. Billing rows come from FOCUS exports when
    given, else from the inventory's run-rate (hourly x 730), with used cost, idle cost and
    efficiency.

    Example: lepton report --source examples/acme/focus-2026-10.csv --by service,tag:team
    """
    keys = [k.strip() for k in by.split(",") if k.strip()]
    if not keys:
        raise UsageError("--by is empty", hint="e.g. --by provider,service")
    if not source:
        raise UsageError("no --source given", hint="pass --source FILE (repeatable)")
    month = Period.month(period) if period else None
    files = classify(source)
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
    with common.status("aggregating costs"):
        if files.focus:
            rows = _focus_rows(files.focus, keys, month)
            currency_note = None
        else:
            inventory = load_inventory(files.inventories)
            rows = _inventory_rows(inventory, keys)
            currency_note = inventory.currency
    common.emit_or_write(_view(keys, rows, month, currency_note), fmt, output, "report")


def _focus_rows(paths: Any, keys: list[str], month: Period | None) -> list[dict[str, Any]]:
    from lepton_cli.providers.focus.query import aggregate

    return [
        {
            **row.keys,
            "currency": row.currency,
            "billed_cost": row.billed_cost,
            "effective_cost": row.effective_cost,
            "list_cost": row.list_cost,
        }
        for row in aggregate(paths, keys, month)
    ]


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
    columns = list(rows[0]) if rows else [*keys, "currency", *MONEY]
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
