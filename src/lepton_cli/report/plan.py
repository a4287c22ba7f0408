"""How plans are shown: a plan (show, optimize), the diff of two plans (a PR comment) and a
plan's verification. Each view carries the document ``plan/`` computed, for JSON / YAML, and
the tables and lines people read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lepton_cli.fileio import plain
from lepton_cli.models import fmt_money
from lepton_cli.models.money import to_cents
from lepton_cli.plan.diff import PlanDiff, diff_document, verdict
from lepton_cli.plan.model import Action, Plan, SolverInfo, WorkloadPlan
from lepton_cli.plan.verify import Verification, verification_document
from lepton_cli.report.render import Table, View, markdown_table

MARKER = "<!-- lepton-plan -->"  # lets CI update one sticky PR comment


def headline(plan: Plan) -> str:
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
        lines=[headline(plan)],
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
    """The verdict and the summary table: what `optimize -o plan.yaml` prints (its document
    the summary alone: the whole plan is in the file, and dumping it again is seconds on a
    large fleet)."""
    hint = "full tables: --wide; one action: lepton plan show PLAN --action ID"
    doc = plain(plan.summary)
    return View(document=doc, tables=[summary_table(plan)], lines=[headline(plan), hint])


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


# --- plan diff -------------------------------------------------------------------------------


def _counts(d: PlanDiff) -> str:
    return (
        f"{len(d.added)} actions added, {len(d.removed)} removed, {len(d.changed)} changed, "
        f"{d.unchanged} unchanged; {len(d.workloads)} workloads re-allocated"
    )


def _solver(s: SolverInfo) -> str:
    gap = f", gap {s.gap:.2%}" if s.gap is not None else ""
    return f"{s.name} {s.status.value}{gap}"


def _summary_table(d: PlanDiff) -> Table:
    o, n = d.old.summary, d.new.summary
    rows: list[list[Any]] = [
        [
            "current monthly cost",
            to_cents(o.current_monthly_cost),
            to_cents(n.current_monthly_cost),
        ],
        [
            "planned monthly cost",
            to_cents(o.planned_monthly_cost),
            to_cents(n.planned_monthly_cost),
        ],
        ["monthly savings", to_cents(o.monthly_savings), to_cents(n.monthly_savings)],
        ["one-time cost", _cents(o.one_time_cost), _cents(n.one_time_cost)],
        ["budget", d.old.metadata.budget, d.new.metadata.budget],
        ["within budget", o.within_budget, n.within_budget],
        ["solver", _solver(d.old.solver), _solver(d.new.solver)],
        ["actions", len(d.old.actions), len(d.new.actions)],
    ]
    return Table(
        "Plan before / after", ["", "before", "after"], rows, frozenset({"before", "after"})
    )


def _cents(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else to_cents(amount)


def _action_row(change: str, a: Action, fields: tuple[str, ...] = ()) -> list[Any]:
    what = ", ".join(f.rstrip("_") for f in fields)
    return [
        change,
        a.id,
        a.kind.value,
        a.workload or "",
        to_cents(a.monthly_saving),
        a.risk.value,
        a.reason + (f" [changed: {what}]" if what else ""),
    ]


def _actions_table(d: PlanDiff) -> Table:
    rows = [_action_row("added", a) for a in d.added]
    rows += [_action_row("removed", a) for a in d.removed]
    rows += [_action_row("changed", c.new, c.fields) for c in d.changed]
    cols = ["change", "id", "kind", "workload", "monthly saving", "risk", "reason"]
    return Table("Actions", cols, rows, frozenset({"monthly saving"}))


def _allocations(w: WorkloadPlan | None) -> str:
    if w is None:
        return "(none)"
    parts = [
        f"{a.count}× {a.provider}/{a.region}/{a.type} {a.pricing.value}" for a in w.allocations
    ]
    return ", ".join(sorted(parts)) or "(empty)"


def _cost(w: WorkloadPlan | None) -> Decimal | None:
    return None if w is None else to_cents(w.planned_monthly_cost)


def _workloads_table(d: PlanDiff) -> Table:
    rows = [
        [c.name, _allocations(c.old), _allocations(c.new), _cost(c.old), _cost(c.new)]
        for c in d.workloads
    ]
    cols = ["workload", "before", "after", "cost before", "cost after"]
    return Table("Workloads whose allocation changed", cols, rows, frozenset(cols[3:]))


def diff_view(d: PlanDiff) -> View:
    """The diff as a View: the verdict above a summary, actions and workloads tables."""
    tables = [_summary_table(d), _actions_table(d), _workloads_table(d)]
    document = diff_document(d).data()
    return View(document, tables, [verdict(d), _counts(d)], MARKER, csv_table=1)


def diff_markdown(d: PlanDiff) -> str:
    """A sticky PR comment: marker, one-line verdict, summary, then a collapsible detail table."""
    view = diff_view(d)
    summary, actions, workloads = view.tables
    out = [MARKER, f"**lepton plan** {verdict(d)}", "", markdown_table(summary), ""]
    out += ["<details>", f"<summary>{_counts(d)}</summary>", ""]
    for t in (actions, workloads):
        out += [f"**{t.title}**", "", markdown_table(t) if t.rows else "_none_", ""]
    out.append("</details>")
    return "\n".join(out) + "\n"


# --- plan verify -----------------------------------------------------------------------------


def verification_lines(v: Verification) -> list[str]:
    """People-text: the verdict, then the digest note."""
    if v.holds:
        lines = [f"the plan holds: {v.checked} resource preconditions checked, none drifted"]
    else:
        lines = [f"the plan drifted: {len(v.drifts)} of {v.checked} preconditions no longer hold"]
    if v.digest_changed:
        lines.append("the inputs changed since the plan was made (inputs digest differs)")
    elif v.current_digest is not None:
        lines.append("the inputs are unchanged (inputs digest matches)")
    return lines


def verification_view(v: Verification) -> View:
    """A View of the result: one row per drift."""
    rows = [[d.action_id, d.resource_id, d.what, d.expected, d.actual] for d in v.drifts]
    cols = ["action", "resource", "drift", "expected", "actual"]
    doc = verification_document(v).data()
    tables = [Table("Drift", cols, rows)] if rows else []
    return View(doc, tables, verification_lines(v))
