"""`lepton scan`: what you run, what it costs, and what is wasted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from lepton_cli.analysis.summary import group_resources
from lepton_cli.analysis.waste import Finding, findings
from lepton_cli.cli import common
from lepton_cli.config import Settings
from lepton_cli.errors import ProviderError, UsageError
from lepton_cli.fileio import dump_json, dump_yaml
from lepton_cli.models import CostRecord, Inventory, Period, fmt_money
from lepton_cli.providers.base import Capability, Scope, ScopeFailure
from lepton_cli.report import Format, Table, View, render
from lepton_cli.report.charts import scan_charts
from lepton_cli.sources import build_provider, load_inventory, same_currency

FORMATS = (Format.TABLE, Format.YAML, Format.JSON, Format.CSV, Format.MARKDOWN, Format.HTML)


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
    days: Annotated[int, typer.Option(help="Utilisation look-back in days.", min=1, max=3660)] = 14,
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
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            min=0.1,
            max=86400,
            help="Seconds one region/subscription/project may take before it is reported as "
            "failed (default 300; also lepton.yaml `timeout`, LEPTON_TIMEOUT).",
        ),
    ] = None,
    idle_threshold: Annotated[
        float | None,
        typer.Option(
            help="cpu_p95 under this share is idle (default 0.05).",
            callback=common.number_check(ge=0, lt=1),
        ),
    ] = None,
    history: common.HistoryOption = None,
    output: common.OutputOption = None,
    fmt: common.FormatOption = Format.TABLE,
) -> None:
    """Scan inventories, FOCUS exports or live providers: summary, then waste with savings.

    From a FOCUS export a resource's monthly cost is its EffectiveCost (amortised: a resource
    covered by a reservation or savings plan still costs its share), with its BilledCost beside
    it; the summary shows both.

    Example: lepton scan --source examples/acme/inventory.yaml -o scan.yaml

    Example: lepton scan --provider aws --timeout 60 --allow-partial
    """
    common.check_format(fmt, FORMATS)
    file_fmt = common.check_output(output, fmt)
    settings = common.settings(idle_threshold=idle_threshold, history=history, timeout=timeout)
    if not source and not provider:
        raise UsageError("nothing to scan", hint="pass --source PATH or --provider NAME")
    live = _Live(
        Scope(accounts=tuple(account or ()), regions=tuple(region or ()), days=days),
        None if no_costs else (Period.month(period) if period else Period.last_full_month()),
        use_cache=not no_cache,
        alone=not source and len(provider or []) == 1,
    )
    result = _Result(Inventory())
    if source:
        result.inventory = _read_sources(source)
    for name in provider or []:
        result.add(_scan_provider(name, settings, live))
    found = findings(result.inventory, settings)
    totals = _totals(result.inventory, found)
    view = _view(result, found, totals)
    if output and file_fmt:
        _write(output, file_fmt, result.inventory, view)
    common.emit(view, fmt)
    _record_history(settings, totals)
    _finish(result.failures, allow_partial)


def _read_sources(source: list[Any]) -> Inventory:
    """The inventory of ``--source``; what the FOCUS read noted becomes warnings."""
    from lepton_cli.billing.engine import Notes

    notes = Notes()
    with common.status("reading sources") as say:
        inventory = load_inventory(source, progress=say, notes=notes)
    for line in notes.lines():
        common.warn(line)
    return inventory


def _write(output: Path, fmt: Format, inventory: Inventory, view: View) -> None:
    """YAML and JSON files hold the inventory (a --source for later commands); Markdown, CSV
    and text hold the report."""
    if fmt in (Format.YAML, Format.JSON):
        text = dump_yaml(inventory) if fmt is Format.YAML else dump_json(inventory)
        common.write_output(output, text, "inventory")
    else:
        common.write_output(output, common.as_text(render(view, fmt)), "scan report")


@dataclass(frozen=True)
class _Live:
    """What to read from each live provider."""

    scope: Scope
    costs_for: Period | None  # None: --no-costs
    use_cache: bool
    alone: bool  # the only data source: its fatal error is the command's


@dataclass
class _Result:
    inventory: Inventory
    records: list[CostRecord] = field(default_factory=list)
    failures: list[ScopeFailure] = field(default_factory=list)

    def add(self, other: _Result) -> None:
        same_currency([self.inventory, other.inventory], ["--source", "--provider"])
        self.inventory = self.inventory.merged(other.inventory)
        self.records += other.records
        self.failures += other.failures


def _scan_provider(name: str, settings: Settings, live: _Live) -> _Result:
    """One provider's inventory and costs; a failure of either is a failed scope, so the other
    providers' results are still shown (unless this provider is the only source)."""
    prov = build_provider(name, settings, use_cache=live.use_cache)
    result = _Result(Inventory())
    with common.status(f"scanning {name}"):
        try:
            result.inventory = Inventory(resources=list(prov.inventory(live.scope)))
            if Capability.COSTS in prov.capabilities and live.costs_for:
                result.records = list(prov.costs(live.costs_for))
        except ProviderError as e:
            if live.alone:
                raise
            result.failures.append(ScopeFailure(name, "all", e.message, e.hint))
    result.failures[:0] = prov.failures
    return result


def _totals(inv: Inventory, found: list[Finding]) -> dict[str, Any]:
    totals = {
        "resources": len(inv.resources),
        "monthly_cost": sum((r.monthly_cost for r in inv.resources), Decimal(0)),
        "monthly_waste": sum((f.monthly_saving for f in found), Decimal(0)),
        "findings": len(found),
        "currency": inv.currency,
    }
    billed = _billed(inv.resources)
    if billed is not None:
        totals["billed_monthly_cost"] = billed
    return totals


def _billed(resources: Iterable[Any]) -> Decimal | None:
    """Monthly billed cost of resources read from a bill (None when none were): from FOCUS,
    ``monthly_cost`` is the effective (amortised) cost and this the billed one."""
    found = [r.billed_monthly_cost for r in resources if r.billed_monthly_cost is not None]
    return sum(found, Decimal(0)) if found else None


def _view(result: _Result, found: list[Finding], totals: dict[str, Any]) -> View:
    inv = result.inventory
    groups = group_resources(inv.resources, ["provider", "account", "region", "kind"])
    summary_rows = [_summary_row(g) for g in groups]
    finding_rows = [_finding_row(f) for f in found]
    document: dict[str, Any] = {
        "apiVersion": "lepton/v1",
        "kind": "ScanReport",
        "currency": inv.currency,
        "totals": {k: v for k, v in totals.items() if k != "currency"},
        "summary": summary_rows,
        "findings": finding_rows,
    }
    cost_rows = _cost_rows(result.records)
    if cost_rows:
        document["billed_costs"] = cost_rows
    if result.failures:
        document["failures"] = [_failure_row(f) for f in result.failures]
    tables = _tables(document, finding_rows, summary_rows)
    return View(
        document, tables, [_line(totals)], charts=scan_charts(document), title="lepton scan"
    )


def _summary_row(g: Any) -> dict[str, Any]:
    row = {**g.keys, "resources": len(g.resources), "monthly_cost": g.metrics.monthly_cost}
    billed = _billed(g.resources)
    if billed is not None:
        row["billed_monthly_cost"] = billed
    return row


def _line(t: dict[str, Any]) -> str:
    cur = t["currency"]
    cost = f"{fmt_money(t['monthly_cost'], cur)}/month"
    if "billed_monthly_cost" in t:
        cost += f" effective (amortised), {fmt_money(t['billed_monthly_cost'], cur)} billed"
    return (
        f"{t['resources']} resources, {cost}; "
        f"{t['findings']} findings would save {fmt_money(t['monthly_waste'], cur)}/month"
    )


def _tables(
    document: dict[str, Any], finding_rows: list[dict[str, Any]], summary_rows: list[dict[str, Any]]
) -> list[Table]:
    findings_table = Table(
        "Findings (monthly savings)",
        ["resource", "provider", "finding", "reason", "saving"],
        [
            [f["resource"], f["provider"], f["finding"], f["reason"], f["monthly_saving"]]
            for f in finding_rows
        ],
        frozenset({"saving"}),
        keep=frozenset({"resource", "finding"}),
        optional=("provider",),
    )
    tables = [
        findings_table,
        _table(
            "Inventory by provider / account / region / kind",
            summary_rows,
            frozenset({"resources", "monthly_cost", "billed_monthly_cost"}),
        ),
    ]
    if "billed_costs" in document:
        tables.append(
            _table(
                "Billed cost by service",
                document["billed_costs"],
                frozenset({"billed_cost", "effective_cost"}),
            )
        )
    if "failures" in document:
        tables.append(_table("Failed scopes", document["failures"], frozenset()))
    return tables


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


def _record_history(settings: Settings, totals: dict[str, Any]) -> None:
    """Record this run's cost and waste for `lepton history` (a warning when it cannot)."""
    from lepton_cli.history import try_record

    warning = try_record("scan", totals, settings)
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
