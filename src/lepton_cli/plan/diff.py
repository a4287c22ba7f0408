"""Compare two plans: what a reviewer needs to see in a pull request.

Actions are matched by their stable id, so an action that keeps its id but changes its saving,
target or risk shows as *changed*, not as one removed and one added. Workloads are compared by
their allocations (provider, region, type, pricing, count).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lepton_cli.fileio import plain
from lepton_cli.models import API_VERSION
from lepton_cli.models.money import fmt_money, to_cents
from lepton_cli.plan.model import Action, Allocation, Plan, SolverInfo, WorkloadPlan
from lepton_cli.plan.view import MARKER
from lepton_cli.report import Table, View
from lepton_cli.report.render import markdown_table

_COMPARED = (
    "kind",
    "workload",
    "resources",
    "from_",
    "to",
    "monthly_saving",
    "reason",
    "risk",
    "steps",
    "one_time_cost",
)


@dataclass(frozen=True)
class ActionChange:
    """An action present in both plans (same id) whose content differs."""

    old: Action
    new: Action
    fields: tuple[str, ...]  # e.g. ("monthly_saving", "to")


@dataclass(frozen=True)
class WorkloadChange:
    """A workload whose allocation differs; ``old`` or ``new`` is None when it was added/removed."""

    name: str
    old: WorkloadPlan | None
    new: WorkloadPlan | None


@dataclass(frozen=True)
class PlanDiff:
    old: Plan
    new: Plan
    added: list[Action] = field(default_factory=list)
    removed: list[Action] = field(default_factory=list)
    changed: list[ActionChange] = field(default_factory=list)
    unchanged: int = 0
    workloads: list[WorkloadChange] = field(default_factory=list)

    @property
    def savings_delta(self) -> Decimal:
        return self.new.summary.monthly_savings - self.old.summary.monthly_savings


def diff_plans(old: Plan, new: Plan) -> PlanDiff:
    """The differences from ``old`` to ``new`` (actions by id, workloads by allocation)."""
    before = {a.id: a for a in old.actions}
    after = {a.id: a for a in new.actions}
    changed = [_change(before[i], after[i]) for i in sorted(before.keys() & after.keys())]
    return PlanDiff(
        old=old,
        new=new,
        added=[after[i] for i in sorted(after.keys() - before.keys())],
        removed=[before[i] for i in sorted(before.keys() - after.keys())],
        changed=[c for c in changed if c.fields],
        unchanged=sum(1 for c in changed if not c.fields),
        workloads=_workload_changes(old.workloads, new.workloads),
    )


def _change(old: Action, new: Action) -> ActionChange:
    fields = tuple(f for f in _COMPARED if getattr(old, f) != getattr(new, f))
    return ActionChange(old=old, new=new, fields=fields)


def _allocation_key(a: Allocation) -> tuple[str, str, str, str, int]:
    return (a.provider, a.region, a.type, a.pricing.value, a.count)


def _same_allocation(old: WorkloadPlan, new: WorkloadPlan) -> bool:
    return sorted(map(_allocation_key, old.allocations)) == sorted(
        map(_allocation_key, new.allocations)
    )


def _workload_changes(old: list[WorkloadPlan], new: list[WorkloadPlan]) -> list[WorkloadChange]:
    before = {w.name: w for w in old}
    after = {w.name: w for w in new}
    out = []
    for name in sorted(before.keys() | after.keys()):
        o, n = before.get(name), after.get(name)
        if o is None or n is None or not _same_allocation(o, n):
            out.append(WorkloadChange(name=name, old=o, new=n))
    return out


# --- words -------------------------------------------------------------------------------------


def money(amount: Decimal, currency: str = "USD") -> str:
    """Whole currency units for verdicts: ``$4,210`` (USD) or ``4,210 EUR``."""
    return fmt_money(amount, currency, whole=True)


def _signed(amount: Decimal, currency: str) -> str:
    return ("+" if amount >= 0 else "-") + money(abs(amount), currency)


def plan_verdict(plan: Plan) -> str:
    """One line for a plan: what it saves and where it stands against its budget."""
    cur = plan.metadata.currency
    saving = plan.summary.monthly_savings
    if saving > 0:
        head = f"saves {money(saving, cur)}/month"
    elif saving < 0:
        head = f"costs {money(-saving, cur)}/month more"
    else:
        head = "saves nothing"
    return f"{head}, {_budget_words(plan)}"


def _budget_words(plan: Plan) -> str:
    cur, budget = plan.metadata.currency, plan.metadata.budget
    if budget is None:
        return "no budget set"
    if plan.summary.within_budget:
        return f"within the {money(budget, cur)} budget"
    needed = plan.summary.needed_budget or plan.summary.planned_monthly_cost
    return f"over the {money(budget, cur)} budget (needs {money(needed, cur)})"


def verdict(d: PlanDiff) -> str:
    """``saves $4,210/month, within the $40,000 budget (+$310/month vs the previous plan)``."""
    line = plan_verdict(d.new)
    if d.savings_delta:
        line += f" ({_signed(d.savings_delta, d.new.metadata.currency)}/month vs the previous plan)"
    if d.new.solver.status.value != "optimal":
        line += f"; solver status: {d.new.solver.status.value}"
    return line


def _counts(d: PlanDiff) -> str:
    return (
        f"{len(d.added)} actions added, {len(d.removed)} removed, {len(d.changed)} changed, "
        f"{d.unchanged} unchanged; {len(d.workloads)} workloads re-allocated"
    )


# --- tables and documents ----------------------------------------------------------------------


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


def _plan_digest(p: Plan) -> dict[str, Any]:
    return {"solver": plain(p.solver), "summary": plain(p.summary), "budget": p.metadata.budget}


def _document(d: PlanDiff) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "PlanDiff",
        "verdict": verdict(d),
        "old": _plan_digest(d.old),
        "new": _plan_digest(d.new),
        "monthly_savings_delta": d.savings_delta,
        "actions": {
            "added": [plain(a) for a in d.added],
            "removed": [plain(a) for a in d.removed],
            "changed": [_change_doc(c) for c in d.changed],
            "unchanged": d.unchanged,
        },
        "workloads": [_workload_doc(c) for c in d.workloads],
    }


def _change_doc(c: ActionChange) -> dict[str, Any]:
    old, new = plain(c.old), plain(c.new)
    keys = [f.rstrip("_") for f in c.fields]
    return {"id": c.new.id, "changed": {k: {"old": old.get(k), "new": new.get(k)} for k in keys}}


def _workload_doc(c: WorkloadChange) -> dict[str, Any]:
    return {
        "name": c.name,
        "old": plain(c.old) if c.old else None,
        "new": plain(c.new) if c.new else None,
    }


def diff_view(d: PlanDiff) -> View:
    """The diff as a View: the verdict above a summary, actions and workloads tables."""
    tables = [_summary_table(d), _actions_table(d), _workloads_table(d)]
    return View(_document(d), tables, [verdict(d), _counts(d)], MARKER, csv_table=1)


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
