"""Plan action -> executable steps: the one place that decides what ``lepton apply`` runs.

An action carries its own ``steps`` when the plan builder filled them; an older plan (or an
action without steps) gets them derived from its kind, resources and target. A step is
*automated* (terminate, stop, resize in place, delete a volume, release an address, delete a
snapshot) or *manual* (launch, convert pricing, anything after a manual launch in the same
action, anything that crosses a provider or region): manual steps are listed with what to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from lepton_cli.plan.model import Action, ActionKind, Placement, ResourceRef, Step, StepOp

AUTOMATED_OPS = frozenset(
    {
        StepOp.TERMINATE,
        StepOp.STOP,
        StepOp.RESIZE,
        StepOp.DELETE_VOLUME,
        StepOp.RELEASE_ADDRESS,
        StepOp.DELETE_SNAPSHOT,
    }
)
# Kinds whose terminations remove capacity from a workload: checked against its plan first.
SHRINKING = frozenset({ActionKind.SCALE_DOWN, ActionKind.RIGHTSIZE})


@dataclass(frozen=True)
class ExecStep:
    """One operation on one resource, as ``lepton apply`` runs (or lists) it."""

    action: Action
    index: int
    op: StepOp
    resource: ResourceRef | None
    to: Placement | None
    manual_reason: str | None = None  # why a person must do it; None when automated

    @property
    def key(self) -> str:
        """The step's name in the journal: stable for one plan."""
        return f"{self.action.id}/{self.index}"

    @property
    def automated(self) -> bool:
        return self.manual_reason is None

    @property
    def target(self) -> ResourceRef:
        """The resource of an automated step (every automated step names one)."""
        if self.resource is None:
            raise ValueError(f"step {self.key} names no resource")
        return self.resource

    def describe(self) -> str:
        """What the step does, in a line."""
        target = self.resource.id if self.resource else _placement(self.to)
        if self.op is StepOp.RESIZE and self.resource and self.to:
            return f"resize {target}: {self.resource.type} -> {self.to.type}"
        if self.op is StepOp.CONVERT_PRICING and self.to:
            return f"convert {target} to {self.to.pricing} pricing"
        if self.op is StepOp.LAUNCH:
            return f"launch {target}"
        return f"{self.op.value} {target}"


def _placement(p: Placement | None) -> str:
    if p is None:
        return "(nothing)"
    count = f"{p.count} x " if p.count is not None else ""
    pricing = f" ({p.pricing.value})" if p.pricing else ""
    return f"{count}{p.type} in {p.provider} {p.region}{pricing}"


def plan_steps(action: Action) -> list[ExecStep]:
    """The steps of ``action``, in order, each automated or manual with the reason."""
    steps = action.steps or derive_steps(action)
    out: list[ExecStep] = []
    launched = False
    for i, step in enumerate(steps):
        reason = _manual_reason(action, step, launched)
        launched = launched or step.op is StepOp.LAUNCH
        out.append(ExecStep(action, i, step.op, step.resource, step.to, reason))
    return out


def _manual_reason(action: Action, step: Step, after_launch: bool) -> str | None:
    if step.op is StepOp.LAUNCH:
        return "launch the new instances with your provisioning tool (lepton never creates them)"
    if step.op is StepOp.CONVERT_PRICING:
        return "buy or change the commitment / pricing model in the provider's console"
    if step.op not in AUTOMATED_OPS:
        return f"{step.op.value} is not automated"
    if step.resource is None:
        return "the step names no resource"
    if action.kind is ActionKind.MOVE or after_launch:
        return "run it once the new instances serve the workload"
    if step.op is StepOp.RESIZE and not _in_place(step.resource, step.to):
        return "the target is in another provider or region: this is a move"
    return None


def _in_place(ref: ResourceRef, to: Placement | None) -> bool:
    if to is None or not to.type:
        return False
    same_provider = to.provider in (None, ref.provider)
    return same_provider and to.region in (None, "", ref.region)


_SINGLE = {
    ActionKind.TERMINATE: StepOp.TERMINATE,
    ActionKind.SCALE_DOWN: StepOp.TERMINATE,
    ActionKind.STOP: StepOp.STOP,
    ActionKind.DELETE_VOLUME: StepOp.DELETE_VOLUME,
    ActionKind.RELEASE_ADDRESS: StepOp.RELEASE_ADDRESS,
    ActionKind.DELETE_SNAPSHOT: StepOp.DELETE_SNAPSHOT,
    ActionKind.CONVERT_PRICING: StepOp.CONVERT_PRICING,
}


def derive_steps(action: Action) -> list[Step]:
    """Steps for an action that carries none, from its kind, resources and target."""
    if action.kind in _SINGLE:
        op = _SINGLE[action.kind]
        return [Step(op=op, resource=r, to=action.to) for r in action.resources]
    if action.kind is ActionKind.SCALE_UP:
        return [Step(op=StepOp.LAUNCH, to=action.to)]
    if action.kind is ActionKind.MOVE:
        launch = [Step(op=StepOp.LAUNCH, to=action.to)]
        return launch + [Step(op=StepOp.TERMINATE, resource=r) for r in action.resources]
    return _rightsize_steps(action)


def _rightsize_steps(action: Action) -> list[Step]:
    """n resources -> m of another type in place: resize min(n, m), launch or remove the rest
    (launches first, so the removals wait for them)."""
    resources, to = action.resources, action.to
    wanted = to.count if to and to.count is not None else len(resources)
    kept = resources[:wanted]
    steps = [Step(op=StepOp.RESIZE, resource=r, to=to) for r in kept]
    if wanted > len(resources) and to:
        extra = to.model_copy(update={"count": wanted - len(resources)})
        steps.append(Step(op=StepOp.LAUNCH, to=extra))
    steps += [Step(op=StepOp.TERMINATE, resource=r) for r in resources[wanted:]]
    return steps
