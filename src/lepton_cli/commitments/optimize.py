"""Commitments in `lepton optimize`: transformations of the optimizer's inputs and of its plan.

- Pooled purchases (``--commitments plan``): the optimizer rightsizes on on-demand prices
  (no per-instance ``reserved`` candidates, except for workloads marked
  ``commitments: per-instance``), then the purchase planner sizes commitments on the planned
  fleet; both land in one plan, the purchases in its ``commitments:`` section.
- Owned capacity is sunk (always): an instance an owned commitment covers (``pricing:
  reserved`` in the inventory) costs nothing more to keep, since the fee is paid either way.
  A workload whose compute is all covered keeps its current placement (no move can beat a
  marginal cost of zero), and any action that stops using covered capacity has the
  commitment's cost taken out of its saving: it is reported as unused commitment cost, never
  as saved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from lepton_cli.models import Inventory, Offering, Pricing, Resource, ResourceKind

PER_INSTANCE = "per-instance"


def pooled_offerings(offerings: Sequence[Offering]) -> list[Offering]:
    """The offerings without their per-instance ``reserved`` price."""
    out = []
    for o in offerings:
        prices = {p: v for p, v in o.prices.items() if p is not Pricing.RESERVED}
        if prices:
            out.append(o.model_copy(update={"prices": prices}))
    return out


def per_instance_workloads(inventory: Inventory) -> set[str]:
    return {w.name for w in inventory.workloads if getattr(w, "commitments", None) == PER_INSTANCE}


def covered(r: Resource) -> bool:
    """A running compute resource billed at a commitment's rate today."""
    return r.kind is ResourceKind.COMPUTE and r.pricing is Pricing.RESERVED and r.hourly_cost >= 0


def sunk_workloads(inventory: Inventory) -> set[str]:
    """Workloads whose every compute resource runs on owned commitments."""
    by: dict[str, list[Resource]] = {}
    for r in inventory.resources:
        if r.workload and r.kind is ResourceKind.COMPUTE:
            by.setdefault(r.workload, []).append(r)
    return {name for name, rs in by.items() if rs and all(covered(r) for r in rs)}


def keep_sunk(problem: Any, names: set[str]) -> Any:
    """Restrict each sunk workload to the placements it runs on today, so the optimizer keeps
    owned capacity instead of paying twice. When the offerings have no price at today's
    pricing (a replaced catalog), today's placement is added at the rate it is billed now."""
    workloads = []
    for wp in problem.workloads:
        # spread and loss-of-provider rules may need other placements: only the savings
        # accounting (account_sunk) applies to those workloads
        simple = wp.min_providers == 1 and wp.min_zones == 1 and not wp.survive_fraction
        if wp.name in names and simple:
            kept = tuple(c for c in wp.candidates if c.key in wp.current) or _as_billed(wp)
            if kept:
                wp = dataclasses.replace(wp, candidates=kept)
        workloads.append(wp)
    return dataclasses.replace(problem, workloads=workloads)


def _as_billed(wp: Any) -> tuple[Any, ...]:
    """Today's placements as candidates at today's hourly rate (same size, same zone rules)."""
    out = []
    for key in sorted(wp.current, key=str):
        provider, region, type_, pricing = key
        billed = [r for r in wp.resources if (r.provider, r.region, r.type) == key[:3]]
        like = next(
            (
                c
                for c in wp.candidates
                if (c.provider, c.region, c.type) == (provider, region, type_)
            ),
            None,
        )
        if like is None or not billed:
            return ()
        rate = max(r.monthly_cost for r in billed)
        out.append(dataclasses.replace(like, pricing=pricing, monthly=rate))
    return tuple(out)


def solve_inventory(
    inventory: Inventory,
    offerings: Sequence[Offering],
    problem_options: Any,
    options: Any,
    objective: Any,
    budget: Decimal | None,
    pooled: bool,
    deadline: float | None = None,
    progress: Any = None,
) -> Any:
    """``optimizer.optimize_inventory`` with owned capacity sunk and, when ``pooled``, no
    per-instance reserved candidates except for workloads that ask for them; solved by
    ``deadline`` (a ``time.monotonic()`` value), telling ``progress`` (solved, total)."""
    from lepton_cli.optimizer import build_problem, optimize
    from lepton_cli.optimizer.disruption import limit_changes

    used = pooled_offerings(offerings) if pooled else list(offerings)
    problem = build_problem(inventory, used, problem_options, objective, budget)
    keep = per_instance_workloads(inventory) if pooled else set()
    if keep:
        full = build_problem(inventory, offerings, problem_options, objective, budget)
        by_name = {w.name: w for w in full.workloads}
        swapped = [by_name[w.name] if w.name in keep else w for w in problem.workloads]
        problem = dataclasses.replace(problem, workloads=swapped)
    problem = keep_sunk(problem, sunk_workloads(inventory))
    solution = optimize(problem, options, deadline, progress)
    return limit_changes(solution, problem_options.max_changes)


# ------------------------------------------------------------------ the plan


def _sunk_cost(action: Any, by_id: dict[str, Resource]) -> Decimal:
    """The monthly commitment cost of the covered resources an action stops using."""
    stops = ("terminate", "rightsize", "move", "scale-down", "stop", "convert-pricing")
    if action.kind.value not in stops:
        return Decimal(0)
    touched = [by_id[r.id] for r in action.resources if r.id in by_id]
    return sum((r.monthly_cost for r in touched if covered(r)), Decimal(0))


def account_sunk(plan: Any, inventory: Inventory) -> tuple[Any, Decimal]:
    """The plan with every action's saving net of the commitment cost it leaves unused, the
    summary's planned cost including it, and that monthly unused cost."""
    by_id = {r.id: r for r in inventory.resources}
    actions, unused = [], Decimal(0)
    for a in plan.actions:
        sunk = _sunk_cost(a, by_id)
        if sunk:
            unused += sunk
            note = f"; {sunk:.2f}/month of owned commitment stays paid (unused, not saved)"
            a = a.model_copy(
                update={"monthly_saving": a.monthly_saving - sunk, "reason": a.reason + note}
            )
        actions.append(a)
    if not unused:
        return plan, unused
    s = plan.summary
    summary = s.model_copy(
        update={
            "planned_monthly_cost": s.planned_monthly_cost + unused,
            "monthly_savings": s.monthly_savings - unused,
        }
    )
    return plan.model_copy(update={"actions": actions, "summary": summary}), unused


def planned_profile(plan: Any, days: int) -> Any:
    from lepton_cli.commitments.profile import from_plan

    return from_plan(plan, days, "the planned fleet")


def attach_purchases(
    plan: Any,
    offerings: Sequence[Offering],
    unused: Decimal,
    lookback: int,
    rates: Sequence[Any],
    opts: Any,
) -> Any:
    """The plan with a ``commitments:`` section: purchases sized on its on-demand fleet."""
    from lepton_cli.commitments.document import to_document
    from lepton_cli.commitments.purchase import plan_purchases

    result = plan_purchases(planned_profile(plan, lookback), rates, offerings, opts)
    doc = to_document(result, "the planned fleet", lookback)
    doc = doc.model_copy(update={"unused_commitment_monthly_cost": unused})
    return plan.model_copy(update={"commitments": doc})
