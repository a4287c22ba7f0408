"""Run a plan: check everything first, then each automated step in the plan's order.

Before the first change every automated step's resource is re-read live and compared with
the plan (``checks.drift``), the protect tag and provider-specific preconditions are checked,
and the permission is proven with the provider's dry run. An action with any refused step is
refused as a whole; the others go on. A provider failure stops the failing workload's
remaining steps (the journal says where) and the run moves on to other workloads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from lepton_cli.apply.checks import CountFn, attached, drift, floor_refusal, needs_floor
from lepton_cli.apply.executor import Executor, Live, RunOptions
from lepton_cli.apply.journal import Journal, StepLog
from lepton_cli.apply.providers import NoExecutor
from lepton_cli.apply.steps import ExecStep, plan_steps
from lepton_cli.errors import ExitCode, LeptonError, ProviderError, UsageError
from lepton_cli.plan.model import Action, Plan

ExecutorFor = Callable[[str], Executor]
Progress = Callable[[str], None]


class Status(StrEnum):
    WOULD_RUN = "would-run"  # dry run: preconditions hold
    DONE = "done"
    ALREADY_DONE = "already-done"  # the journal says so: not repeated
    REFUSED = "refused"  # drift, protect tag, a precondition
    FAILED = "failed"  # the provider refused or failed mid-step
    HELD = "held"  # not run: an earlier step of its workload failed, or --max-actions
    MANUAL = "manual"


@dataclass
class StepResult:
    step: ExecStep
    status: Status
    detail: str = ""
    calls: list[str] = field(default_factory=list)


@dataclass
class ApplyOptions:
    yes: bool = False
    only: Sequence[str] = ()
    max_actions: int | None = None
    run: RunOptions = field(default_factory=RunOptions)


@dataclass
class ApplyResult:
    results: list[StepResult]
    dry_run: bool
    journal: Journal | None = None

    def with_status(self, *statuses: Status) -> list[StepResult]:
        return [r for r in self.results if r.status in statuses]

    @property
    def exit_code(self) -> ExitCode:
        if self.with_status(Status.FAILED):
            return ExitCode.PARTLY_APPLIED
        if self.with_status(Status.REFUSED):
            return ExitCode.DRIFT
        return ExitCode.OK


def select(plan: Plan, only: Sequence[str]) -> list[Action]:
    """The plan's actions in its order, or only those named (UsageError for an unknown id)."""
    known = {a.id for a in plan.actions}
    unknown = [i for i in only if i not in known]
    if unknown:
        raise UsageError(
            f"--only {unknown[0]}: no action with that id in the plan",
            hint="`lepton plan show PLAN` lists the action ids",
        )
    return [a for a in plan.actions if not only or a.id in only]


@dataclass
class _Checked:
    """One action after the checks: its steps, the live state read, and why it is refused."""

    action: Action
    steps: list[ExecStep]
    live: dict[int, Live | None] = field(default_factory=dict)
    proofs: dict[int, str] = field(default_factory=dict)  # how each step's permission was shown
    refused: list[str] = field(default_factory=list)


class Runner:
    def __init__(self, plan: Plan, executor_for: ExecutorFor, options: ApplyOptions) -> None:
        self.plan = plan
        self.executor_for = executor_for
        self.options = options

    # ------------------------------------------------------------ checks, before any change

    def check(self, actions: Sequence[Action], journal: Journal | None) -> list[_Checked]:
        return [self._check_action(a, journal) for a in actions]

    def _check_action(self, action: Action, journal: Journal | None) -> _Checked:
        checked = _Checked(action, plan_steps(action))
        for step in checked.steps:
            if not step.automated or step.resource is None:
                continue
            if journal is not None and (journal.started(step.key) or journal.is_done(step.key)):
                continue  # started in an earlier run: it passed these checks then
            try:
                checked.refused += self._check_step(step, checked)
            except NoExecutor as e:
                checked.refused.append(e.message)
        return checked

    def _check_step(self, step: ExecStep, checked: _Checked) -> list[str]:
        ref = step.target
        executor = self.executor_for(ref.provider)
        live = executor.read(ref)
        checked.live[step.index] = live
        reasons = drift(self.plan, step.action, ref, live)
        if live is None or reasons:
            return reasons
        why = attached(step, live) or executor.refusal(step, live)
        if why:
            return [why]
        checked.proofs[step.index] = executor.prove(step, live)
        return []

    # ------------------------------------------------------------ the run

    def dry_run(self, checked: list[_Checked]) -> list[StepResult]:
        """What a run would do now, including the workload floors: each removal is counted
        against what the removals before it in this run would leave."""
        removed: Counter[tuple[str, str, str, str]] = Counter()

        def count(provider: str, workload: str, account: str, region: str) -> int:
            key = (provider, workload, account, region)
            return self._count(*key) - removed[key]

        out: list[StepResult] = []
        for c in checked:
            for step in c.steps:
                result = self._preview(step, c, count)
                if result.status is Status.WOULD_RUN and needs_floor(step):
                    ref = step.target
                    removed[
                        (ref.provider, step.action.workload or "", ref.account, ref.region)
                    ] += 1
                out.append(result)
        return out

    def _preview(self, step: ExecStep, c: _Checked, count: CountFn) -> StepResult:
        if not step.automated:
            return StepResult(step, Status.MANUAL, step.manual_reason or "")
        if c.refused:
            return StepResult(step, Status.REFUSED, "; ".join(c.refused))
        if needs_floor(step):
            why = self._floor(step, count)
            if why:
                return StepResult(step, Status.REFUSED, why)
        executor = self.executor_for(step.target.provider)
        calls = executor.calls(step, c.live.get(step.index), self.options.run)
        proof = c.proofs.get(step.index, "")
        return StepResult(
            step, Status.WOULD_RUN, f"preconditions hold; permissions: {proof}", calls
        )

    def _floor(self, step: ExecStep, count: CountFn) -> str | None:
        try:
            return floor_refusal(self.plan, step, count)
        except LeptonError as e:  # an executor missing, or a count that failed
            return f"cannot count the instances of workload {step.action.workload}: {e.message}"

    def apply(
        self, checked: list[_Checked], journal: Journal, progress: Progress
    ) -> list[StepResult]:
        out: list[StepResult] = []
        failed: set[str] = set()
        budget = self.options.max_actions
        for c in checked:
            held = self._held(c, failed, budget)
            results = [StepResult(s, *held) for s in c.steps] if held else None
            if results is None:
                results = self._apply_action(c, journal, progress)
                if _ran(results):
                    budget = None if budget is None else budget - 1
            if any(r.status is Status.FAILED for r in results):
                failed.add(c.action.workload or c.action.id)
            out += results
        return out

    def _held(self, c: _Checked, failed: set[str], budget: int | None) -> tuple[Status, str] | None:
        if c.refused:
            return Status.REFUSED, "; ".join(c.refused)
        if c.action.workload in failed:
            return Status.HELD, f"an earlier step of workload {c.action.workload} failed"
        if budget is not None and budget <= 0 and any(s.automated for s in c.steps):
            return Status.HELD, "--max-actions reached"
        return None

    def _apply_action(self, c: _Checked, journal: Journal, progress: Progress) -> list[StepResult]:
        results: list[StepResult] = []
        stop: StepResult | None = None
        for step in c.steps:
            if stop is not None:
                results.append(StepResult(step, Status.HELD, f"after {stop.status}: {stop.detail}"))
                continue
            result = self._apply_step(step, c, journal, progress)
            results.append(result)
            if result.status in (Status.FAILED, Status.REFUSED):
                stop = result
        return results

    def _apply_step(
        self, step: ExecStep, c: _Checked, journal: Journal, progress: Progress
    ) -> StepResult:
        if not step.automated:
            return StepResult(step, Status.MANUAL, step.manual_reason or "")
        if journal.is_done(step.key):
            return StepResult(step, Status.ALREADY_DONE, "done in an earlier run")
        executor = self.executor_for(step.target.provider)
        meta = step_meta(step)
        log = StepLog(journal, step.key, meta)
        try:
            live = c.live.get(step.index)
            if not log.resumed:
                live, why = self._recheck(step, executor)
                if why:
                    journal.append("refused", step=step.key, reason=why, **meta)
                    return StepResult(step, Status.REFUSED, why)
            progress(f"{step.describe()} ...")
            executor.run(step, live, log, self.options.run)
        except ProviderError as e:
            journal.append("failed", step=step.key, error=e.message, **meta)
            return StepResult(step, Status.FAILED, e.message)
        journal.append("done", step=step.key, **meta)
        return StepResult(step, Status.DONE, "done")

    def _recheck(self, step: ExecStep, executor: Executor) -> tuple[Live | None, str | None]:
        """Just before acting, since the checks may be minutes old: the workload's floor, then
        the resource against the plan once more."""
        if needs_floor(step):
            why = self._floor(step, self._count)
            if why:
                return None, why
        live = executor.read(step.target)
        return live, "; ".join(drift(self.plan, step.action, step.target, live)) or None

    def _count(self, provider: str, workload: str, account: str, region: str) -> int:
        return self.executor_for(provider).count_running(workload, account, region)


def step_meta(step: ExecStep) -> dict[str, str]:
    """What every journal record of a step repeats, so a rollback needs no plan."""
    ref = step.target
    return {
        "op": step.op.value,
        "resource": ref.id,
        "provider": ref.provider,
        "account": ref.account,
        "region": ref.region,
    }


def _ran(results: list[StepResult]) -> bool:
    return any(r.status in (Status.DONE, Status.FAILED) for r in results)


def run(
    plan: Plan,
    fingerprint: str,
    executor_for: ExecutorFor,
    options: ApplyOptions,
    journal: Journal | None,
    progress: Progress = lambda _m: None,
) -> ApplyResult:
    """Check, then (with ``options.yes``) apply; ``journal`` is required to apply."""
    runner = Runner(plan, executor_for, options)
    actions = select(plan, options.only)
    if not options.yes:
        checked = runner.check(actions, journal)
        return ApplyResult(runner.dry_run(checked), dry_run=True, journal=journal)
    if journal is None:
        raise UsageError("applying needs a journal", hint="pass --journal PATH")
    with journal.locked():
        checked = runner.check(actions, journal)
        if journal.plan() is None:
            journal.append("start", plan=fingerprint, inputs_digest=plan.metadata.inputs_digest)
        progress(f"journal: {journal.path}")
        results = runner.apply(checked, journal, progress)
    return ApplyResult(results, dry_run=False, journal=journal)
