"""How a plan is shown: a verdict, then summary, allocations and actions tables.

The document is the plan itself, so ``--format json`` / ``yaml`` print exactly the plan file.
"""

from __future__ import annotations

from lepton_cli.fileio import plain
from lepton_cli.models import fmt_money
from lepton_cli.plan.model import Plan
from lepton_cli.report import Table, View

MARKER = "<!-- lepton-plan -->"  # lets CI update one sticky PR comment


def verdict(plan: Plan) -> str:
    s, m = plan.summary, plan.metadata
    money = fmt_money(s.monthly_savings, m.currency)
    head = (
        f"Plan saves {money}/month ({len(plan.actions)} actions; solver {plan.solver.name}: "
        f"{plan.solver.status.value}"
    )
    gap = f", gap {plan.solver.gap:.2g})" if plan.solver.gap is not None else ")"
    if not s.within_budget and s.needed_budget is not None and m.budget is not None:
        more = fmt_money(s.needed_budget - m.budget, m.currency)
        needed = fmt_money(s.needed_budget, m.currency)
        return f"{head}{gap}. OVER BUDGET: needs {needed} ({more} more)."
    return head + gap + "."


def summary_table(plan: Plan) -> Table:
    s, cur = plan.summary, plan.metadata.currency
    rows: list[list[object]] = [
        ["current monthly cost", fmt_money(s.current_monthly_cost, cur)],
        ["planned monthly cost", fmt_money(s.planned_monthly_cost, cur)],
        ["monthly savings", fmt_money(s.monthly_savings, cur)],
        ["within budget", "yes" if s.within_budget else "no"],
    ]
    if plan.metadata.budget is not None:
        rows.append(["budget (bounds the planned bill)", fmt_money(plan.metadata.budget, cur)])
    if s.compute_monthly_cost is not None:
        rows.append(["of which workloads' compute", fmt_money(s.compute_monthly_cost, cur)])
    if s.budgeted_monthly_cost is not None:  # a plan written before the budget bounded the bill
        rows.append(["workloads' planned compute", fmt_money(s.budgeted_monthly_cost, cur)])
    if s.one_time_cost:
        rows.append(["one-time cost (moves)", fmt_money(s.one_time_cost, cur)])
    for lever, amount in s.savings_by_lever.items():
        rows.append([f"  saved by {lever}", fmt_money(amount, cur)])
    if s.needed_budget is not None:
        rows.append(["needed budget", fmt_money(s.needed_budget, cur)])
    if s.current_efficiency is not None and s.planned_efficiency is not None:
        rows.append(
            [
                "perf-vCPUs (current -> planned)",
                f"{s.current_efficiency:g} -> {s.planned_efficiency:g}",
            ]
        )
    return Table("Summary", ["metric", "value"], rows, right=frozenset({"value"}))


def allocations_table(plan: Plan) -> Table:
    cur = plan.metadata.currency
    rows = [
        [
            w.name,
            a.provider,
            a.region,
            a.type,
            a.pricing.value,
            a.count,
            a.monthly_cost,  # a Decimal: cents in tables, exact in CSV
        ]
        for w in plan.workloads
        for a in w.allocations
    ]
    columns = ["workload", "provider", "region", "type", "pricing", "count", f"monthly {cur}"]
    keep = frozenset({"provider", "region", "type"})
    right = frozenset({"count", f"monthly {cur}"})
    return Table("Allocations", columns, rows, right=right, keep=keep, optional=("provider",))


def _placement(p: object) -> str:
    if p is None:
        return ""
    d = plain(p)  # type: ignore[arg-type]
    return " ".join(str(d[k]) for k in ("count", "type", "pricing", "region") if k in d)


def actions_table(plan: Plan, wide: bool = False) -> Table:
    """The actions. The narrow form (the terminal's default) fits 80 columns: the id (which
    starts with the kind), the workload, the target type, the saving and the risk; ``wide``
    adds kind, from, to and the reason (one action in full: `plan show --action ID`)."""
    cur = plan.metadata.currency
    saving = f"saving {cur}"
    if not wide:
        rows = [
            [a.id, a.workload or "", a.to.type if a.to else "", a.monthly_saving, a.risk.value]
            for a in plan.actions
        ]
        columns = ["id", "workload", "to type", saving, "risk"]
        keep = frozenset({"id", "to type", "risk"})
        return Table("Actions", columns, rows, right=frozenset({saving}), keep=keep)
    rows = [
        [
            a.id,
            a.kind.value,
            a.workload or "",
            _placement(a.from_),
            _placement(a.to),
            a.monthly_saving,
            a.risk.value,
            a.reason,
        ]
        for a in plan.actions
    ]
    columns = ["id", "kind", "workload", "from", "to", saving, "risk", "reason"]
    return Table("Actions", columns, rows, right=frozenset({saving}), keep=frozenset({"id"}))


def held_back_table(plan: Plan) -> Table:
    cur = plan.metadata.currency
    rows = [[h.workload, h.monthly_saving, h.one_time_cost, h.reason] for h in plan.held_back]
    columns = ["workload", f"would save {cur}/month", f"one-time {cur}", "why kept"]
    right = frozenset(columns[1:3])
    return Table("Held back (kept as they run today)", columns, rows, right=right)


def plan_view(plan: Plan, wide: bool = False) -> View:
    """The plan for people (tables) and machines (the plan document itself). CSV and Markdown
    always carry the reasons; the terminal table only with ``wide``."""
    held = [held_back_table(plan)] if plan.held_back else []
    return View(
        document=plain(plan),
        tables=[
            summary_table(plan),
            allocations_table(plan),
            actions_table(plan, wide=True),
            *held,
        ],
        lines=[verdict(plan)],
        markdown_header=MARKER,
        csv_table=2,
        table_tables=[
            summary_table(plan),
            allocations_table(plan),
            actions_table(plan, wide),
            *held,
        ],
    )


def summary_view(plan: Plan) -> View:
    """The verdict and the summary table: what `optimize -o plan.yaml` prints."""
    hint = "full tables: --wide; one action: lepton plan show PLAN --action ID"
    return View(document=plain(plan), tables=[summary_table(plan)], lines=[verdict(plan), hint])


def action_view(plan: Plan, action_id: str) -> View | None:
    """One action in full (every field, the whole reason and each step), or None."""
    action = next((a for a in plan.actions if a.id == action_id), None)
    if action is None:
        return None
    cur = plan.metadata.currency
    rows: list[list[object]] = [
        ["id", action.id],
        ["kind", action.kind.value],
        ["workload", action.workload or ""],
        ["from", _placement(action.from_)],
        ["to", _placement(action.to)],
        [f"monthly saving {cur}", action.monthly_saving],
        ["risk", action.risk.value],
        ["reason", action.reason],
    ]
    if action.one_time_cost is not None:
        rows.append([f"one-time cost {cur}", action.one_time_cost])
    if action.payback_months is not None:
        rows.append(["payback months", f"{action.payback_months:g}"])
    rows += [["resource", r.id] for r in action.resources]
    doc = plain(action)
    return View(document=doc, tables=[Table(f"Action {action.id}", ["field", "value"], rows)])
