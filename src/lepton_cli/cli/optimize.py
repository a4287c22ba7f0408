"""`lepton optimize`: the cheapest (or most efficient) fleet that keeps every rule, as a plan."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import typer

from lepton_cli.cli import common
from lepton_cli.cli.plan import FailOnSavings, savings_gate
from lepton_cli.config import Settings
from lepton_cli.errors import ExitCode, LeptonError, UsageError
from lepton_cli.models import fmt_money
from lepton_cli.plan.io import plan_to_yaml
from lepton_cli.plan.model import Objective, Plan
from lepton_cli.plan.view import plan_view, summary_view
from lepton_cli.pricing.catalog import effective_offerings, load_catalog
from lepton_cli.report import Format, render
from lepton_cli.sources import load_inventory

FORMATS = (Format.TABLE, Format.YAML, Format.JSON, Format.MARKDOWN, Format.CSV)


class SolverName(StrEnum):
    HIGHS = "highs"
    CBC = "cbc"
    GREEDY = "greedy"


class OverBudgetError(LeptonError):
    """A feasible plan exists but costs more than --budget (the plan is still written)."""

    exit_code = ExitCode.OVER_BUDGET


def over_budget(plan: Plan) -> OverBudgetError:
    """Say how much more is needed and which workloads drive it (the three costliest)."""
    s, m = plan.summary, plan.metadata
    needed = s.needed_budget or Decimal(0)
    budget = m.budget or Decimal(0)
    top = sorted(plan.workloads, key=lambda w: (-w.planned_monthly_cost, w.name))[:3]
    drivers = ", ".join(f"{w.name} ({fmt_money(w.planned_monthly_cost, m.currency)})" for w in top)
    return OverBudgetError(
        f"over budget: the cheapest feasible plan costs {fmt_money(needed, m.currency)}/month, "
        f"{fmt_money(needed - budget, m.currency)} more than --budget "
        f"{fmt_money(budget, m.currency)}; the biggest workloads: {drivers}",
        hint=f"raise --budget to at least {needed:.2f}, or relax those workloads' rules",
    )


def optimize(
    source: common.SourceOption = None,
    budget: Annotated[
        float | None,
        typer.Option(
            help="Monthly budget for the workloads' compute.",
            callback=common.number_check(gt=0, le=1e15),
        ),
    ] = None,
    objective: Annotated[
        Objective,
        typer.Option(help="cost: cheapest plan; efficiency: most perf-vCPUs within --budget."),
    ] = Objective.COST,
    solver: Annotated[
        SolverName | None, typer.Option(help="highs (default), cbc, or the greedy baseline.")
    ] = None,
    time_limit: Annotated[
        float | None,
        typer.Option(
            help="Seconds the solver may take in all (default 60).",
            callback=common.number_check(gt=0),
        ),
    ] = None,
    gap: Annotated[
        float | None,
        typer.Option(
            help="Relative optimality gap to prove, in [0, 1) (default 1e-4).",
            callback=common.number_check(ge=0, lt=1),
        ),
    ] = None,
    fail_on_savings: FailOnSavings = None,
    history: common.HistoryOption = None,
    output: common.OutputOption = None,
    fmt: common.FormatOption = Format.TABLE,
    wide: common.WideOption = False,
) -> None:
    """Find the cheapest fleet serving every workload within its rules, and write it as a plan.

    Exit codes: 0 plan found (within budget), 5 infeasible, 6 over budget (plan still written),
    8 the plan saves more than --fail-on-savings.

    With -o the file's format is --format, else its extension (.yaml, .json, .md, .csv), and
    the terminal table is the summary only (--wide: every table, with the actions' reasons).

    Example: lepton optimize --source examples/acme/inventory.yaml --budget 40000 -o plan.yaml
    """
    # The solver stack (PuLP, HiGHS) loads here, not at start-up: `lepton --help` stays fast.
    from lepton_cli.optimizer import SolveOptions, optimize_inventory
    from lepton_cli.plan.build import build_plan

    common.check_format(fmt, FORMATS)
    file_fmt = common.check_output(output, fmt)
    common.check_solver(solver.value if solver else None)
    if objective is Objective.EFFICIENCY and budget is None:
        raise UsageError("--objective efficiency needs --budget", hint="add --budget N (monthly)")
    settings = common.settings(
        solver=solver.value if solver else None, time_limit=time_limit, gap=gap, history=history
    )
    with common.status("reading sources") as say:
        inventory = load_inventory(source or [], progress=say)
        say("loading the price catalog")
        catalog = load_catalog(settings)
        offerings = effective_offerings(catalog, inventory)
        say(f"solving ({settings.solver})")
        amount = Decimal(str(budget)) if budget is not None else None
        options = SolveOptions(settings.solver, settings.time_limit, settings.gap)
        solution = optimize_inventory(inventory, offerings, settings, options, objective, amount)
    digest_options = {"objective": objective.value, "budget": amount, "headroom": settings.headroom}
    plan = build_plan(inventory, offerings, solution, catalog.date, digest_options)
    if output and file_fmt:
        text = plan_to_yaml(plan) if file_fmt is Format.YAML else None
        common.write_output(
            output, text or common.as_text(render(plan_view(plan), file_fmt)), "plan"
        )
        # People get the summary; a machine format asked for gets the whole plan, as without -o.
        short = fmt is Format.TABLE and not wide
        common.emit(summary_view(plan) if short else plan_view(plan, wide=wide), fmt)
    else:
        common.emit(plan_view(plan, wide=wide), fmt)
    _record_history(plan, settings)
    if not plan.summary.within_budget:
        raise over_budget(plan)
    savings_gate(plan, fail_on_savings)


def _record_history(plan: Plan, settings: Settings) -> None:
    from lepton_cli.history import try_record

    s = plan.summary
    summary = {
        "current_monthly_cost": s.current_monthly_cost,
        "planned_monthly_cost": s.planned_monthly_cost,
        "monthly_savings": s.monthly_savings,
        "current_idle_cost": s.current_idle_cost,
        "currency": plan.metadata.currency,
        "actions": len(plan.actions),
    }
    warning = try_record("optimize", summary, settings)
    if warning:
        common.warn(warning)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command(no_args_is_help=True)(optimize)
