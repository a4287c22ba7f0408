"""Check that a saved plan still holds against the live (or freshly exported) state.

Each action lists the resources it touches with the type, pricing and state the plan expects
(``ResourceRef``). A plan holds when every such resource still exists and still matches; any
difference is a :class:`Drift`. The inputs digest is compared separately: inputs change all the
time (utilisation moves daily), so a changed digest is reported but is drift only with ``strict``.
The result's document is :class:`VerificationDocument`; ``report.plan`` renders it for people.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from lepton_cli.config import Settings
from lepton_cli.models import Inventory, Resource
from lepton_cli.models.base import Model
from lepton_cli.models.document import Document
from lepton_cli.plan.model import Action, Plan, ResourceRef


@dataclass(frozen=True)
class Drift:
    """One precondition that no longer holds."""

    action_id: str
    resource_id: str
    what: str  # missing | type | pricing | state | zone-spread | inputs-digest
    expected: str | None
    actual: str | None

    def describe(self) -> str:
        if self.what == "missing":
            return f"{self.resource_id} (action {self.action_id}): no longer exists"
        return (
            f"{self.resource_id} (action {self.action_id}): {self.what} is {self.actual}, "
            f"the plan expects {self.expected}"
        )


@dataclass(frozen=True)
class Verification:
    plan_digest: str
    current_digest: str | None  # None when the source cannot give one (a live provider)
    checked: int  # resource references checked
    drifts: list[Drift] = field(default_factory=list)

    @property
    def digest_changed(self) -> bool:
        return self.current_digest is not None and self.current_digest != self.plan_digest

    @property
    def holds(self) -> bool:
        return not self.drifts


def check_preconditions(plan: Plan, resources: Iterable[Resource]) -> tuple[int, list[Drift]]:
    """(references checked, drifts) for every ResourceRef of every action of ``plan``."""
    live = {(r.provider, r.id): r for r in resources}
    drifts: list[Drift] = []
    checked = 0
    for action in plan.actions:
        for ref in action.resources:
            checked += 1
            drifts += _ref_drifts(action, ref, live.get((ref.provider, ref.id)))
    return checked, drifts


def _ref_drifts(action: Action, ref: ResourceRef, found: Resource | None) -> list[Drift]:
    if found is None:
        return [Drift(action.id, ref.id, "missing", "exists", None)]
    pairs = {
        "type": (ref.type, found.type),
        "pricing": (ref.pricing and ref.pricing.value, found.pricing.value),
        "state": (ref.state and ref.state.value, found.state.value),
    }
    # A field the plan left unset is not a precondition.
    return [
        Drift(action.id, ref.id, what, expected, actual)
        for what, (expected, actual) in pairs.items()
        if expected is not None and expected != actual
    ]


def zone_spread_drifts(plan: Plan, resources: Iterable[Resource]) -> list[Drift]:
    """The zone-spread rule of each workload that has one: the plan's allocations name at
    least ``min_zones`` zones, and a workload the plan leaves as it is still runs in that many
    (live resources tagged with it)."""
    changed = {a.workload for a in plan.actions if a.workload}
    live: dict[str, set[str]] = {}
    for r in resources:
        if r.workload and r.kind.value == "compute" and r.state.value == "running":
            live.setdefault(r.workload, set()).add(r.zone or r.region)
    out = []
    for w in plan.workloads:
        if not w.min_zones or w.min_zones <= 1:
            continue
        planned = {a.zone or a.region for a in w.allocations if a.count > 0}
        found = planned if w.name in changed else live.get(w.name, set())
        if len(found) < w.min_zones:
            where = "plan" if w.name in changed else "live"
            out.append(
                Drift(
                    "-",
                    w.name,
                    "zone-spread",
                    f">= {w.min_zones} zones",
                    f"{len(found)} ({where}: {', '.join(sorted(found)) or 'none'})",
                )
            )
    return out


def verify(
    plan: Plan,
    resources: Iterable[Resource],
    current_digest: str | None = None,
    strict: bool = False,
) -> Verification:
    """Check ``plan`` against ``resources`` (preconditions, and each workload's zone-spread
    rule); with ``strict`` a changed inputs digest is drift."""
    resources = list(resources)
    checked, drifts = check_preconditions(plan, resources)
    drifts += zone_spread_drifts(plan, resources)
    result = Verification(plan.metadata.inputs_digest, current_digest, checked, drifts)
    if strict and result.digest_changed:
        digest = Drift(
            "-", "(inputs)", "inputs-digest", plan.metadata.inputs_digest, current_digest
        )
        result = Verification(result.plan_digest, current_digest, checked, [*drifts, digest])
    return result


class DigestPair(Model):
    plan: str
    current: str | None  # None when the source cannot give one (a live provider)


class VerificationDocument(Document):
    """``lepton plan verify -f json|yaml`` (apiVersion lepton/v1, kind PlanVerification)."""

    kind: Literal["PlanVerification"] = "PlanVerification"
    holds: bool
    checked: int
    inputs_digest: DigestPair
    inputs_changed: bool
    drifts: list[Drift]


def verification_document(v: Verification) -> VerificationDocument:
    """The verification as its document: the verdict, the digests, one entry per drift."""
    return VerificationDocument(
        holds=v.holds,
        checked=v.checked,
        inputs_digest=DigestPair(plan=v.plan_digest, current=v.current_digest),
        inputs_changed=v.digest_changed,
        drifts=v.drifts,
    )


def current_digest(plan: Plan, inventory: Inventory, settings: Settings) -> str:
    """The inputs digest ``lepton optimize`` would record today for ``inventory``.

    Built from the same parts as the optimiser's: the inventory, the offerings it would see
    (the catalog merged with the inventory's own) and the options recorded in the plan.
    """
    from lepton_cli.plan.io import inputs_digest
    from lepton_cli.pricing.catalog import effective_offerings, load_catalog

    offerings = effective_offerings(load_catalog(settings), inventory)
    return inputs_digest(inventory, offerings, _options(plan, settings))


def _options(plan: Plan, settings: Settings) -> dict[str, object]:
    from lepton_cli.config import problem_options
    from lepton_cli.plan.io import digest_options

    meta = plan.metadata
    pooled = "plan" if plan.commitments is not None else None
    problem = replace(
        problem_options(settings, use_perf=not meta.no_perf), max_changes=meta.max_changes
    )
    return digest_options(meta.objective.value, meta.budget, problem, commitments=pooled)
