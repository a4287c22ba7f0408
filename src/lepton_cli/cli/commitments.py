"""`lepton commitments status` and `lepton commitments plan`: what owned commitments do, and
what to buy next."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from lepton_cli.cli import common
from lepton_cli.errors import ProviderError, UsageError
from lepton_cli.models.money import to_cents
from lepton_cli.providers.base import ScopeFailure
from lepton_cli.report import Format, Table, View

FORMATS = (Format.TABLE, Format.YAML, Format.JSON, Format.MARKDOWN, Format.CSV)

commitments_app = typer.Typer(
    help="Owned reserved instances, savings plans, reservations and CUDs: what they cover, "
    "and what to buy next.\n\n"
    "Example: lepton commitments status --provider aws",
    no_args_is_help=True,
)

ProviderOption = Annotated[
    list[str] | None,
    typer.Option("--provider", "-p", help="Read live from a provider: aws, azure or gcp."),
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Judge expiry as of this date, YYYY-MM-DD.")
]
AllowPartialOption = Annotated[
    bool, typer.Option("--allow-partial", help="Exit 0 when some accounts or APIs failed.")
]


def _as_of(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as e:
        raise UsageError(f"--as-of {text!r} is not a date", hint="use YYYY-MM-DD") from e
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _owned(
    source: list[Path] | None, provider: list[str] | None, days: int, now: dt.datetime
) -> Any:
    from lepton_cli.commitments.sources import Owned, from_focus, from_provider
    from lepton_cli.sources import build_provider

    if not source and not provider:
        raise UsageError(
            "no commitments to read", hint="pass --source FOCUS_EXPORT or --provider aws|azure|gcp"
        )
    owned = Owned()
    if source:
        owned.add(from_focus(source))
    settings = common.settings()
    for name in provider or []:
        try:
            owned.add(from_provider(build_provider(name, settings), days, now.date()))
        except ProviderError as e:
            if len(provider or []) == 1 and not source:
                raise
            owned.failures.append(ScopeFailure(name, "all", e.message, e.hint))
    return owned


def status(
    source: common.SourceOption = None,
    provider: ProviderOption = None,
    days: Annotated[
        int, typer.Option(help="Utilisation window in days (live providers).", min=1)
    ] = 30,
    as_of: AsOfOption = None,
    allow_partial: AllowPartialOption = False,
    output: common.OutputOption = None,
    fmt: common.FormatOption = Format.TABLE,
) -> None:
    """Each owned commitment: utilisation, unused cost, coverage of eligible usage and expiry
    (flagged at 30, 60 and 90 days). Unused cost is paid for nothing; it is never a saving.

    Sources: FOCUS exports (CommitmentDiscountId / Status Used|Unused on usage rows) or the
    providers' APIs (AWS RIs, Savings Plans and Cost Explorer utilisation; Azure reservations
    and savings plans; GCP regional commitments).

    Example: lepton commitments status --source focus-2026-10.csv --format markdown
    """
    from lepton_cli.commitments.status import status as compute_status
    from lepton_cli.commitments.status import totals

    common.check_format(fmt, FORMATS)
    now = _as_of(as_of)
    with common.status("reading commitments"):
        owned = _owned(source, provider, days, now)
    rows = compute_status(owned.commitments, owned.usage, now)
    view = _status_view(rows, totals(rows), now, owned.failures)
    common.emit_or_write(view, fmt, output, "commitment status")
    _finish(owned.failures, allow_partial)


def _finish(failures: list[ScopeFailure], allow_partial: bool) -> None:
    if not failures:
        return
    for f in failures:
        common.warn(f"{f.provider} {f.scope}: {f.message}")
    if not allow_partial:
        raise ProviderError(
            f"{len(failures)} scope(s) failed; the commitments of the others are shown above",
            hint=failures[0].hint or "fix access to the failed scopes, or pass --allow-partial",
        )


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else to_cents(value)


def _number(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _quantity(c: Any) -> str:
    if c.hourly_commitment is not None:
        return f"{_number(c.hourly_commitment)} {c.unit or '/hour'}"
    return f"{_number(c.count)} {c.unit or ''}".strip() if c.count is not None else ""


def _status_row(s: Any) -> list[Any]:
    c = s.commitment
    ends = c.end.date().isoformat() if c.end else ""
    flag = f"{s.expiry} days" if s.expiry else ""
    return [
        c.id,
        c.product.value,
        c.scope.label,
        c.term_months or "",
        _quantity(c),
        to_cents(c.hourly_fee * 730),
        _share(s.utilization),
        _money(s.monthly_unused_cost),
        _share(s.coverage),
        ends,
        flag,
    ]


COLUMNS = [
    "commitment",
    "product",
    "scope",
    "term",
    "quantity",
    "monthly fee",
    "utilisation",
    "unused / month",
    "coverage",
    "ends",
    "expires within",
]


def _status_view(
    rows: list[Any], total: Any, now: dt.datetime, failures: list[ScopeFailure]
) -> View:
    from lepton_cli.commitments.status_document import status_document

    doc = status_document(rows, total, now, failures).data()
    expiring = sum(1 for s in rows if s.expiry)
    lines = [
        f"{len(rows)} commitment(s); monthly fees {to_cents(total.hourly_fee * 730):,}; "
        f"unused {to_cents(total.unused_cost):,} over the window "
        f"(utilisation {_share(total.utilization) or 'n/a'}); {expiring} expire within 90 days"
    ]
    right = frozenset({"monthly fee", "utilisation", "unused / month", "coverage", "term"})
    table = Table("Owned commitments", COLUMNS, [_status_row(s) for s in rows], right)
    return View(doc, [table], lines, markdown_header="<!-- lepton:commitments-status -->")


RATES_EXAMPLE = """apiVersion: lepton/v1
kind: CommitmentRates
rates:
  - {product: aws.compute-savings-plan, term_months: 12, payment: no-upfront, discount: 0.27}
  - {product: aws.reserved-instance, term_months: 12, payment: no-upfront, discount: 0.38,
     region: us-east-1, family: m6i}"""


def _profile(
    source: list[Path] | None, from_plan: Path | None, lookback: int, provider: str | None
) -> tuple[Any, list[Any]]:
    """The hourly profile and any offerings an inventory brings."""
    from lepton_cli.commitments import profile as prof
    from lepton_cli.commitments.sources import usage_profile
    from lepton_cli.sources import build_provider, classify, load_inventory

    if provider is not None:
        if source or from_plan:
            raise UsageError("--provider, --source and --from-plan are alternatives", "pick one")
        end = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
        return usage_profile(build_provider(provider, common.settings()), lookback, end), []
    if from_plan is not None:
        if source:
            raise UsageError("--from-plan and --source are alternatives", hint="pass one of them")
        return prof.from_plan_file(from_plan, lookback), []
    if not source:
        raise UsageError(
            "no usage to size commitments on",
            hint="pass --source FOCUS_EXPORT (hourly usage) or an inventory, or --from-plan FILE",
        )
    files = classify(source)
    if files.focus and files.inventories:
        raise UsageError("--source takes FOCUS exports or inventories, not both", hint="pick one")
    if files.focus:
        return prof.from_focus(files.focus, lookback), []
    inventory = load_inventory(files.inventories)
    return prof.from_inventory(inventory, lookback), list(inventory.offerings)


def _payments(values: list[str] | None) -> tuple[Any, ...]:
    from lepton_cli.commitments.model import Payment

    try:
        return tuple(Payment(v) for v in values or ["no-upfront"])
    except ValueError as e:
        choices = "|".join(p.value for p in Payment)
        raise UsageError(f"--payment: {e}", hint=f"use {choices}") from e


def plan(
    source: common.SourceOption = None,
    from_plan: Annotated[
        Path | None,
        typer.Option("--from-plan", help="Size purchases on the fleet a lepton plan will run."),
    ] = None,
    provider: Annotated[
        str | None,
        typer.Option(
            "--provider", "-p", help="Read hourly usage live: aws (Cost Explorer, 7 days)."
        ),
    ] = None,
    lookback: Annotated[
        int, typer.Option("--lookback", help="Days of hourly usage to size on: 7, 30 or 60.")
    ] = 30,
    rates: Annotated[
        Path | None,
        typer.Option(
            "--rates",
            help="Discount rates to use instead of the catalog's and the "
            "defaults; only the products it lists are considered.",
        ),
    ] = None,
    term: Annotated[
        list[int] | None, typer.Option("--term", help="Term in months: 12 or 36 (repeatable).")
    ] = None,
    payment: Annotated[
        list[str] | None,
        typer.Option("--payment", help="no-upfront, partial-upfront or all-upfront (repeatable)."),
    ] = None,
    time_limit: Annotated[
        float, typer.Option(help="Seconds the solver may take.", min=0.01)
    ] = 60.0,
    gap: Annotated[float, typer.Option(help="Relative optimality gap to prove.", min=0)] = 1e-4,
    output: common.OutputOption = None,
    fmt: common.FormatOption = Format.TABLE,
) -> None:
    """What to buy: new reserved instances, savings plans, reservations and CUDs sized on the
    hourly profile of eligible on-demand usage (after owned commitments), as one exact MILP.

    For one product with discount d the best commitment is the d-quantile of hourly usage;
    every product of the three clouds is solved together (RIs per family and region with size
    flexibility under a Compute Savings Plan, and likewise for Azure and GCP).

    A --rates file (YAML):

    \b
    apiVersion: lepton/v1
    kind: CommitmentRates
    rates:
      - {product: aws.compute-savings-plan, term_months: 12,
         payment: no-upfront, discount: 0.27}

    Example: lepton commitments plan --source focus-hourly/ --lookback 30 --term 12 --term 36
    """
    from lepton_cli.commitments.document import to_document
    from lepton_cli.commitments.purchase import PlanOptions, plan_purchases
    from lepton_cli.commitments.rates import default_rates, load_rates
    from lepton_cli.pricing.catalog import load_catalog

    common.check_format(fmt, FORMATS)
    if lookback not in (7, 30, 60):
        raise UsageError(f"--lookback {lookback} is not offered", hint="use 7, 30 or 60")
    terms = tuple(term or [12])
    if any(t not in (12, 36) for t in terms):
        raise UsageError(f"--term {terms} is not offered", hint="use 12 or 36")
    with common.status("reading usage") as say:
        profile, offerings = _profile(source, from_plan, lookback, provider)
        say("solving")
        chosen = load_rates(rates) if rates else default_rates()
        catalog = load_catalog(common.settings()).offerings
        options = PlanOptions(terms, _payments(payment), time_limit, gap, rates is None)
        result = plan_purchases(profile, chosen, [*catalog, *offerings], options)
    doc = to_document(result, profile.source, lookback)
    common.emit_or_write(_plan_view(doc), fmt, output, "commitment plan")


def _quantity_of(r: Any) -> str:
    if r.count is not None:
        return f"{r.count} {r.unit}" + (f" of {r.unit_type}" if r.unit_type else "")
    return f"{r.hourly_commitment}/hour"


def _plan_row(r: Any) -> list[Any]:
    scope = r.scope.label if r.scope.region or r.scope.family else "any"
    return [
        r.provider,
        r.product.value,
        scope,
        r.term_months,
        r.payment.value,
        _quantity_of(r),
        to_cents(r.upfront),
        to_cents(r.monthly_cost),
        to_cents(r.monthly_savings),
        _share(r.break_even_utilization),
        _share(r.expected_utilization),
        to_cents(r.monthly_savings_if_demand_falls_20pct),
    ]


PLAN_COLUMNS = [
    "provider",
    "product",
    "scope",
    "term",
    "payment",
    "buy",
    "upfront",
    "monthly cost",
    "monthly savings",
    "break-even",
    "expected use",
    "savings if -20%",
]


def purchase_tables(doc: Any) -> list[Table]:
    """The recommendations and savings curve, for a purchase plan or a Plan's section."""
    right = frozenset([*PLAN_COLUMNS[6:], "term"])
    rows = [_plan_row(r) for r in doc.recommendations]
    curve = Table(
        "Savings curve (scale of the chosen commitments -> net savings)",
        ["scale", "on-demand covered / hour", "net savings / month", "chosen"],
        [
            [p.scale, p.hourly_on_demand_covered, p.monthly_net_savings, "<-" if p.chosen else ""]
            for p in doc.savings_curve
        ],
        frozenset({"scale", "on-demand covered / hour", "net savings / month"}),
    )
    return [Table("Recommended purchases", PLAN_COLUMNS, rows, right), curve]


def _plan_view(doc: Any) -> View:
    from lepton_cli.commitments.document import plan_document

    document = plan_document(doc).data()
    lines = [
        f"{len(doc.recommendations)} purchase(s) over {doc.groups} usage group(s), sized on "
        f"{doc.lookback_days} days of {doc.source}: on demand "
        f"{to_cents(doc.baseline_monthly_cost):,}/month -> "
        f"{to_cents(doc.planned_monthly_cost):,}/month, saving "
        f"{to_cents(doc.monthly_savings):,}/month ({doc.solver.status}, gap {doc.solver.gap:.2g})"
    ]
    tables = purchase_tables(doc)
    return View(document, tables, lines, markdown_header="<!-- lepton:commitments-plan -->")


def register(app: typer.Typer) -> None:
    commitments_app.command("status")(status)
    commitments_app.command("plan")(plan)
    app.add_typer(commitments_app, name="commitments")
