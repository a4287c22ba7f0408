"""`lepton scan`: what you run, what it costs, and what is wasted."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Annotated, Any

import typer

from lepton_cli.analysis.summary import group_resources
from lepton_cli.analysis.waste import Finding, findings
from lepton_cli.cli import common
from lepton_cli.config import Settings
from lepton_cli.errors import ProviderError, UsageError
from lepton_cli.fileio import dump_yaml
from lepton_cli.models import CostRecord, Inventory, Period, fmt_money
from lepton_cli.providers.base import Capability, Scope, ScopeFailure
from lepton_cli.report import Format, Table, View
from lepton_cli.sources import build_provider, load_inventory

FORMATS = (Format.TABLE, Format.YAML, Format.JSON, Format.CSV, Format.MARKDOWN)


def scan(
    source: common.SourceOption = None,
    provider: Annotated[
        list[str] | None,
        typer.Option("--provider", "-p", help="Read live from a provider (aws, azure, gcp, ...)."),
    ] = None,
    account: Annotated[
        list[str] | None,
        typer.Option("--account", help="Only these accounts/subscriptions/projects."),
    ] = None,
    region: Annotated[
        list[str] | None, typer.Option("--region", help="Only these regions.")
    ] = None,
    days: Annotated[int, typer.Option(help="Utilisation look-back in days.", min=1)] = 14,
    period: Annotated[
        str | None,
        typer.Option(help="Billing month for live costs, YYYY-MM (default: last month)."),
    ] = None,
    no_costs: Annotated[bool, typer.Option("--no-costs", help="Skip billing queries.")] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Bypass the on-disk API cache.")
    ] = False,
    allow_partial: Annotated[
        bool, typer.Option("--allow-partial", help="Exit 0 when some regions or accounts failed.")
    ] = False,
    idle_threshold: Annotated[
        float | None, typer.Option(help="cpu_p95 under this share is idle (default 0.05).")
    ] = None,
    history: Annotated[
        bool | None, typer.Option("--history/--no-history", help="Record this run's summary.")
    ] = None,
    output: common.OutputOption = None,
    fmt: common.FormatOption = Format.TABLE,
) -> None:
    """Scan inventories, FOCUS exports or live providers: summary, then waste with savings.

    Example: lepton scan --source examples/acme/inventory.yaml -o scan.yaml
    """
    common.check_format(fmt, FORMATS)
    settings = common.settings(idle_threshold=idle_threshold, history=history)
    if not source and not provider:
        raise UsageError("nothing to scan", hint="pass --source PATH or --provider NAME")
    inventory = Inventory()
    records: list[CostRecord] = []
    failures: list[ScopeFailure] = []
    if source:
        with common.status("reading sources") as say:
            inventory = load_inventory(source, progress=say)
    for name in provider or []:
        inv, recs, fails = _scan_provider(
            name, settings, account, region, days, period, no_costs, no_cache
        )
        inventory, records, failures = inventory.merged(inv), [*records, *recs], [*failures, *fails]
    found = findings(inventory, settings)
    if output:
        common.write_output(output, dump_yaml(inventory), "inventory")
    common.emit(_view(inventory, found, records, failures), fmt)
    _record_history(settings, inventory, found)
    _finish(failures, allow_partial)


def _scan_provider(
    name: str,
    settings: Settings,
    accounts: Sequence[str] | None,
    regions: Sequence[str] | None,
    days: int,
    period: str | None,
    no_costs: bool,
    no_cache: bool,
) -> tuple[Inventory, list[CostRecord], list[ScopeFailure]]:
    prov = build_provider(name, settings, use_cache=not no_cache)
    scope = Scope(accounts=tuple(accounts or ()), regions=tuple(regions or ()), days=days)
    with common.status(f"scanning {name}"):
        resources = list(prov.inventory(scope))
        records: list[CostRecord] = []
        if Capability.COSTS in prov.capabilities and not no_costs:
            month = Period.month(period) if period else Period.last_full_month()
            records = list(prov.costs(month))
    return Inventory(resources=resources), records, list(prov.failures)


def _view(
    inv: Inventory, found: list[Finding], records: list[CostRecord], failures: list[ScopeFailure]
) -> View:
    groups = group_resources(inv.resources, ["provider", "account", "region", "kind"])
    total = sum((r.monthly_cost for r in inv.resources), Decimal(0))
    waste = sum((f.monthly_saving for f in found), Decimal(0))
    summary_rows = [
        {**g.keys, "resources": len(g.resources), "monthly_cost": g.metrics.monthly_cost}
        for g in groups
    ]
    finding_rows = [_finding_row(f) for f in found]
    cost_rows = _cost_rows(records)
    document: dict[str, Any] = {
        "apiVersion": "lepton/v1",
        "kind": "ScanReport",
        "currency": inv.currency,
        "totals": {
            "resources": len(inv.resources),
            "monthly_cost": total,
            "monthly_waste": waste,
            "findings": len(found),
        },
        "summary": summary_rows,
        "findings": finding_rows,
    }
    if cost_rows:
        document["billed_costs"] = cost_rows
    if failures:
        document["failures"] = [_failure_row(f) for f in failures]
    lines = [
        f"{len(inv.resources)} resources, {fmt_money(total, inv.currency)}/month; "
        f"{len(found)} findings would save {fmt_money(waste, inv.currency)}/month"
    ]
    tables = [
        Table(
            "Findings (monthly savings)",
            ["resource", "provider", "finding", "reason", "saving"],
            [
                [f["resource"], f["provider"], f["finding"], f["reason"], f["monthly_saving"]]
                for f in finding_rows
            ],
            frozenset({"saving"}),
        ),
        _table(
            "Inventory by provider / account / region / kind",
            summary_rows,
            frozenset({"resources", "monthly_cost"}),
        ),
    ]
    if cost_rows:
        tables.append(
            _table(
                "Billed cost by service", cost_rows, frozenset({"billed_cost", "effective_cost"})
            )
        )
    if failures:
        tables.append(_table("Failed scopes", document["failures"], frozenset()))
    return View(document, tables, lines)


def _table(title: str, rows: list[dict[str, Any]], right: frozenset[str]) -> Table:
    columns = list(rows[0]) if rows else []
    return Table(title, columns, [list(r.values()) for r in rows], right)


def _finding_row(f: Finding) -> dict[str, Any]:
    r = f.resource
    return {
        "resource": r.id,
        "provider": r.provider,
        "account": r.account,
        "region": r.region,
        "finding": f.kind.value,
        "reason": f.reason,
        "monthly_saving": f.monthly_saving,
    }


def _failure_row(f: ScopeFailure) -> dict[str, Any]:
    return {"provider": f.provider, "scope": f.scope, "error": f.message, "hint": f.hint or ""}


def _cost_rows(records: Iterable[CostRecord]) -> list[dict[str, Any]]:
    sums: dict[tuple[str, str, str], list[Decimal]] = {}
    for rec in records:
        key = (rec.provider_name, rec.service_name or "(none)", rec.billing_currency)
        acc = sums.setdefault(key, [Decimal(0), Decimal(0)])
        acc[0] += rec.billed_cost
        acc[1] += rec.effective_cost
    rows = [
        {"provider": p, "service": s, "currency": c, "billed_cost": b, "effective_cost": e}
        for (p, s, c), (b, e) in sums.items()
    ]
    return sorted(rows, key=lambda r: (-r["billed_cost"], r["provider"], r["service"]))


def _record_history(settings: Settings, inv: Inventory, found: list[Finding]) -> None:
    """Record this run's cost and waste for `lepton history` (a warning when it cannot)."""
    from lepton_cli.history import try_record

    summary = {
        "monthly_cost": sum((r.monthly_cost for r in inv.resources), Decimal(0)),
        "monthly_waste": sum((f.monthly_saving for f in found), Decimal(0)),
        "currency": inv.currency,
        "resources": len(inv.resources),
        "findings": len(found),
    }
    warning = try_record("scan", summary, settings)
    if warning:
        common.warn(warning)


def _finish(failures: list[ScopeFailure], allow_partial: bool) -> None:
    if not failures:
        return
    for f in failures:
        common.warn(f"{f.provider} {f.scope}: {f.message}")
    if allow_partial:
        common.warn(f"{len(failures)} scope(s) failed; results above are partial (--allow-partial)")
        return
    raise ProviderError(
        f"{len(failures)} scope(s) failed; the results of the others are shown above",
        hint=failures[0].hint or "fix access to the failed scopes, or pass --allow-partial",
    )


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)
