"""The DuckDB side: one in-process connection over the ``charges`` relation of some exports.

Every query lepton runs on FOCUS data goes through :class:`Charges`, which reads the files once
per query (DuckDB streams CSV and Parquet; nothing is loaded into Python row by row), counts
each delivery of an export once (:mod:`deliveries`) and turns a DuckDB failure into an
:class:`InputError` that names the file, row, column and bad value (:mod:`diagnose`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from lepton_cli.billing import schema
from lepton_cli.billing.deliveries import Span, Superseded, supersede
from lepton_cli.billing.diagnose import diagnose
from lepton_cli.billing.files import FOCUS_HINT, FocusFile, discover, relation_sql
from lepton_cli.errors import InputError
from lepton_cli.fileio import private_spill_dir

Progress = Callable[[str], None]


@dataclass(frozen=True)
class EngineOptions:
    """DuckDB resources. Memory stays bounded: past the limit DuckDB spills to disk."""

    threads: int = field(default_factory=lambda: os.cpu_count() or 1)
    memory_limit: str = "1GB"
    temp_directory: Path = field(default_factory=private_spill_dir)  # private to the user


def connect(options: EngineOptions | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with bounded memory, UTC time and no terminal progress bar."""
    opts = options or EngineOptions()
    con = duckdb.connect(
        config={
            "threads": opts.threads,
            "memory_limit": opts.memory_limit,
            "temp_directory": str(opts.temp_directory),
            # Row order is set by ORDER BY; keeping insertion order only costs memory.
            "preserve_insertion_order": False,
        }
    )
    # DuckDB draws its own bar on a terminal; only cli/ may write there.
    con.execute("SET enable_progress_bar = false")
    con.execute("SET TimeZone = 'UTC'")
    return con


@dataclass
class Notes:
    """What a read did besides summing: files counted once, files met twice, odd cells."""

    superseded: list[Superseded] = field(default_factory=list)
    duplicates: list[Path] = field(default_factory=list)  # given twice: read once
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def lines(self) -> list[str]:
        """Every note as a sentence for people (the cli shows them as warnings)."""
        out = [f"{p}: given more than once; read once" for p in self.duplicates]
        out += [s.describe() for s in self.superseded]
        return out + self.warnings


class Charges:
    """The normalised ``charges`` relation over some FOCUS files (see schema.COLUMNS)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        files: Sequence[FocusFile],
        notes: Notes | None = None,
    ) -> None:
        self.con = con
        self.files = list(files)
        self.notes = notes if notes is not None else Notes()
        self.cte = _cte(self.files, [])
        self._spans_cache: list[Span] = []

    def execute(
        self, sql: str, params: Mapping[str, Any] | None = None
    ) -> duckdb.DuckDBPyConnection:
        """Run ``sql`` (which reads ``charges``) with named ``params``; bad data -> InputError."""
        try:
            return self.con.execute(self.cte + sql, dict(params or {}))
        except duckdb.Error as e:
            raise self._failure(e) from e

    def run(self, sql: str) -> duckdb.DuckDBPyConnection:
        """Run ``sql`` as it is (it reads views the caller created); bad data -> InputError."""
        try:
            return self.con.execute(sql)
        except duckdb.Error as e:
            raise self.failure(e) from e

    def create_view(self, name: str) -> None:
        """The ``charges`` relation as a temporary view ``name`` of this connection."""
        self.run(f"CREATE OR REPLACE TEMP VIEW {name} AS {self.cte}SELECT * FROM charges")

    def failure(self, e: duckdb.Error) -> BaseException:
        """The error to raise for a DuckDB failure (see :meth:`execute`)."""
        return self._failure(e)

    def _failure(self, e: duckdb.Error) -> BaseException:
        """Ctrl-C and out-of-memory are DuckDB errors too, but not the data's fault."""
        if isinstance(e, duckdb.InterruptException):
            return KeyboardInterrupt()
        if isinstance(e, duckdb.OutOfMemoryException):
            return InputError(
                f"DuckDB ran out of memory reading {len(self.files)} FOCUS file(s): {e}",
                hint="read fewer files at once, or use --period to narrow the month",
            )
        return diagnose(self.con, self.files, e, FOCUS_HINT)

    def bad_row(self, problem: str) -> InputError:
        """An InputError for a problem found after a query (e.g. a Tags cell), row named."""
        return diagnose(self.con, self.files, ValueError(problem), FOCUS_HINT)

    def count_once(self) -> None:
        """Leave out the rows of superseded deliveries (see :mod:`deliveries`)."""
        if len(self.files) < 2:
            return
        losers = supersede(self._spans())
        if not losers:
            return
        self.notes.superseded.extend(losers)
        keys_of: dict[Path, int] = {}
        for span in self._spans_cache:
            keys_of[span.path] = keys_of.get(span.path, 0) + 1
        lost: dict[Path, int] = {}
        for s in losers:
            lost[s.path] = lost.get(s.path, 0) + 1
        whole = {p for p, n in lost.items() if n == keys_of[p]}
        self.files = [f for f in self.files if f.path not in whole]
        self.cte = _cte(self.files, [s for s in losers if s.path not in whole])

    def _spans(self) -> list[Span]:
        by_source = {str(f.source): f for f in self.files}
        sql = (
            "SELECT _file, provider_name, billing_account_id, billing_period_start, "
            "MIN(charge_period_start), MAX(COALESCE(charge_period_end, charge_period_start)) "
            "FROM raw GROUP BY ALL"
        )
        try:
            rows = self.con.execute(f"WITH raw AS ({_union_sql(self.files, True)})\n{sql}")
            found = rows.fetchall()
        except duckdb.Error as e:
            raise self._failure(e) from e
        spans = []
        for name, provider, account, period, start, end in found:
            file = by_source[name]
            if start is None:
                continue
            mtime = file.path.stat().st_mtime
            spans.append(Span(file.path, (provider, account, period), start, end, mtime))
        self._spans_cache = spans
        return spans


@contextmanager
def open_charges(
    paths: Sequence[Path],
    progress: Progress | None = None,
    options: EngineOptions | None = None,
    notes: Notes | None = None,
) -> Iterator[Charges]:
    """Check the files under ``paths`` and yield their ``charges`` relation, each delivery
    counted once; closes DuckDB (and removes its private links) after."""
    con = connect(options)
    links = Path(tempfile.mkdtemp(prefix="lepton-focus-"))
    try:
        found = discover(con, paths, links)
        if progress:
            progress(f"reading {len(found.files)} FOCUS file(s)" + _skipped_note(found.skipped))
        charges = Charges(con, found.files, notes)
        charges.notes.duplicates.extend(found.duplicates)
        charges.count_once()
        yield charges
    finally:
        con.close()
        shutil.rmtree(links, ignore_errors=True)


def _skipped_note(skipped: Sequence[Path]) -> str:
    return f", skipping {len(skipped)} empty one(s)" if skipped else ""


def _signature(file: FocusFile) -> tuple[str, frozenset[tuple[str, str]]]:
    return (file.format.value, frozenset(zip(file.columns, file.types, strict=True)))


def _union_sql(files: Sequence[FocusFile], with_file: bool = False) -> str:
    """One normalised SELECT per file shape (format, columns, types), stacked by name."""
    groups: dict[tuple[str, frozenset[tuple[str, str]]], list[FocusFile]] = {}
    for file in files:
        groups.setdefault(_signature(file), []).append(file)
    selects = []
    for group in groups.values():
        types = dict(zip(group[0].columns, group[0].types, strict=True))
        relation = relation_sql(group[0].format, [f.source for f in group], with_file)
        selects.append(schema.select_sql(relation, types, ["filename AS _file"] * with_file))
    return "\nUNION ALL BY NAME\n".join(selects)


def _cte(files: Sequence[FocusFile], losers: Sequence[Superseded]) -> str:
    if not losers:
        return "WITH charges AS (\n" + _union_sql(files) + "\n)\n"
    source = {f.path: str(f.source) for f in files}
    drops = " OR ".join(_loser_sql(source[s.path], s) for s in losers)
    return (
        f"WITH charges AS (SELECT * EXCLUDE (_file) FROM (\n{_union_sql(files, True)}\n) "
        f"WHERE NOT ({drops}))\n"
    )


def _loser_sql(source: str, s: Superseded) -> str:
    provider, account, period = s.key
    parts = [
        f"_file = {schema.sql_string(source)}",
        f"provider_name IS NOT DISTINCT FROM {_literal(provider)}",
        f"billing_account_id IS NOT DISTINCT FROM {_literal(account)}",
        "billing_period_start IS NOT DISTINCT FROM "
        + ("NULL" if period is None else f"TIMESTAMP '{period.isoformat(sep=' ')}'"),
    ]
    return "(" + " AND ".join(parts) + ")"


def _literal(value: str | None) -> str:
    return "NULL" if value is None else schema.sql_string(value)
