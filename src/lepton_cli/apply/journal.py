"""The apply journal: one JSON object a line, each written and fsync'd before the next call.

Per step, the records are ``intent`` (with the rollback data: old type, power state, snapshot,
address), then one record per phase (``stopped``, ``resized``, ``snapshot`` ...), then ``done``
(or ``failed``). A re-run reads the journal and never repeats a step that is done; a step with an
intent but no ``done`` is resumed from the phases it records. ``rollback`` records mark what
``lepton apply --rollback`` has undone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lepton_cli.errors import InputError, UsageError

Record = dict[str, Any]


def plan_fingerprint(text: bytes) -> str:
    """What ties a journal to one plan file: the sha256 of its bytes."""
    return "sha256:" + hashlib.sha256(text).hexdigest()


def default_path(data_dir: Path, fingerprint: str) -> Path:
    """``<data dir>/apply/<first 16 hex of the plan's sha256>.jsonl``."""
    return data_dir / "apply" / f"{fingerprint.removeprefix('sha256:')[:16]}.jsonl"


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _parse(path: Path, lines: list[str]) -> list[Record]:
    records: list[Record] = []
    for number, line in enumerate(lines, 1):
        try:
            records.append(json.loads(line))
        except ValueError:
            if number == len(lines):  # a line torn by a crash mid-write: its call never ran
                break
            raise InputError(
                f"{path}:{number}: not a journal line", hint="give a journal lepton apply wrote"
            ) from None
    return records


class Journal:
    """An append-only, fsync'd JSON-lines journal."""

    def __init__(self, path: Path, records: list[Record]) -> None:
        self.path = path
        self.records = records

    @classmethod
    def open(cls, path: Path) -> Journal:
        """The journal at ``path`` (created empty, with its folder, when missing)."""
        records: list[Record] = []
        if path.exists():
            text = path.read_text(encoding="utf-8")
            records = _parse(path, [ln for ln in text.splitlines() if ln.strip()])
        return cls(path, records)

    def append(self, event: str, **fields: Any) -> Record:
        """Write one record and fsync it before returning."""
        record: Record = {"ts": _now(), "event": event, **fields}
        created = not self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, sort_keys=True, default=str) + "\n"
        with self.path.open("a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
        if created:
            _fsync_dir(self.path.parent)  # so the new file's name survives a crash too
        self.records.append(record)
        return record

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold an exclusive lock on ``<journal>.lock`` while applying: two runs of the same
        plan at once would each see the other's steps as not done."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.with_name(self.path.name + ".lock").open("w") as f:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UsageError(
                    f"{self.path}: another lepton apply is using this journal",
                    hint="wait for it to finish (or give another --journal)",
                ) from None
            self.records = Journal.open(self.path).records  # as the last holder left it
            yield

    def of(self, key: str) -> list[Record]:
        return [r for r in self.records if r.get("step") == key]

    def started(self, key: str) -> bool:
        """Whether a step has its intent recorded (its first call may have been made)."""
        return any(r["event"] == "intent" for r in self.of(key))

    def is_done(self, key: str) -> bool:
        return any(r["event"] == "done" for r in self.of(key))

    def plan(self) -> str | None:
        """The fingerprint of the plan this journal belongs to, if it has started."""
        return next((r["plan"] for r in self.records if r["event"] == "start"), None)

    def steps(self) -> Iterator[str]:
        """Every step key with an intent, in the order they started."""
        seen: list[str] = []
        for r in self.records:
            if r["event"] == "intent" and r["step"] not in seen:
                seen.append(r["step"])
        yield from seen


class StepLog:
    """One step's view of the journal: its intent, the phases already done, new records."""

    def __init__(self, journal: Journal, key: str, meta: dict[str, Any]) -> None:
        self.journal = journal
        self.key = key
        self.meta = meta  # op, resource id, provider: repeated on every record for readers

    def _records(self) -> list[Record]:
        return self.journal.of(self.key)

    @property
    def resumed(self) -> bool:
        return self.journal.started(self.key)

    def intent(self, **rollback: Any) -> dict[str, Any]:
        """The rollback data: recorded now, or the first run's when resuming (the state before
        the first change, not the half-changed state seen now)."""
        for r in self._records():
            if r["event"] == "intent":
                data: dict[str, Any] = r["rollback"]
                return data
        self.journal.append("intent", step=self.key, rollback=rollback, **self.meta)
        return rollback

    def did(self, phase: str) -> bool:
        return any(r["event"] == "phase" and r["phase"] == phase for r in self._records())

    def value(self, name: str) -> Any:
        """A value recorded by an earlier phase (e.g. the snapshot id), else None."""
        for r in reversed(self._records()):
            if name in r.get("data", {}):
                return r["data"][name]
        return None

    def mark(self, phase: str, **data: Any) -> None:
        self.journal.append("phase", step=self.key, phase=phase, data=data, **self.meta)
