"""Compare two plans: what a reviewer needs to see in a pull request.

Actions are matched by their stable id, so an action that keeps its id but changes its saving,
target or risk shows as *changed*, not as one removed and one added. Workloads are compared by
their allocations (provider, region, type, pricing, count). The result is a document
(:class:`PlanDiffDocument`, kind PlanDiff); ``report.plan`` renders it for people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import PlainSerializer

from lepton_cli.fileio import plain
from lepton_cli.models.base import Model
from lepton_cli.models.document import Document
from lepton_cli.models.money import fmt_money
from lepton_cli.plan.model import Action, Allocation, Plan, SolverInfo, Summary, WorkloadPlan

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


# --- the document ------------------------------------------------------------------------------

# A plan's parts inside the diff document read as in the plan file (unset fields left out),
# while the diff's own fields are all there, null when empty.
_AsInPlan = PlainSerializer(plain, return_type=dict[str, Any])


class PlanSide(Model):
    """What the diff shows of one of the two plans."""

    solver: Annotated[SolverInfo, _AsInPlan]
    summary: Annotated[Summary, _AsInPlan]
    budget: Decimal | None


class FieldChange(Model):
    old: Any
    new: Any


class ChangedAction(Model):
    id: str
    changed: dict[str, FieldChange]  # field -> its value in each plan


class ActionChanges(Model):
    added: list[Annotated[Action, _AsInPlan]]
    removed: list[Annotated[Action, _AsInPlan]]
    changed: list[ChangedAction]
    unchanged: int


class WorkloadDiff(Model):
    name: str
    old: Annotated[WorkloadPlan, _AsInPlan] | None
    new: Annotated[WorkloadPlan, _AsInPlan] | None


class PlanDiffDocument(Document):
    """``lepton plan diff -f json|yaml`` (apiVersion lepton/v1, kind PlanDiff)."""

    kind: Literal["PlanDiff"] = "PlanDiff"
    verdict: str
    old: PlanSide
    new: PlanSide
    monthly_savings_delta: Decimal
    actions: ActionChanges
    workloads: list[WorkloadDiff]


def _side(p: Plan) -> PlanSide:
    return PlanSide(solver=p.solver, summary=p.summary, budget=p.metadata.budget)


def diff_document(d: PlanDiff) -> PlanDiffDocument:
    """The diff as its document: verdict, both plans' summaries, the changes."""
    return PlanDiffDocument(
        verdict=verdict(d),
        old=_side(d.old),
        new=_side(d.new),
        monthly_savings_delta=d.savings_delta,
        actions=ActionChanges(
            added=d.added,
            removed=d.removed,
            changed=[_changed(c) for c in d.changed],
            unchanged=d.unchanged,
        ),
        workloads=[WorkloadDiff(name=c.name, old=c.old, new=c.new) for c in d.workloads],
    )


def _changed(c: ActionChange) -> ChangedAction:
    old, new = plain(c.old), plain(c.new)
    keys = [f.rstrip("_") for f in c.fields]
    changes = {k: FieldChange(old=old.get(k), new=new.get(k)) for k in keys}
    return ChangedAction(id=c.new.id, changed=changes)
