"""`lepton apply`: carry out exactly the reviewed plan (a dry run unless --yes)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lepton_cli.cli import common
from lepton_cli.errors import DriftError, ExitCode, InputError, LeptonError, UsageError
from lepton_cli.report import Format

if TYPE_CHECKING:
    from lepton_cli.apply.journal import Journal
    from lepton_cli.apply.runner import ApplyResult
    from lepton_cli.config import Settings
    from lepton_cli.plan.model import Plan


class PartlyApplied(LeptonError):
    exit_code = ExitCode.PARTLY_APPLIED


def _journal(settings: Settings, path: Path | None, fingerprint: str, resume: bool) -> Journal:
    from lepton_cli.apply.journal import Journal, default_path

    where = path or default_path(settings.data_dir, fingerprint)
    if resume and not where.exists():
        raise InputError(f"{where}: no journal to resume", hint="run without --resume first")
    journal = Journal.open(where)
    started = journal.plan()
    if started is not None and started != fingerprint:
        raise InputError(
            f"{where}: this journal belongs to another plan file",
            hint="give the plan it was written for, or another --journal",
        )
    return journal


def _check_inputs(plan: Plan, sources: list[Path], settings: Settings) -> None:
    from lepton_cli.plan.verify import current_digest
    from lepton_cli.sources import load_inventory

    digest = current_digest(plan, load_inventory(sources), settings)
    if digest != plan.metadata.inputs_digest:
        raise DriftError(
            "the inputs changed since the plan was made (the inputs digest differs); "
            "nothing was changed",
            hint="run `lepton optimize` again and review the new plan",
        )


def _finish(result: ApplyResult) -> None:
    from lepton_cli.apply.runner import Status

    journal = f" (journal: {result.journal.path})" if result.journal else ""
    failed = result.with_status(Status.FAILED)
    if failed:
        where = "\n".join(f"  {r.step.key} {r.step.describe()}: {r.detail}" for r in failed)
        raise PartlyApplied(
            f"partly applied: {len(failed)} step(s) failed{journal}:\n{where}",
            hint="fix the cause, then rerun with --resume (done steps are not repeated)",
        )
    refused = result.with_status(Status.REFUSED)
    if refused:
        where = "\n".join(f"  {r.step.key}: {r.detail}" for r in refused)
        raise DriftError(
            f"{len(refused)} step(s) refused (drift, the protect tag or a precondition); "
            f"the other actions went on:\n{where}",
            hint="run `lepton optimize` again for a plan that matches what runs now",
        )


def _rollback(path: Path, fmt: Format, timeout: float) -> None:
    from lepton_cli.apply.executor import RunOptions
    from lepton_cli.apply.journal import Journal
    from lepton_cli.apply.providers import Executors
    from lepton_cli.apply.rollback import rollback
    from lepton_cli.report.apply import rollback_view

    if not path.is_file():
        raise InputError(f"{path}: no such journal", hint="give the journal lepton apply wrote")
    result = rollback(
        Journal.open(path),
        Executors(common.settings()),
        RunOptions(wait_seconds=timeout),
        common.info,
    )
    common.emit(rollback_view(result), fmt)
    if result.exit_code is ExitCode.PARTLY_APPLIED:
        raise PartlyApplied(f"rollback partly done (journal: {path})", hint="rerun --rollback")


def apply(
    plan_file: Annotated[
        Path | None, typer.Argument(help="A plan file written by `lepton optimize -o`.")
    ] = None,
    source: common.SourceOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Act. Without it: a dry run.")] = False,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", metavar="ID", help="Only this action (repeatable)."),
    ] = None,
    max_actions: Annotated[
        int | None, typer.Option("--max-actions", min=0, help="Run at most N actions.")
    ] = None,
    journal: Annotated[
        Path | None, typer.Option("--journal", help="The journal file (default: data dir).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue an interrupted apply from its journal.")
    ] = False,
    no_snapshot: Annotated[
        bool, typer.Option("--no-snapshot", help="Delete volumes without a snapshot first.")
    ] = False,
    rollback: Annotated[
        Path | None,
        typer.Option("--rollback", metavar="JOURNAL", help="Undo what this journal changed."),
    ] = None,
    wait_timeout: Annotated[
        float, typer.Option("--wait-timeout", min=1, help="Seconds to wait for each change.")
    ] = 900,
    fmt: common.FormatOption = Format.TABLE,
) -> None:
    """Carry out exactly the reviewed plan. Without --yes, a dry run: per step, the API calls
    it would make and whether its preconditions hold (exit 0 only if all hold). Before any
    change the plan is checked (exit 3 if edited), every resource is re-read live and compared
    with the plan, the protect tag is re-checked and permissions are proven with the provider's
    dry run. Each step is journalled (fsync'd) so --resume never repeats a done step. Exit 7:
    some actions refused for drift; 9: partly applied after a provider failure.

    Example: lepton apply plan.yaml && lepton apply plan.yaml --yes --max-actions 5
    """
    common.check_format(fmt, (Format.TABLE, Format.JSON, Format.YAML))
    if rollback is not None:
        return _rollback(rollback, fmt, wait_timeout)
    if plan_file is None:
        raise UsageError("give a PLAN file (or --rollback JOURNAL)", hint="lepton apply plan.yaml")
    _apply(
        plan_file,
        source or [],
        yes,
        only or [],
        max_actions,
        journal,
        resume,
        no_snapshot,
        wait_timeout,
        fmt,
    )
    return None


def _apply(
    plan_file: Path,
    sources: list[Path],
    yes: bool,
    only: list[str],
    max_actions: int | None,
    journal_path: Path | None,
    resume: bool,
    no_snapshot: bool,
    timeout: float,
    fmt: Format,
) -> None:
    from lepton_cli.apply.checks import check_plan
    from lepton_cli.apply.executor import RunOptions
    from lepton_cli.apply.journal import plan_fingerprint
    from lepton_cli.apply.providers import Executors
    from lepton_cli.apply.runner import ApplyOptions, run
    from lepton_cli.plan.io import load_plan
    from lepton_cli.report.apply import apply_view

    plan = load_plan(plan_file)
    check_plan(plan, str(plan_file))
    settings = common.settings()
    if sources:
        _check_inputs(plan, sources, settings)
    fingerprint = plan_fingerprint(plan_file.read_bytes())
    journal = _journal(settings, journal_path, fingerprint, resume) if yes or resume else None
    options = ApplyOptions(
        yes=yes,
        only=only,
        max_actions=max_actions,
        run=RunOptions(snapshot=not no_snapshot, wait_seconds=timeout),
    )
    result = run(plan, fingerprint, Executors(settings), options, journal, common.info)
    common.emit(apply_view(result), fmt)
    _finish(result)


def register(app: typer.Typer) -> None:
    app.command("apply")(apply)
