"""Run history: each scan and optimize run's summary in a local DuckDB file.

The file is ``<data_dir>/history.duckdb`` (``data_dir`` from lepton.yaml, default the user data
directory). Each kind of run has its own typed summary (:class:`ScanSummary`,
:class:`OptimizeSummary`), and each of its figures its own column, so the trend can be charted
without mixing measures:

- ``cost``: the fleet's monthly cost (a scan's ``monthly_cost``, an optimize run's
  ``current_monthly_cost``);
- ``waste``: what a scan's findings would save (``monthly_waste``);
- ``idle_cost``: the idle share of an optimize run's current fleet (``current_idle_cost``);
- ``savings``: what an optimize run's plan saves (``monthly_savings``).

The whole summary is kept as JSON too. Older files, which kept an optimize run's idle cost in
``waste``, are migrated when opened.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationError

from lepton_cli.config import Settings
from lepton_cli.errors import InputError
from lepton_cli.fileio import dump_json
from lepton_cli.models.base import Count, Currency, Model, Money
from lepton_cli.models.document import Document, omitted_when_none

FILE_NAME = "history.duckdb"


class RunSummary(Model):
    """What one run records; ``COLUMNS`` names the field behind each money column."""

    COLUMNS: ClassVar[dict[str, str]] = {}
    currency: Currency


class ScanSummary(RunSummary):
    """A `lepton scan`: the fleet's cost and what its findings would save."""

    COLUMNS: ClassVar[dict[str, str]] = {"cost": "monthly_cost", "waste": "monthly_waste"}
    resources: Count
    monthly_cost: Money
    monthly_waste: Money
    findings: Count
    currency: Currency
    billed_monthly_cost: Money | None = omitted_when_none()


class OptimizeSummary(RunSummary):
    """A `lepton optimize`: today's cost and idle cost, the plan's cost and savings."""

    COLUMNS: ClassVar[dict[str, str]] = {
        "cost": "current_monthly_cost",
        "idle_cost": "current_idle_cost",
        "savings": "monthly_savings",
    }
    current_monthly_cost: Money
    planned_monthly_cost: Money
    monthly_savings: Money
    current_idle_cost: Money | None = None
    currency: Currency
    actions: Count


SUMMARIES: dict[str, type[RunSummary]] = {"scan": ScanSummary, "optimize": OptimizeSummary}
MONEY_COLUMNS = ("cost", "waste", "idle_cost", "savings")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    recorded_at TIMESTAMP NOT NULL,
    kind VARCHAR NOT NULL,
    currency VARCHAR,
    cost DECIMAL(18, 2),
    waste DECIMAL(18, 2),
    savings DECIMAL(18, 2),
    summary VARCHAR NOT NULL,
    idle_cost DECIMAL(18, 2)
)
"""


@dataclass(frozen=True)
class Entry:
    recorded_at: dt.datetime
    kind: str
    currency: str | None
    cost: Decimal | None
    waste: Decimal | None
    savings: Decimal | None
    summary: dict[str, Any]
    idle_cost: Decimal | None = None


class HistoryRun(Model):
    """One recorded run: each figure under its own name (None: not a figure of this kind)."""

    recorded_at: dt.datetime
    kind: str
    currency: str | None
    cost: Money | None  # the fleet's monthly cost
    waste: Money | None  # scan: what the findings would save
    idle_cost: Money | None  # optimize: the idle share of the current fleet
    savings: Money | None  # optimize: what the plan saves


class History(Document):
    """`lepton history`'s document."""

    kind: Literal["History"] = "History"
    runs: list[HistoryRun] = Field(default_factory=list)


def history_document(found: list[Entry]) -> History:
    return History(
        runs=[
            HistoryRun(
                recorded_at=e.recorded_at,
                kind=e.kind,
                currency=e.currency,
                cost=e.cost,
                waste=e.waste,
                idle_cost=e.idle_cost,
                savings=e.savings,
            )
            for e in found
        ]
    )


def history_path(settings: Settings) -> Path:
    return settings.data_dir / FILE_NAME


def _money(value: object) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _columns_of(kind: str, summary: Mapping[str, object]) -> list[Decimal | None]:
    """The money columns of a run of ``kind``: each read from the one field its kind's summary
    names for it (a kind without a typed summary has none)."""
    fields = SUMMARIES[kind].COLUMNS if kind in SUMMARIES else {}
    return [_money(summary.get(fields[c])) if c in fields else None for c in MONEY_COLUMNS]


COLUMNS = ("recorded_at", "kind", "currency", "cost", "waste", "savings", "summary", "idle_cost")
_REQUIRED = {"recorded_at", "kind", "summary"}
_TYPES = {"currency": "VARCHAR", **dict.fromkeys(MONEY_COLUMNS, "DECIMAL(18, 2)")}
LOCK_WAIT_SECONDS = 30.0
"""How long to wait for another lepton that holds the file (a write takes milliseconds)."""


def _is_lock(e: Exception) -> bool:
    return "lock" in str(e).lower()


def _is_duckdb_file(path: Path) -> bool:
    """Whether ``path`` starts like a DuckDB database (its magic bytes at offset 8): then an
    error is transient, never a reason to move the file aside."""
    try:
        with path.open("rb") as fh:
            return fh.read(12)[8:12] == b"DUCK"
    except OSError:
        return False


def _is_empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def _move_aside(path: Path, why: str, notes: list[str]) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.{stamp}.bak")
    path.replace(target)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    notes.append(f"{path}: {why}; moved it to {target} and started a new history")


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Hold ``<history>.lock`` while this process writes the history, waiting up to
    LOCK_WAIT_SECONDS for another lepton to finish.

    DuckDB's own lock does not cover a new file: it decides a database is new when it finds
    no file, before it takes the lock, and then writes a fresh header over whatever another
    lepton wrote in between (seen as one row lost of 30, six writers at once)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(
            f"{path}: cannot open the history file: cannot create its folder ({e.strerror})",
            hint="check data_dir in lepton.yaml, or run with --no-history",
        ) from e
    try:
        handle = path.with_name(path.name + ".lock").open("a")
    except OSError as e:
        raise InputError(
            f"{path}: cannot open the history file: cannot create its lock ({e.strerror})",
            hint="check data_dir in lepton.yaml, or run with --no-history",
        ) from e
    with handle:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise InputError(
                        f"{path}: another lepton has been writing the history for over "
                        f"{LOCK_WAIT_SECONDS:g} s",
                        hint="try again when it is done, or run with --no-history",
                    ) from None
                time.sleep(0.02)
        yield


def _open(path: Path, read_only: bool, notes: list[str]) -> Any:
    """A connection, waiting while another lepton holds the file; a file that is no DuckDB
    database is moved aside (noted) and a new one started."""
    import duckdb  # lazily: `lepton --help` stays fast

    started = time.monotonic()
    delay = 0.02
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as e:
            waited = time.monotonic() - started
            # Held by another lepton, or being set up by one (empty for a moment at most).
            busy = _is_lock(e) or _is_duckdb_file(path) or (_is_empty(path) and waited < 1.0)
            if busy and waited < LOCK_WAIT_SECONDS:
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
                continue
            if not busy and path.is_file() and not notes:
                _move_aside(path, "not a lepton history database", notes)
                if read_only:
                    return None
                continue
            raise InputError(
                f"{path}: cannot open the history file ({e})",
                hint="check data_dir in lepton.yaml, or run with --no-history",
            ) from e


def _columns(con: Any) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'runs' "
        "ORDER BY ordinal_position"
    ).fetchall()
    return [r[0] for r in rows]


_OLD_OPTIMIZE = "idle_cost = waste, waste = NULL"


def _select(have: set[str]) -> str:
    """The columns to read, as this schema has them, from a file of this or an older schema
    (read-only: an older file is read as it will be migrated)."""
    out = []
    for column in COLUMNS:
        if column == "idle_cost" and column not in have and "waste" in have:
            out.append("CASE WHEN kind = 'optimize' THEN waste END AS idle_cost")
        elif column == "waste" and "idle_cost" not in have and column in have:
            out.append("CASE WHEN kind = 'optimize' THEN NULL ELSE waste END AS waste")
        else:
            out.append(column if column in have else f"NULL AS {column}")
    return ", ".join(out)


def _migrate(con: Any, path: Path, notes: list[str]) -> bool:
    """Bring an older ``runs`` table up to this schema (add the missing optional columns);
    False when it cannot be (a foreign table without the required columns)."""
    have = set(_columns(con))
    if not have:
        con.execute(_SCHEMA)
        return True
    if not have >= _REQUIRED:
        return False
    missing = [c for c in COLUMNS if c not in have]
    for column in missing:
        con.execute(f"ALTER TABLE runs ADD COLUMN {column} {_TYPES[column]}")
    if "idle_cost" in missing and "waste" in have:
        # Before idle_cost had its column, an optimize run's idle cost was kept as its waste.
        con.execute(f"UPDATE runs SET {_OLD_OPTIMIZE} WHERE kind = 'optimize'")
    if missing:
        notes.append(f"{path}: added the columns {', '.join(missing)} (an older history)")
    return True


def _connect(path: Path, notes: list[str], read_only: bool = False) -> Any:
    """An open history database with this version's schema, or None (read-only, nothing
    there yet)."""
    import duckdb

    for _ in range(2):
        con = _open(path, read_only, notes)
        if con is None:
            return None
        try:
            if read_only:
                return con if set(_columns(con)) >= _REQUIRED else _close(con)
            if _migrate(con, path, notes):
                return con
        except duckdb.Error as e:
            con.close()
            raise InputError(f"{path}: cannot use the history file ({e})") from e
        con.close()
        _move_aside(path, "its runs table is not lepton's", notes)
    raise InputError(f"{path}: cannot set up the history file")


def _close(con: Any) -> None:
    con.close()


def record(
    kind: str,
    summary: RunSummary | Mapping[str, object],
    settings: Settings,
    at: dt.datetime | None = None,
    notes: list[str] | None = None,
) -> None:
    """Append one run's summary (``kind`` e.g. "scan" or "optimize") to the history file.

    ``summary`` is the kind's typed summary, or a mapping of its fields (read as that summary's
    fields: no other names count).

    Two lepton processes recording at once both keep their row: one writes at a time, under
    ``<history>.lock``, and the other waits for it (LOCK_WAIT_SECONDS). Raises InputError when
    the file cannot be used; what was repaired on the way is added to ``notes``.
    """
    when = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None)
    fields = summary.model_dump(mode="python") if isinstance(summary, Model) else dict(summary)
    cost, waste, idle_cost, savings = _columns_of(kind, fields)
    currency = fields.get("currency")
    path = history_path(settings)
    with _writing(path):
        con = _connect(path, notes if notes is not None else [])
        try:
            con.execute(
                f"INSERT INTO runs ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    when,
                    kind,
                    None if currency is None else str(currency),
                    cost,
                    waste,
                    savings,
                    dump_json(fields),
                    idle_cost,
                ],
            )
        finally:
            con.close()


def entries(
    settings: Settings,
    kind: str | None = None,
    last: int | None = None,
    notes: list[str] | None = None,
) -> list[Entry]:
    """Recorded runs, oldest first (optionally of one kind, and only the ``last`` N). Opens
    the file read-only, so it works while another lepton is recording."""
    path = history_path(settings)
    if not path.exists():
        return []
    con = _connect(path, notes if notes is not None else [], read_only=True)
    if con is None:
        return []
    try:
        where, params = ("WHERE kind = ?", [kind]) if kind else ("", [])
        rows = con.execute(
            f"SELECT {_select(set(_columns(con)))} FROM runs {where} "
            "ORDER BY recorded_at DESC LIMIT ?",
            [*params, last if last else 2**62],
        ).fetchall()
    finally:
        con.close()
    return [e for e in (_entry(row) for row in reversed(rows)) if e is not None]


def _entry(row: tuple[Any, ...]) -> Entry | None:
    when, kind, currency, cost, waste, savings, summary, idle_cost = row
    try:
        data = json.loads(summary)
    except (TypeError, ValueError):
        data = {}
    if not isinstance(when, dt.datetime):
        return None
    return Entry(
        when.replace(tzinfo=dt.UTC),
        str(kind),
        currency,
        cost,
        waste,
        savings,
        data if isinstance(data, dict) else {},
        idle_cost,
    )


BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[Decimal | None]) -> str:
    """One Unicode block per value scaled between the min and max; a gap where a value is None."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = high - low
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        else:
            level = 0 if span == 0 else int((v - low) / span * (len(BARS) - 1))
            out.append(BARS[level])
    return "".join(out)


def typed_summary(
    kind: str, summary: RunSummary | Mapping[str, object]
) -> RunSummary | Mapping[str, object]:
    """``summary`` as ``kind``'s typed summary (a kind without one: as given)."""
    if isinstance(summary, RunSummary) or kind not in SUMMARIES:
        return summary
    return SUMMARIES[kind].model_validate(dict(summary))


def try_record(
    kind: str, summary: RunSummary | Mapping[str, object], settings: Settings
) -> str | None:
    """:func:`record` unless ``settings.history`` is off; a warning to show if it failed.

    History is a convenience: a locked or unwritable file must not fail the scan or the
    optimisation that produced the summary. A mapping is read as ``kind``'s typed summary.
    """
    if not settings.history:
        return None
    notes: list[str] = []
    try:
        record(kind, typed_summary(kind, summary), settings, notes=notes)
    except InputError as e:
        notes.append(f"history not recorded: {e.message}")
    except ValidationError as e:  # a summary that is not its kind's: say so, keep the run
        notes.append(f"history not recorded: the {kind} summary does not fit ({e.error_count()})")
    return "; ".join(notes) or None
