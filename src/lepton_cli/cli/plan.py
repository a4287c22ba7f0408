"""`lepton plan show | diff | verify`: review a saved plan, compare two, check it still holds."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from lepton_cli.cli import common
from lepton_cli.errors import DriftError, GateError, ProviderError, UsageError
from lepton_cli.models import Resource
from lepton_cli.plan.model import Plan
from lepton_cli.report import Format, View

plan_app = typer.Typer(
    help="Review saved plans: show one, diff two (a PR comment), verify one against live state.",
    no_args_is_help=True,
)

FailOnSavings = Annotated[
    float | None,
    typer.Option(
        "--fail-on-savings",
        metavar="AMOUNT",
        help="Exit 8 when the plan saves more than AMOUNT a month (a CI gate: time to act).",
        callback=common.number_check(),
    ),
]
PlanArg = Annotated[Path, typer.Argument(help="A plan file written by `lepton optimize -o`.")]


def _load(path: Path) -> Plan:
    from lepton_cli.plan.io import load_plan

    return load_plan(path)


def savings_gate(plan: Plan, amount: float | None) -> None:
    """Exit 8 (GateError) when ``plan`` saves more than ``amount`` a month."""
    if amount is None:
        return
    limit = Decimal(str(amount))
    saving = plan.summary.monthly_savings
    if saving > limit:
        from lepton_cli.plan.diff import money

        cur = plan.metadata.currency
        raise GateError(
            f"the plan saves {money(saving, cur)}/month, more than --fail-on-savings "
            f"{money(limit, cur)}",
            hint="review the plan and apply it, or raise the threshold",
        )


def _output(text: str, output: Path | None, what: str) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        common.write_output(output, text, what)


def plan_page(plan: Plan, wide: bool = False) -> View:
    """The plan's view, with the charts of its HTML page."""
    from lepton_cli.plan.view import plan_view
    from lepton_cli.report.charts import plan_charts

    view = plan_view(plan, wide=wide)
    view.charts, view.title = plan_charts(plan), "lepton plan"
    add_sensitivity(view, plan)
    return view


def add_sensitivity(view: View, plan: Plan) -> None:
    """The shadow price and the binding rules: a line each, and the rules' table."""
    from lepton_cli.report.sensitivity import rule_table, sensitivity_lines

    view.lines += sensitivity_lines(plan)
    table = rule_table(plan)
    if table is not None:
        view.tables.append(table)
        if view.table_tables is not None:
            view.table_tables.append(table)


def show(
    plan_file: PlanArg,
    fmt: common.FormatOption = Format.TABLE,
    output: common.OutputOption = None,
    fail_on_savings: FailOnSavings = None,
    wide: common.WideOption = False,
    action: Annotated[
        str | None, typer.Option("--action", metavar="ID", help="Show one action in full.")
    ] = None,
) -> None:
    """Render a saved plan. The table leaves out the actions' reasons: --wide shows them,
    --action ID shows one action in full.

    Example: lepton plan show plan.yaml --format markdown >> "$GITHUB_STEP_SUMMARY"
    """
    from lepton_cli.plan.view import action_view

    plan = _load(plan_file)
    view = plan_page(plan, wide=wide)
    if action is not None:
        found = action_view(plan, action)
        if found is None:
            known = ", ".join(a.id for a in plan.actions[:5]) or "none"
            raise UsageError(
                f"{plan_file}: no action {action!r}", hint=f"the plan's actions: {known}"
            )
        view = found
    common.emit_or_write(view, fmt, output, "the plan")
    savings_gate(plan, fail_on_savings)


def diff(
    old: Annotated[Path, typer.Argument(help="The previous plan (e.g. from the base branch).")],
    new: Annotated[Path, typer.Argument(help="The new plan.")],
    fmt: common.FormatOption = Format.TABLE,
    output: common.OutputOption = None,
    fail_on_savings: FailOnSavings = None,
) -> None:
    """Compare two plans: actions added, removed and changed (by id), cost and savings before
    and after, workloads re-allocated, solver status of each. --format markdown is a sticky PR
    comment (it starts with the hidden marker <!-- lepton-plan -->).

    Example: lepton plan diff base-plan.yaml plan.yaml --format markdown -o comment.md
    """
    from lepton_cli.plan.diff import diff_markdown, diff_plans, diff_view
    from lepton_cli.report.charts import diff_charts

    result = diff_plans(_load(old), _load(new))
    if fmt is Format.MARKDOWN:
        _output(diff_markdown(result), output, "the plan diff")
    else:
        view = diff_view(result)
        view.charts, view.title = diff_charts(result), "lepton plan diff"
        common.emit_or_write(view, fmt, output, "the plan diff")
    savings_gate(result.new, fail_on_savings)


def _live_resources(
    plan: Plan, sources: list[Path], provider: str | None, accounts: list[str], regions: list[str]
) -> tuple[list[Resource], str | None]:
    """The resources to check against, and the recomputed inputs digest when it can be had."""
    if bool(sources) == bool(provider):
        raise UsageError(
            "give either --source or --provider",
            hint="e.g. --source inventory.yaml, or --provider aws --region us-east-1",
        )
    settings = common.settings()
    if sources:
        from lepton_cli.plan.verify import current_digest
        from lepton_cli.sources import load_inventory

        inventory = load_inventory(sources)
        return list(inventory.resources), current_digest(plan, inventory, settings)
    return _provider_resources(provider or "", accounts, regions), None


def _provider_resources(name: str, accounts: list[str], regions: list[str]) -> list[Resource]:
    from lepton_cli.providers.base import Scope
    from lepton_cli.sources import build_provider

    provider = build_provider(name, common.settings(), use_cache=False)
    resources = list(provider.inventory(Scope(tuple(accounts), tuple(regions))))
    if provider.failures:
        # A scope that could not be read would make its resources look deleted.
        failed = "; ".join(f"{f.scope}: {f.message}" for f in provider.failures)
        raise ProviderError(f"{name}: could not read {failed}", hint=provider.failures[0].hint)
    return resources


def verify(
    plan_file: PlanArg,
    source: common.SourceOption = None,
    provider: Annotated[
        str | None, typer.Option("--provider", "-p", help="Read live state from this provider.")
    ] = None,
    account: Annotated[
        list[str] | None, typer.Option("--account", help="Limit --provider to these accounts.")
    ] = None,
    region: Annotated[
        list[str] | None, typer.Option("--region", help="Limit --provider to these regions.")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat changed inputs (digest) as drift too.")
    ] = False,
    fmt: common.FormatOption = Format.TABLE,
) -> None:
    """Check that a plan still holds: every resource its actions touch still exists with the
    type, pricing and state the plan expects. With --source an inventory, the inputs digest is
    recomputed too. Exit 7 with the list of what drifted; 0 when the plan holds.

    Example: lepton plan verify plan.yaml --source examples/acme/inventory.yaml
    """
    from lepton_cli.plan.verify import verification_view
    from lepton_cli.plan.verify import verify as run_verify

    plan = _load(plan_file)
    resources, digest = _live_resources(plan, source or [], provider, account or [], region or [])
    result = run_verify(plan, resources, digest, strict=strict)
    common.emit(verification_view(result), fmt)
    if not result.holds:
        listed = "\n".join(f"  {d.describe()}" for d in result.drifts[:20])
        more = f"\n  ... and {len(result.drifts) - 20} more" if len(result.drifts) > 20 else ""
        raise DriftError(
            f"{plan_file}: {len(result.drifts)} precondition(s) drifted:\n{listed}{more}",
            hint="run `lepton optimize` again for a plan that matches what runs now",
        )


def register(app: typer.Typer) -> None:
    """Add `lepton plan show|diff|verify` to ``app``."""
    plan_app.command("show")(show)
    plan_app.command("diff")(diff)
    plan_app.command("verify")(verify)
    app.add_typer(plan_app, name="plan")
