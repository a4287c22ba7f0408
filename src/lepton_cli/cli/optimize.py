"""`lepton optimize`: the cheapest (or most efficient) fleet that keeps every rule, as a plan."""

from __future__ import annotations

import functools
import gc
import time
from collections.abc import Callable
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec

import typer

from lepton_cli.cli import common
from lepton_cli.cli.plan import FailOnSavings, plan_page, savings_gate
from lepton_cli.config import Settings, problem_options
from lepton_cli.errors import NotProvenOverBudgetError, OverBudgetError, UsageError
from lepton_cli.forked import Forked
from lepton_cli.models import Offering, fmt_money
from lepton_cli.models.optimization import Solver
from lepton_cli.plan.io import digest_options as inputs_options
from lepton_cli.plan.io import inputs_digest, plan_to_yaml
from lepton_cli.plan.model import Objective, Plan
from lepton_cli.pricing.catalog import effective_offerings, load_catalog
from lepton_cli.report import Format, View, render
from lepton_cli.report.plan import summary_view
from lepton_cli.sources import load_inventory

if TYPE_CHECKING:
    from lepton_cli.optimizer import Solution

FORMATS = (Format.TABLE, Format.YAML, Format.JSON, Format.MARKDOWN, Format.CSV, Format.HTML)


class CommitmentsMode(StrEnum):
    NONE = "none"
    PLAN = "plan"


def over_budget(plan: Plan, bound: Decimal | None) -> OverBudgetError:
    """Say how much more is proven needed and which workloads drive it (the three costliest).
    ``bound``: the proven lower bound on the budgeted compute (over --budget)."""
    s, m = plan.summary, plan.metadata
    needed = s.needed_budget or Decimal(0)
    least = min(needed, bound) if bound is not None else needed
    budget = m.budget or Decimal(0)
    top = sorted(plan.workloads, key=lambda w: (-w.planned_monthly_cost, w.name))[:3]
    drivers = ", ".join(f"{w.name} ({fmt_money(w.planned_monthly_cost, m.currency)})" for w in top)
    found = "" if least == needed else f"; the best plan found: {fmt_money(needed, m.currency)}"
    compute = fmt_money(s.compute_monthly_cost or Decimal(0), m.currency)
    return OverBudgetError(
        f"over budget: no feasible plan costs less than {fmt_money(least, m.currency)}/month"
        f" ({compute} of the plan's bill the workloads' compute{found}), "
        f"{fmt_money(least - budget, m.currency)} more than --budget "
        f"{fmt_money(budget, m.currency)}; the biggest workloads: {drivers}",
        hint=f"raise --budget to at least {needed:.2f}, or relax those workloads' rules",
    )


def not_proven_over_budget(plan: Plan, bound: Decimal | None) -> NotProvenOverBudgetError:
    m = plan.metadata
    best = fmt_money(plan.summary.needed_budget or Decimal(0), m.currency)
    shown = fmt_money(bound, m.currency) if bound is not None else "unknown"
    return NotProvenOverBudgetError(
        f"not proven over budget: best plan {best}, bound {shown} "
        f"(--budget {fmt_money(m.budget or Decimal(0), m.currency)})",
        hint="raise --time-limit",
    )


def _bound_money(solution: Solution) -> Decimal | None:
    """The proven lower bound on the budgeted compute, rounded down to the cent."""
    bound = solution.monthly_bound
    if bound is None:
        return None
    least = Decimal(str(bound)) + solution.problem.fixed  # the bill: compute and what it keeps
    return least.quantize(Decimal("0.01"), rounding=ROUND_FLOOR)


POST_SOLVE_SECONDS = 0.5
"""What the stages after the solve cost whatever the fleet's size (accounting, history)."""
POST_SOLVE_PER_WORKLOAD = 0.4e-3
"""Seconds a workload costs after the solve: its greedy fallback when no worker reached it,
the bookkeeping, its plan entry and action, its YAML, freeing it all at exit. Measured at
0.27-0.30 ms on 20,000 and 100,000 workloads on an idle 2-CPU machine (benchmarks/deadline.py),
with a margin for a busy one."""
BACKGROUND_DIGEST = 5_000
"""Workloads from which the inputs' digest is computed in a forked child (0.6 s on 20,000)."""
LEAST_SOLVE_SHARE = 0.05
"""The share of the time limit the solve keeps when the reserve would leave it nothing."""


def solve_deadline(began: float, time_limit: float, workloads: int) -> float:
    """When solving must end for the whole command to end within ``time_limit`` of ``began``:
    what is left after reading, less a reserve for building and writing the plan, in
    proportion to the fleet; never less than a twentieth of the limit for the solve (and a
    warning that the limit is too short for the fleet when it comes to that)."""
    reserve = POST_SOLVE_SECONDS + POST_SOLVE_PER_WORKLOAD * workloads
    now = time.monotonic()
    ends, least = began + time_limit - reserve, now + LEAST_SOLVE_SHARE * time_limit
    if ends < least:
        floor = (now - began) + reserve  # reading, and building and writing the plan
        takes = floor + LEAST_SOLVE_SHARE * time_limit
        fleet = f"{workloads:,} workload{'' if workloads == 1 else 's'}"
        common.warn(
            f"--time-limit {time_limit:g} s is shorter than reading and planning {fleet} "
            f"takes (up to about {floor:.0f} s here): the command may take up to {takes:.0f} s, "
            "and the workloads it does not solve keep greedy's allocation with a proven "
            f"bound; raise --time-limit above {floor:.0f} s to prove more"
        )
    return max(ends, least)


def optimize(
    source: common.SourceOption = None,
    budget: Annotated[
        float | None,
        typer.Option(
            help="Monthly budget for the whole planned bill (what the inventory costs after "
            "the plan, disks and databases included; one-time move costs are shown beside it).",
            callback=common.number_check(gt=0, le=1e15),
        ),
    ] = None,
    objective: Annotated[
        Objective,
        typer.Option(help="cost: cheapest plan; efficiency: most perf-vCPUs within --budget."),
    ] = Objective.COST,
    solver: Annotated[
        Solver | None, typer.Option(help="highs (default), cbc, or the greedy baseline.")
    ] = None,
    time_limit: Annotated[
        float | None,
        typer.Option(
            help="Seconds the whole command may take: reading, solving, writing the plan "
            "(default 60). What is not proven by then keeps its bound.",
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
    max_changes: Annotated[
        int | None,
        typer.Option(
            "--max-changes",
            metavar="N",
            help="Change at most N workloads (the N largest savings; default: lepton.yaml "
            "`max_changes`, else no limit). The plan lists the ones held back.",
            min=0,
        ),
    ] = None,
    no_perf: Annotated[
        bool,
        typer.Option(
            "--no-perf", help="Plan on raw vCPUs: every perf factor (resources, catalog) is 1."
        ),
    ] = False,
    fail_on_savings: FailOnSavings = None,
    commitments: Annotated[
        CommitmentsMode,
        typer.Option(
            "--commitments",
            help="plan: rightsize on on-demand prices, then size pooled commitment purchases "
            "on the planned fleet (the plan's `commitments:` section).",
        ),
    ] = CommitmentsMode.NONE,
    sweep: Annotated[
        str | None,
        typer.Option(
            "--sweep",
            metavar="MIN:MAX:STEP|B1,B2,...",
            help="Solve the efficiency objective at each budget (at most 200) and print the "
            "frontier (budget, planned cost, performance, status, gap; the knee marked) "
            "instead of a plan. Not with --budget; -o writes the frontier.",
        ),
    ] = None,
    history: common.HistoryOption = None,
    output: common.OutputOption = None,
    fmt: common.FormatOption = Format.TABLE,
    wide: common.WideOption = False,
    progress_file: Annotated[
        Path | None,
        typer.Option(
            "--progress-file",
            hidden=True,
            help="Append the solve's progress to this file as JSON lines (for `lepton serve`).",
        ),
    ] = None,
) -> None:
    """Find the cheapest fleet serving every workload within its rules, and write it as a plan.

    The time limit covers the whole command (reading, solving, writing the plan). Exit codes:
    0 plan found (within budget), 3 a workload whose demand cannot be derived, 5 infeasible,
    6 proven over budget (no plan fits; the plan is still written), 10 not proven over budget
    (the best plan found is over, its bound is not: raise --time-limit), 8 the plan saves more
    than --fail-on-savings.

    With -o the file's format is --format, else its extension (.yaml, .json, .md, .csv), and
    the terminal table is the summary only (--wide: every table, with the actions' reasons).

    Example: lepton optimize --source examples/acme/inventory.yaml --budget 8000 -o plan.yaml

    Example: lepton optimize --source examples/acme/inventory.yaml --max-changes 3

    Example: lepton optimize -s fleet.json --time-limit 300 -o plan.yaml

    Example: lepton optimize -s examples/acme/inventory.yaml --sweep 6000:12000:1000
    """
    began = time.monotonic()
    # The solver stack (PuLP, HiGHS) loads here, not at start-up: `lepton --help` stays fast.
    from lepton_cli.commitments.flex import apply_size_flexibility
    from lepton_cli.commitments.optimize import account_sunk, solve_inventory
    from lepton_cli.optimizer import SolveOptions
    from lepton_cli.optimizer.sensitivity import rule_costs
    from lepton_cli.plan.build import build_plan

    common.check_format(fmt, FORMATS)
    file_fmt = common.check_output(output, fmt)
    common.check_solver(solver.value if solver else None)
    if sweep is not None:
        _check_sweep(budget, commitments, fail_on_savings)
        objective = Objective.EFFICIENCY
    if objective is Objective.EFFICIENCY and budget is None and sweep is None:
        raise UsageError("--objective efficiency needs --budget", hint="add --budget N (monthly)")
    settings = common.settings(
        solver=solver.value if solver else None,
        time_limit=time_limit,
        gap=gap,
        history=history,
        max_changes=max_changes,
    )
    if objective is Objective.EFFICIENCY and settings.max_changes is not None:
        raise UsageError(
            "--max-changes works with --objective cost",
            hint="drop --max-changes (or `max_changes` in lepton.yaml) for --objective efficiency",
        )
    if sweep is not None:
        budgets = _parse_sweep(sweep)
        _sweep(began, source, settings, budgets, not no_perf, output, file_fmt, fmt)
        return
    with common.progress_file(progress_file) as channel, common.status("reading sources") as say:
        inventory = apply_size_flexibility(load_inventory(source or [], progress=say))
        say("loading the price catalog")
        catalog = load_catalog(settings)
        offerings = effective_offerings(catalog, inventory)
        say(f"solving ({settings.solver})")
        amount = Decimal(str(budget)) if budget is not None else None
        options = SolveOptions(settings.solver, settings.time_limit, settings.gap)
        pooled = commitments is CommitmentsMode.PLAN
        deadline = solve_deadline(began, settings.time_limit, len(inventory.workloads))
        problem = problem_options(settings, use_perf=not no_perf)
        digest_options = inputs_options(
            objective.value, amount, problem, commitments=commitments.value if pooled else None
        )
        # A large fleet's digest is worked out on the other CPU while its problems are built.
        large = len(inventory.workloads) >= BACKGROUND_DIGEST
        with Forked(lambda: inputs_digest(inventory, offerings, digest_options), large) as inputs:
            solution = solve_inventory(
                inventory,
                offerings,
                problem,
                options,
                objective,
                amount,
                pooled,
                deadline,
                common.solve_progress(say, channel, exact=settings.max_changes is None),
            )
            say("pricing the binding rules")
            solution = rule_costs(solution, options, deadline)
            digest = inputs.result()
    plan, unused = account_sunk(
        build_plan(inventory, offerings, solution, catalog.date, digest_options, digest),
        inventory,
    )
    if pooled:
        plan = _with_purchases(plan, offerings, unused, settings)
    if output and file_fmt:
        page = None if file_fmt is Format.YAML else _page(plan, wide)
        text = plan_to_yaml(plan) if page is None else common.as_text(render(page, file_fmt))
        common.write_output(output, text, "plan")
        # People get the summary; a machine format asked for gets the whole plan, as without -o.
        short = fmt is Format.TABLE and not wide
        common.emit_beside(_brief(plan) if short else page or _page(plan, wide), fmt, output)
    else:
        common.emit(_page(plan, wide), fmt)
    _record_history(plan, settings)
    if not plan.summary.within_budget:
        bound = _bound_money(solution)
        if solution.proven_over_budget:
            raise over_budget(plan, bound)
        raise not_proven_over_budget(plan, bound)
    savings_gate(plan, fail_on_savings)


def _page(plan: Plan, wide: bool) -> View:
    """The whole plan as tables (built only when shown: a large plan has many rows)."""
    view = plan_page(plan, wide=wide)
    if plan.commitments is not None:  # the purchases, after the actions (CSV keeps the actions)
        from lepton_cli.cli.commitments import purchase_tables

        view.tables += purchase_tables(plan.commitments)
    return view


def _check_sweep(budget: float | None, commitments: CommitmentsMode, gate: object) -> None:
    """A sweep answers many budgets and writes a frontier, not a plan: no single --budget,
    no purchases, no savings gate."""
    clash = [
        name
        for name, given in (
            ("--budget", budget is not None),
            ("--commitments plan", commitments is CommitmentsMode.PLAN),
            ("--fail-on-savings", gate is not None),
        )
        if given
    ]
    if clash:
        raise UsageError(
            f"--sweep does not go with {', '.join(clash)}: a sweep writes the frontier of many "
            "budgets, not a plan",
            hint="drop those flags, or drop --sweep and give one --budget for a plan",
        )


def _parse_sweep(spec: str) -> list[Decimal]:
    from lepton_cli.optimizer.sweep import parse_sweep

    return parse_sweep(spec)


def _sweep(
    began: float,
    source: list[Path] | None,
    settings: Settings,
    budgets: list[Decimal],
    use_perf: bool,
    output: Path | None,
    file_fmt: Format | None,
    fmt: Format,
) -> None:
    """Build the problem once, solve it at every budget, show the frontier."""
    from lepton_cli.commitments.flex import apply_size_flexibility
    from lepton_cli.commitments.optimize import keep_sunk, sunk_workloads
    from lepton_cli.optimizer import SolveOptions, build_problem
    from lepton_cli.optimizer.sweep import sweep
    from lepton_cli.report.frontier import frontier_doc, frontier_view

    with common.status("reading sources") as say:
        inventory = apply_size_flexibility(load_inventory(source or [], progress=say))
        offerings = effective_offerings(load_catalog(settings), inventory)
        say(f"sweeping {len(budgets)} budgets ({settings.solver})")
        read = problem_options(settings, use_perf=use_perf)
        problem = build_problem(inventory, offerings, read, Objective.EFFICIENCY, budgets[-1])
        problem = keep_sunk(problem, sunk_workloads(inventory))
        options = SolveOptions(settings.solver, settings.time_limit, settings.gap)
        deadline = solve_deadline(began, settings.time_limit, len(inventory.workloads))
        frontier = sweep(problem, budgets, options, deadline)
    view = frontier_view(frontier_doc(frontier))
    if output and file_fmt:
        common.write_output(output, common.as_text(render(view, file_fmt)), "frontier")
    else:
        common.emit(view, fmt)


def _brief(plan: Plan) -> View:
    """The summary, with the shadow price and the costliest binding rules in a line each."""
    from lepton_cli.report.sensitivity import sensitivity_lines

    view = summary_view(plan)
    view.lines += sensitivity_lines(plan)
    return view


def _with_purchases(
    plan: Plan, offerings: list[Offering], unused: Decimal, settings: Settings
) -> Plan:
    """Purchases sized on the planned fleet (a run-rate: any lookback gives the same)."""
    from lepton_cli.commitments.optimize import attach_purchases
    from lepton_cli.commitments.purchase import PlanOptions
    from lepton_cli.commitments.rates import default_rates

    options = PlanOptions(time_limit=settings.time_limit, gap=settings.gap)
    planned: Plan = attach_purchases(plan, offerings, unused, 30, default_rates(), options)
    return planned


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


P = ParamSpec("P")


def collector_paused(command: Callable[P, None]) -> Callable[P, None]:
    """``command`` with Python's cyclic garbage collector off while it runs. A plan holds a
    few dozen small objects per workload and no reference cycles; with the collector on, each
    collection re-scans all of them, a third of the command's time on 100,000 workloads
    (benchmarks/deadline.py). Memory is still freed by reference counting as usual."""

    @functools.wraps(command)
    def paused(*args: P.args, **kwargs: P.kwargs) -> None:
        was = gc.isenabled()
        gc.disable()
        try:
            command(*args, **kwargs)
        finally:
            if was:
                gc.enable()

    return paused


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command(no_args_is_help=True)(collector_paused(optimize))
