"""The contract every provider's executor meets, and what it reads back from the cloud."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from lepton_cli.apply.journal import StepLog
from lepton_cli.apply.steps import ExecStep
from lepton_cli.errors import ProviderError
from lepton_cli.models import Pricing, Resource, ResourceState
from lepton_cli.plan.model import ResourceRef, StepOp


@dataclass(frozen=True)
class Live:
    """A resource as the provider shows it right now.

    ``pricing`` is None when the provider cannot tell from the resource itself (a reservation
    covers an instance in the bill, not on the instance). ``attached_to`` names what a volume or
    address is attached to; ``details`` holds what a step and its rollback need (zone, size ...).
    """

    id: str
    type: str | None
    state: ResourceState
    power: str  # the provider's own word: running, stopped, deallocated, TERMINATED ...
    pricing: Pricing | None = None
    tags: dict[str, str] = field(default_factory=dict)
    attached_to: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def protected(self) -> bool:
        return self.tags.get("lepton:protect", "").lower() == "true"

    def as_resource(self, ref: ResourceRef) -> Resource:
        """The live resource in the shape ``plan.verify`` compares with the plan."""
        pricing = self.pricing or ref.pricing or Pricing.ON_DEMAND
        if ref.pricing is Pricing.RESERVED and pricing is Pricing.ON_DEMAND:
            pricing = Pricing.RESERVED  # a reservation is a billing fact, not on the instance
        return Resource(
            id=ref.id,
            provider=ref.provider,
            account=ref.account,
            region=ref.region,
            type=self.type,
            pricing=pricing,
            state=self.state,
            attached_to=self.attached_to,
            tags=self.tags,
        )


@dataclass(frozen=True)
class RunOptions:
    snapshot: bool = True  # snapshot a volume before deleting it (off with --no-snapshot)
    wait_seconds: float = 900  # bound on each provider waiter
    poll_seconds: float = 5


@dataclass(frozen=True)
class Calls:
    """The API calls a provider makes for each step, as the dry run lists them.

    Templates fill in ``{rid}`` (the resource) and ``{to}`` (the new type). A resize stops a
    running machine first and starts it again after; a volume is snapshotted first unless
    ``--no-snapshot``; ``detach`` runs before releasing an address that is still associated.
    """

    terminate: tuple[str, ...]
    stop: tuple[str, ...]
    start: tuple[str, ...]
    resize: str
    snapshot: tuple[str, ...]
    delete_volume: str
    release_address: str
    delete_snapshot: str
    detach: tuple[str, ...] = ()

    def of(self, step: ExecStep, live: Live | None, options: RunOptions) -> list[str]:
        running = live is not None and live.state is ResourceState.RUNNING
        snapshot = self.snapshot if options.snapshot else ()
        associated = live is not None and bool(live.details.get("association"))
        table: dict[StepOp, tuple[str, ...]] = {
            StepOp.TERMINATE: self.terminate,
            StepOp.STOP: self.stop,
            StepOp.RESIZE: (
                *(self.stop if running else ()),
                self.resize,
                *(self.start if running else ()),
            ),
            StepOp.DELETE_VOLUME: (*snapshot, self.delete_volume),
            StepOp.RELEASE_ADDRESS: (*(self.detach if associated else ()), self.release_address),
            StepOp.DELETE_SNAPSHOT: (self.delete_snapshot,),
        }
        rid = step.resource.id if step.resource else "?"
        to = step.to.type if step.to else "?"
        return [call.format(rid=rid, to=to) for call in table.get(step.op, ())]


class Executor(Protocol):
    """Reads and changes one provider's resources. Every call that changes the cloud lives in
    an executor; each method raises ProviderError (wrapped from the SDK's own error)."""

    provider: str

    def read(self, ref: ResourceRef) -> Live | None:
        """The resource now, or None when it no longer exists (or is already terminated)."""
        ...

    def refusal(self, step: ExecStep, live: Live) -> str | None:
        """Why ``step`` cannot run on ``live`` beyond plain drift (e.g. the size is not
        available for this VM), or None."""
        ...

    def prove(self, step: ExecStep, live: Live) -> str:
        """Prove the permission with the provider's dry run where it has one; say how."""
        ...

    def calls(self, step: ExecStep, live: Live | None, options: RunOptions) -> list[str]:
        """The API calls ``run`` would make, for the dry run."""
        ...

    def run(self, step: ExecStep, live: Live | None, log: StepLog, options: RunOptions) -> None:
        """Carry out ``step``, recording intent and each phase in ``log``; idempotent on resume."""
        ...

    def count_running(self, workload: str, account: str, region: str) -> int:
        """Running instances tagged ``workload=<workload>`` in one account and region."""
        ...

    def rollback(self, op: str, ref: ResourceRef, log: StepLog, options: RunOptions) -> str:
        """Undo one journalled step as far as it can be undone (CannotUndo when it cannot);
        say what was done."""
        ...


class CannotUndo(ProviderError):
    """A step that cannot be undone (a terminated instance, a released address)."""
