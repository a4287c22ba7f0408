"""What ``lepton apply`` shows: one row per step, the verdict above."""

from __future__ import annotations

from collections import Counter
from typing import Any

from lepton_cli.apply.rollback import RollbackResult
from lepton_cli.apply.runner import ApplyResult, Status, StepResult
from lepton_cli.models import API_VERSION
from lepton_cli.plan.model import StepOp
from lepton_cli.report.render import Table, View


def short(resource_id: str) -> str:
    """The last segment of an ARM id or a self link (the name people know it by)."""
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


def _detail(r: StepResult) -> str:
    text = "; ".join(r.calls) if r.status is Status.WOULD_RUN else str(r.detail)
    ref = r.step.resource
    return text.replace(ref.id, short(ref.id)) if ref else text


def _what(r: StepResult) -> str:
    step = r.step
    if step.op is StepOp.RESIZE and step.resource and step.to:
        return f"resize {step.resource.type} -> {step.to.type}"
    return step.op.value


def _row(r: StepResult) -> list[Any]:
    ref = r.step.resource
    target = short(ref.id) if ref else r.step.describe().removeprefix("launch ")
    return [r.step.action.id, r.step.index, _what(r), target, r.status.value, _detail(r)]


def apply_view(result: ApplyResult) -> View:
    rows = [_row(r) for r in result.results]
    counts = Counter(r.status.value for r in result.results)
    doc: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "ApplyResult",
        "dry_run": result.dry_run,
        "journal": str(result.journal.path) if result.journal else None,
        "counts": dict(sorted(counts.items())),
        "steps": [
            {
                "action": r.step.action.id,
                "step": r.step.index,
                "op": r.step.op.value,
                "resource": r.step.resource.id if r.step.resource else None,
                "status": r.status.value,
                "detail": r.detail,
                "calls": r.calls,
            }
            for r in result.results
        ],
    }
    title = "Apply (dry run)" if result.dry_run else "Apply"
    cols = ["action", "#", "step", "resource", "status", "calls / detail"]
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no steps"
    mode = "dry run, nothing changed" if result.dry_run else "applied"
    return View(doc, [Table(title, cols, rows)], [f"{mode}: {summary}"])


def rollback_view(result: RollbackResult) -> View:
    rows = [[u.step, short(u.resource), u.status, u.detail] for u in result.undone]
    doc = {
        "apiVersion": API_VERSION,
        "kind": "ApplyRollback",
        "steps": [u.__dict__ for u in result.undone],
    }
    counts = Counter(u.status for u in result.undone)
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing to undo"
    return View(doc, [Table("Rollback", ["step", "resource", "status", "detail"], rows)], [summary])
