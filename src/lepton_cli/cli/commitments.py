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
from lepton_cli.models import API_VERSION
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


def _status_doc(s: Any) -> dict[str, Any]:
    c = s.commitment
    return {
        "id": c.id,
        "provider": c.provider,
        "product": c.product.value,
        "scope": c.scope.model_dump(exclude_none=True, exclude_defaults=True),
        "term_months": c.term_months,
        "payment": c.payment.value,
        "start": c.start,
        "end": c.end,
        "hourly_commitment": c.hourly_commitment,
        "count": c.count,
        "unit": c.unit,
        "hourly_fee": c.hourly_fee,
        "upfront": c.upfront,
        "utilization": None if s.utilization is None else round(s.utilization, 6),
        "used_cost": s.usage.used_cost if s.usage else None,
        "unused_cost": s.unused_cost,
        "monthly_unused_cost": _money(s.monthly_unused_cost),
        "coverage": None if s.coverage is None else round(s.coverage, 6),
        "days_left": s.days_left,
        "expires_within_days": s.expiry,
        "source": c.source,
    }


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
    doc: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "CommitmentStatus",
        "as_of": now,
        "commitments": [_status_doc(s) for s in rows],
        "totals": {
            "monthly_fee": to_cents(total.hourly_fee * 730),
            "used_cost": total.used_cost,
            "unused_cost": total.unused_cost,
            "utilization": None if total.utilization is None else round(total.utilization, 6),
        },
    }
    if failures:
        doc["failures"] = [
            {"provider": f.provider, "scope": f.scope, "error": f.message} for f in failures
        ]
    expiring = sum(1 for s in rows if s.expiry)
    lines = [
        f"{len(rows)} commitment(s); monthly fees {to_cents(total.hourly_fee * 730):,}; "
        f"unused {to_cents(total.unused_cost):,} over the window "
        f"(utilisation {_share(total.utilization) or 'n/a'}); {expiring} expire within 90 days"
    ]
    right = frozenset({"monthly fee", "utilisation", "unused / month", "coverage", "term"})
    table = Table("Owned commitments", COLUMNS, [_status_row(s) for s in rows], right)
    return View(doc, [table], lines, markdown_header="<!-- lepton:commitments-status -->")


def register(app: typer.Typer) -> None:
    commitments_app.command("status")(status)
    app.add_typer(commitments_app, name="commitments")
