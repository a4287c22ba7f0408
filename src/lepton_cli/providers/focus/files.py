"""Find FOCUS export files and check each one before any query runs.

A source is a file or a folder of files (searched recursively). CSV, gzip-compressed CSV and
Parquet are read; anything else in a folder is ignored. Every file must carry the columns lepton
needs (:data:`REQUIRED`), found by header name; an empty file given by name is an error, while an
empty file inside a folder (an export day with no charges) is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import duckdb

from lepton_cli.errors import InputError

CSV_SUFFIXES = (".csv", ".csv.gz")
PARQUET_SUFFIXES = (".parquet",)

PROVIDER_COLUMNS = ("ServiceProviderName", "ProviderName")
"""FOCUS 1.3 renamed ProviderName to ServiceProviderName; either one names the provider."""

REQUIRED = (
    "BilledCost",
    "EffectiveCost",
    "BillingCurrency",
    "BillingPeriodStart",
    "ChargePeriodStart",
    "ChargePeriodEnd",
)
"""Columns mandatory in every FOCUS version (1.0 to 1.3) that lepton's queries read."""

FOCUS_HINT = "export cost data in FOCUS format (1.0 to 1.3) as CSV, CSV.gz or Parquet"


class FileFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"


@dataclass(frozen=True)
class FocusFile:
    """One readable export file and the columns it holds (header names, original case)."""

    path: Path
    format: FileFormat
    columns: tuple[str, ...]
    types: tuple[str, ...]  # DuckDB types: all VARCHAR for CSV, native for Parquet


def csv_options() -> str:
    """read_csv options: every column as text (we cast ourselves), header names, FOCUS nulls."""
    return (
        "all_varchar=true, header=true, delim=',', quote='\"', escape='\"', "
        "nullstr=['NULL', 'null', ''], union_by_name=true"
    )


def sql_string(text: str) -> str:
    """``text`` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def file_format(path: Path) -> FileFormat | None:
    """The format a file name announces, or None for a file lepton does not read."""
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        return FileFormat.CSV
    if name.endswith(PARQUET_SUFFIXES):
        return FileFormat.PARQUET
    return None


def is_focus_path(path: Path) -> bool:
    """Whether ``path`` looks like a FOCUS export (a folder, or a CSV/CSV.gz/Parquet file)."""
    return path.is_dir() or file_format(path) is not None


def discover(
    con: duckdb.DuckDBPyConnection, sources: Sequence[Path]
) -> tuple[list[FocusFile], list[Path]]:
    """The readable files under ``sources`` and the empty ones skipped inside folders.

    Raises InputError for a missing source, a folder with nothing readable, an explicitly named
    file that is empty or unreadable, or a file missing a required column.
    """
    found: list[FocusFile] = []
    skipped: list[Path] = []
    for source in sources:
        files, empty = _discover_one(con, source)
        found.extend(files)
        skipped.extend(empty)
    return found, skipped


def _discover_one(
    con: duckdb.DuckDBPyConnection, source: Path
) -> tuple[list[FocusFile], list[Path]]:
    if not source.exists():
        raise InputError(f"{source}: no such file or folder", hint="check the --source path")
    if source.is_file():
        return [_inspect(con, source, strict=True)], []
    files: list[FocusFile] = []
    skipped: list[FocusFile] = []
    for path in _candidates(source):
        info = _inspect(con, path, strict=False)
        (files if info.columns else skipped).append(info)
    if not files:
        raise InputError(
            f"{source}: no readable FOCUS file in this folder "
            f"({len(skipped)} empty, none with data)",
            hint=f"put .csv, .csv.gz or .parquet files in it; {FOCUS_HINT}",
        )
    return files, [f.path for f in skipped]


def _candidates(folder: Path) -> Iterable[Path]:
    """Files under ``folder`` with a FOCUS suffix, sorted so that reads are deterministic."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".") and file_format(p) is not None
    )


def _inspect(con: duckdb.DuckDBPyConnection, path: Path, *, strict: bool) -> FocusFile:
    """Header and emptiness check of one file; an empty file has no columns when not strict."""
    fmt = file_format(path)
    if fmt is None:
        raise InputError(
            f"{path}: not a FOCUS export (expected .csv, .csv.gz or .parquet)", hint=FOCUS_HINT
        )
    columns, types = _probe(con, path, fmt)
    if not columns:
        if strict:
            raise InputError(
                f"{path}: the FOCUS file is empty (no cost rows)",
                hint="export a billing period that has charges, or remove the file",
            )
        return FocusFile(path, fmt, (), ())
    check_columns(path, columns)
    return FocusFile(path, fmt, columns, types)


def relation_sql(fmt: FileFormat, paths: Sequence[Path]) -> str:
    """The table function reading ``paths`` (one format), columns aligned by name."""
    files = "[" + ", ".join(sql_string(str(p)) for p in paths) + "]"
    if fmt is FileFormat.CSV:
        return f"read_csv({files}, {csv_options()})"
    return f"read_parquet({files}, union_by_name=true)"


def _probe(
    con: duckdb.DuckDBPyConnection, path: Path, fmt: FileFormat
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Column names and types of a file with at least one row; ((), ()) for an empty file.

    One query per file (the first row and the result's description), so that a folder of
    many daily exports is checked quickly.
    """
    if path.stat().st_size == 0:
        return (), ()
    try:
        result = con.execute(f"SELECT * FROM {relation_sql(fmt, [path])} LIMIT 1")
        if result.fetchone() is None:
            return (), ()
    except duckdb.Error as e:
        raise InputError(
            f"{path}: cannot be read as a FOCUS export: {first_line(e)}", hint=FOCUS_HINT
        ) from e
    description = result.description or []
    return tuple(str(d[0]) for d in description), tuple(str(d[1]) for d in description)


def check_columns(path: Path, columns: Sequence[str]) -> None:
    """Raise InputError naming the first required column ``columns`` lacks."""
    present = set(columns)
    if not present.intersection(PROVIDER_COLUMNS):
        _missing(path, "ProviderName (or ServiceProviderName in FOCUS 1.3)")
    for name in REQUIRED:
        if name not in present:
            _missing(path, name)


def _missing(path: Path, column: str) -> None:
    raise InputError(
        f"{path}: missing mandatory FOCUS column {column}",
        hint=f"columns are matched by header name (case-sensitive); {FOCUS_HINT}",
    )


def first_line(error: BaseException) -> str:
    """The first line of a DuckDB error (the rest repeats the SQL)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
