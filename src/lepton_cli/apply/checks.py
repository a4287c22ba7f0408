"""Checks made before the first change: the plan is the one reviewed, the resources are as the
plan expects, and removing an instance keeps its workload within the plan."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from lepton_cli.apply.executor import Live
from lepton_cli.apply.steps import SHRINKING, ExecStep
from lepton_cli.errors import InputError
from lepton_cli.plan.build import action_id
from lepton_cli.plan.model import Action, Plan, ResourceRef, StepOp
from lepton_cli.plan.verify import check_preconditions

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
EDIT_HINT = "apply the plan file as `lepton optimize -o` wrote it: re-run optimize, never hand-edit"


def check_plan(plan: Plan, where: str) -> None:
    """InputError (exit 3) unless ``plan`` is whole and unedited: a well-formed inputs digest,
    unique action ids, and every id still the digest of what its action does."""
    if not _DIGEST.match(plan.metadata.inputs_digest):
        raise InputError(f"{where}: metadata.inputs_digest is not a sha256 digest", EDIT_HINT)
    dupes = [i for i, n in Counter(a.id for a in plan.actions).items() if n > 1]
    if dupes:
        raise InputError(f"{where}: action id {dupes[0]} appears more than once", EDIT_HINT)
    for n, action in enumerate(plan.actions):
        _check_steps(action, n, where)  # the more precise message first
        if action.id != action_id(action):
            raise InputError(
                f"{where}: actions[{n}] ({action.id}) does not match its own id: its kind, "
                "workload, resources or target were edited after the plan was made",
                EDIT_HINT,
            )


def _check_steps(action: Action, n: int, where: str) -> None:
    """Steps may only touch the action's own resources."""
    own = {(r.provider, r.id) for r in action.resources}
    for i, step in enumerate(action.steps):
        if step.resource and (step.resource.provider, step.resource.id) not in own:
            raise InputError(
                f"{where}: actions[{n}].steps[{i}] touches {step.resource.id}, which is not "
                f"among the resources of action {action.id}",
                EDIT_HINT,
            )


def drift(plan: Plan, action: Action, ref: ResourceRef, live: Live | None) -> list[str]:
    """What no longer matches the plan for ``ref`` (plan.verify's comparison), plus the
    protect tag and attachment."""
    one = plan.model_copy(update={"actions": [action.model_copy(update={"resources": [ref]})]})
    found = [live.as_resource(ref)] if live else []
    _, drifts = check_preconditions(one, found)
    reasons = [d.describe() for d in drifts]
    if live and live.protected:
        reasons.append(f"{ref.id}: tagged lepton:protect=true")
    return reasons


def attached(step: ExecStep, live: Live) -> str | None:
    """lepton never detaches a volume: one still attached (to a stopped instance, say) is left."""
    if step.op is StepOp.DELETE_VOLUME and live.attached_to:
        return f"{live.id}: attached to {live.attached_to}; detach it first (lepton does not)"
    return None


CountFn = Callable[[str, str, str, str], int]  # provider, workload, account, region


def floor_refusal(plan: Plan, step: ExecStep, count: CountFn) -> str | None:
    """Why removing ``step``'s instance would take its workload below the plan, or None.

    The plan's allocation meets the workload's min_replicas and loss-of-provider rules; so the
    live fleet may shrink only while it keeps at least the planned count in all and on the
    instance's provider. A launch the plan asks for that has not happened yet holds removals.
    """
    name, ref = step.action.workload, step.resource
    if name is None or ref is None:
        return None
    wp = next((w for w in plan.workloads if w.name == name), None)
    if wp is None:
        return f"workload {name} is not in the plan: cannot prove it keeps enough instances"
    places = _places(plan, name)
    live = {p: sum(count(p, name, a, r) for a, r in where) for p, where in places.items()}
    planned = Counter[str]()
    for a in wp.allocations:
        planned[a.provider] += a.count
    total, on_provider = sum(live.values()), live.get(ref.provider, 0)
    if total - 1 < planned.total() or on_provider - 1 < planned[ref.provider]:
        return (
            f"removing {ref.id} leaves workload {name} {total - 1} running instance(s) "
            f"({on_provider - 1} on {ref.provider}); the plan keeps {planned.total()} "
            f"({planned[ref.provider]} on {ref.provider}): launch the planned instances first"
        )
    return None


def _places(plan: Plan, name: str) -> dict[str, set[tuple[str, str]]]:
    """provider -> (account, region) pairs where the workload's instances may be counted."""
    places: dict[str, set[tuple[str, str]]] = {}
    accounts: dict[str, set[str]] = {}
    for action in plan.actions:
        if action.workload != name:
            continue
        for r in action.resources:
            places.setdefault(r.provider, set()).add((r.account, r.region))
            accounts.setdefault(r.provider, set()).add(r.account)
    wp = next(w for w in plan.workloads if w.name == name)
    for a in wp.allocations:
        for account in accounts.get(a.provider, {""}):
            places.setdefault(a.provider, set()).add((account, a.region))
    return places


def needs_floor(step: ExecStep) -> bool:
    """Terminations that shrink a workload (scale-down, a rightsize to fewer instances)."""
    return step.op is StepOp.TERMINATE and step.action.kind in SHRINKING
