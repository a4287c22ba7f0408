"""The DuckDB side: one in-process connection over the ``charges`` relation of some exports.

Every query lepton runs on FOCUS data goes through :class:`Charges`, which reads the files once
per query (DuckDB streams CSV and Parquet; nothing is loaded into Python row by row) and turns a
DuckDB failure into an :class:`InputError` that names the file, the column and the bad value.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from lepton_cli.errors import InputError
from lepton_cli.fileio import private_spill_dir
from lepton_cli.providers.focus import schema
from lepton_cli.providers.focus.files import (
    FOCUS_HINT,
    FileFormat,
    FocusFile,
    discover,
    first_line,
    relation_sql,
)

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


class Charges:
    """The normalised ``charges`` relation over some FOCUS files (see schema.COLUMNS)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, files: Sequence[FocusFile]) -> None:
        self.con = con
        self.files = list(files)
        self.cte = "WITH charges AS (\n" + _union_sql(self.files) + "\n)\n"

    def execute(
        self, sql: str, params: Mapping[str, Any] | None = None
    ) -> duckdb.DuckDBPyConnection:
        """Run ``sql`` (which reads ``charges``) with named ``params``; bad data -> InputError."""
        try:
            return self.con.execute(self.cte + sql, dict(params or {}))
        except duckdb.Error as e:
            raise self._failure(e) from e

    def _failure(self, e: duckdb.Error) -> BaseException:
        """Ctrl-C and out-of-memory are DuckDB errors too, but not the data's fault."""
        if isinstance(e, duckdb.InterruptException):
            return KeyboardInterrupt()
        if isinstance(e, duckdb.OutOfMemoryException):
            return InputError(
                f"DuckDB ran out of memory reading {len(self.files)} FOCUS file(s): {e}",
                hint="read fewer files at once, or use --period to narrow the month",
            )
        return diagnose(self.con, self.files, e)

    def fetch_batches(
        self, sql: str, params: Mapping[str, Any] | None = None, size: int = 10_000
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Result rows in batches, so a long result never sits in memory whole."""
        result = self.execute(sql, params)
        while True:
            try:
                batch = result.fetchmany(size)
            except duckdb.Error as e:
                raise self._failure(e) from e
            if not batch:
                return
            yield batch


@contextmanager
def open_charges(
    paths: Sequence[Path], progress: Progress | None = None, options: EngineOptions | None = None
) -> Iterator[Charges]:
    """Check the files under ``paths`` and yield their ``charges`` relation; closes DuckDB after."""
    con = connect(options)
    try:
        files, skipped = discover(con, paths)
        if progress:
            progress(f"reading {len(files)} FOCUS file(s)" + _skipped_note(skipped))
        yield Charges(con, files)
    finally:
        con.close()


def _skipped_note(skipped: Sequence[Path]) -> str:
    return f", skipping {len(skipped)} empty one(s)" if skipped else ""


def _union_sql(files: Sequence[FocusFile]) -> str:
    """One normalised SELECT per file format, stacked; columns are aligned by name."""
    selects = []
    for fmt in FileFormat:
        group = [f for f in files if f.format is fmt]
        if group:
            types = schema.union_types([dict(zip(f.columns, f.types, strict=True)) for f in group])
            relation = relation_sql(fmt, [f.path for f in group])
            selects.append(schema.select_sql(relation, types))
    return "\nUNION ALL BY NAME\n".join(selects)


def diagnose(
    con: duckdb.DuckDBPyConnection, files: Sequence[FocusFile], error: duckdb.Error
) -> InputError:
    """An InputError naming the file, column and value that made a query fail.

    The failing query does not say which file held the bad value, so each typed column of each
    file is probed with TRY_CAST; this runs only after a failure.
    """
    for file in files:
        found = _first_bad_value(con, file)
        if found:
            column, value, expected = found
            return InputError(
                f"{file.path}: column {column} has a value that is not {expected}: {value!r}",
                hint=f"fix or remove the rows with that value; {FOCUS_HINT}",
            )
    names = ", ".join(str(f.path) for f in files[:3]) + (" ..." if len(files) > 3 else "")
    return InputError(f"cannot read FOCUS data from {names}: {first_line(error)}", hint=FOCUS_HINT)


_PROBES = {
    schema.Kind.MONEY: (f"TRY_CAST({{c}} AS {schema.MONEY})", "a decimal number"),
    schema.Kind.TIME: (
        "TRY_CAST(TRY_CAST({c} AS TIMESTAMPTZ) AS TIMESTAMP)",
        "a timestamp like 2024-09-01T00:00:00Z",
    ),
    schema.Kind.JSON: ("CASE WHEN json_valid({c}) THEN 1 END", "a JSON object"),
}


def _first_bad_value(
    con: duckdb.DuckDBPyConnection, file: FocusFile
) -> tuple[str, str, str] | None:
    """(column, value, what was expected) of the first uncastable typed value in ``file``."""
    relation = relation_sql(file.format, [file.path])
    for column in schema.COLUMNS:
        if column.kind not in _PROBES:
            continue
        for source in (s for s in column.sources if s in file.columns):
            probe, expected = _PROBES[column.kind]
            c = schema.quote(source)
            sql = (
                f"SELECT CAST({c} AS VARCHAR) FROM {relation} "
                f"WHERE NULLIF(CAST({c} AS VARCHAR), '') IS NOT NULL "
                f"AND {probe.format(c=c)} IS NULL LIMIT 1"
            )
            try:
                row = con.execute(sql).fetchone()
            except duckdb.Error:
                return None  # the file itself is unreadable: the generic message says so
            if row:
                return source, str(row[0]), expected
    return None
