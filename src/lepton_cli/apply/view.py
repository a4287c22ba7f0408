"""What ``lepton apply`` shows: one row per step, the verdict above."""

from __future__ import annotations

from collections import Counter
from typing import Any

from lepton_cli.apply.rollback import RollbackResult
from lepton_cli.apply.runner import ApplyResult, Status
from lepton_cli.models import API_VERSION
from lepton_cli.report import Table, View


def _detail(r: Any) -> str:
    if r.status is Status.WOULD_RUN:
        return "; ".join(r.calls)
    return str(r.detail)


def apply_view(result: ApplyResult) -> View:
    rows = [
        [r.step.action.id, r.step.index, r.step.describe(), r.status.value, _detail(r)]
        for r in result.results
    ]
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
    cols = ["action", "step", "what", "status", "calls / detail"]
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no steps"
    mode = "dry run, nothing changed" if result.dry_run else "applied"
    return View(doc, [Table(title, cols, rows)], [f"{mode}: {summary}"])


def rollback_view(result: RollbackResult) -> View:
    rows = [[u.step, u.resource, u.status, u.detail] for u in result.undone]
    doc = {
        "apiVersion": API_VERSION,
        "kind": "ApplyRollback",
        "steps": [u.__dict__ for u in result.undone],
    }
    counts = Counter(u.status for u in result.undone)
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing to undo"
    return View(doc, [Table("Rollback", ["step", "resource", "status", "detail"], rows)], [summary])
