"""The plan's sensitivity section for people: the budget's shadow price, the rules' costs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lepton_cli.models.money import fmt_money
from lepton_cli.report.render import Table

if TYPE_CHECKING:
    from lepton_cli.plan.model import Plan


def _value(value: float) -> str:
    return f"{value:g}"


def sensitivity_lines(plan: Plan, most: int = 3) -> list[str]:
    """One line each: the shadow price and where it holds; the ``most`` costliest rules."""
    s, cur = plan.sensitivity, plan.metadata.currency
    if s is None:
        return []
    lines = []
    if s.budget is not None:
        b = s.budget
        upto = f"up to {fmt_money(b.valid_to, cur)}" if b.valid_to is not None else "and above"
        lines.append(
            f"Each extra {cur} 1 of budget buys {b.shadow_price:.4g} perf-vCPUs "
            f"(holds from {fmt_money(b.valid_from, cur)} {upto})."
        )
    costs = s.rule_costs or []
    if costs:
        shown = "; ".join(
            f"{c.rule} {_value(c.value)} on {c.workload} costs "
            f"{fmt_money(c.monthly_cost, cur)}/month"
            for c in costs[:most]
        )
        more = f" (and {len(costs) - most} more)" if len(costs) > most else ""
        lines.append(f"Binding rules: {shown}{more}.")
    if s.not_computed:
        lines.append(f"Rule costs not computed (time limit): {len(s.not_computed)} rules.")
    return lines


def rule_table(plan: Plan) -> Table | None:
    s = plan.sensitivity
    if s is None or not (s.rule_costs or s.not_computed):
        return None
    cur = plan.metadata.currency
    rows = [
        [c.workload, c.rule, _value(c.value), fmt_money(c.monthly_cost, cur)]
        for c in s.rule_costs or []
    ]
    rows += [[item.split(" on ", 1)[1], item.split(" on ", 1)[0], "", "not computed"]
             for item in s.not_computed or []]  # fmt: skip
    cols = ["workload", "rule", "value", "costs a month"]
    return Table("What each binding rule costs", cols, rows, frozenset({"value", "costs a month"}))
