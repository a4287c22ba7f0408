"""``lepton apply --rollback JOURNAL``: undo what a journal says was changed, newest first.

A resized instance gets its old type back (in the power state it had), a stopped one is started,
a deleted volume is recreated from the snapshot taken before it was deleted. Terminations,
released addresses and deleted snapshots cannot be undone and are listed as such. Rollback
writes its own phases into the same journal, so an interrupted rollback resumes too.
"""

from __future__ import annotations

from dataclasses import dataclass

from lepton_cli.apply.executor import CannotUndo, RunOptions
from lepton_cli.apply.journal import Journal, StepLog
from lepton_cli.apply.runner import ExecutorFor, Progress
from lepton_cli.errors import ExitCode, ProviderError
from lepton_cli.plan.model import ResourceRef


@dataclass(frozen=True)
class Undone:
    step: str
    resource: str
    status: str  # rolled-back | already-rolled-back | cannot-undo | failed
    detail: str


@dataclass(frozen=True)
class RollbackResult:
    undone: list[Undone]

    @property
    def exit_code(self) -> ExitCode:
        failed = any(u.status == "failed" for u in self.undone)
        return ExitCode.PARTLY_APPLIED if failed else ExitCode.OK


def rollback(
    journal: Journal,
    executor_for: ExecutorFor,
    options: RunOptions,
    progress: Progress = lambda _m: None,
) -> RollbackResult:
    """Undo every journalled step, the last one first."""
    with journal.locked():
        keys = reversed(list(journal.steps()))
        return RollbackResult([_undo(journal, k, executor_for, options, progress) for k in keys])


def _undo(
    journal: Journal, key: str, executor_for: ExecutorFor, options: RunOptions, progress: Progress
) -> Undone:
    intent = next(r for r in journal.of(key) if r["event"] == "intent")
    meta = {k: intent.get(k, "") for k in ("op", "resource", "provider", "account", "region")}
    if any(r["event"] == "rolled-back" for r in journal.of(key)):
        return Undone(key, meta["resource"], "already-rolled-back", "undone in an earlier run")
    ref = ResourceRef(
        id=meta["resource"],
        provider=meta["provider"],
        account=meta["account"],
        region=meta["region"],
    )
    log = StepLog(journal, key, meta)
    progress(f"undo {meta['op']} {ref.id} ...")
    try:
        detail = executor_for(ref.provider).rollback(meta["op"], ref, log, options)
    except CannotUndo as e:
        return Undone(key, ref.id, "cannot-undo", e.message)
    except ProviderError as e:
        journal.append("rollback-failed", step=key, error=e.message, **meta)
        return Undone(key, ref.id, "failed", e.message)
    journal.append("rolled-back", step=key, detail=detail, **meta)
    return Undone(key, ref.id, "rolled-back", detail)
