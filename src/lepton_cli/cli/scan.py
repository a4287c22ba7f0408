"""`lepton scan`: what you run, what it costs, and what is wasted."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

from lepton_cli.analysis.scan import ScanReport, scan_report
from lepton_cli.analysis.waste import findings
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
    doc = scan_report(result.inventory, found, result.records, result.failures)
    view = _view(doc)
    if output and file_fmt:
        _write(output, file_fmt, result.inventory, view)
    common.emit_beside(view, fmt, output)
    _record_history(settings, doc)
    _finish(result.failures, allow_partial)


def _read_sources(source: list[Any]) -> Inventory:
    """The inventory of ``--source``; what the FOCUS read noted becomes warnings."""
    from lepton_cli.billing.query import Notes

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


def _view(doc: ScanReport) -> View:
    data = doc.data()
    tables = _tables(doc, data)
    return View(data, tables, [_line(doc)], charts=scan_charts(data), title="lepton scan")


def _line(doc: ScanReport) -> str:
    t, cur = doc.totals, doc.currency
    cost = f"{fmt_money(t.monthly_cost, cur)}/month"
    if t.billed_monthly_cost is not None:
        cost += f" effective (amortised), {fmt_money(t.billed_monthly_cost, cur)} billed"
    return (
        f"{t.resources} resources, {cost}; "
        f"{t.findings} findings would save {fmt_money(t.monthly_waste, cur)}/month"
    )


def _tables(doc: ScanReport, data: dict[str, Any]) -> list[Table]:
    findings_table = Table(
        "Findings (monthly savings)",
        ["resource", "provider", "finding", "reason", "saving"],
        [[f.resource, f.provider, f.finding, f.reason, f.monthly_saving] for f in doc.findings],
        frozenset({"saving"}),
        keep=frozenset({"resource", "finding"}),
        optional=("provider",),
    )
    tables = [
        findings_table,
        _table(
            "Inventory by provider / account / region / kind",
            data["summary"],
            frozenset({"resources", "monthly_cost", "billed_monthly_cost"}),
        ),
    ]
    if doc.billed_costs is not None:
        tables.append(
            _table(
                "Billed cost by service",
                data["billed_costs"],
                frozenset({"billed_cost", "effective_cost"}),
            )
        )
    if doc.failures is not None:
        tables.append(_table("Failed scopes", data["failures"], frozenset()))
    return tables


def _table(title: str, rows: list[dict[str, Any]], right: frozenset[str]) -> Table:
    columns = list(rows[0]) if rows else []
    return Table(title, columns, [list(r.values()) for r in rows], right)


def _record_history(settings: Settings, doc: ScanReport) -> None:
    """Record this run's cost and waste for `lepton history` (a warning when it cannot)."""
    from lepton_cli.history import ScanSummary, try_record

    summary = ScanSummary(currency=doc.currency, **dict(doc.totals))
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
