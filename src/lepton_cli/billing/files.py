"""Find FOCUS export files and check each one before any query runs.

A source is a file or a folder of files (searched recursively). CSV, gzip-compressed CSV and
Parquet are read; anything else in a folder is ignored. Every file must carry the columns lepton
needs (:data:`REQUIRED`), found by header name; an empty file given by name is an error, while an
empty file inside a folder (an export day with no charges) is skipped.

A path is a path, never a pattern: a file named ``g/*.csv`` is that one file (DuckDB would
expand it, so such a file is read through a link with a plain name). The same file given twice
(by two names, or by name and through its folder) is read once. A provider's native export
(CUR, Azure cost details, the GCP billing export, OCI cost reports) is recognised and refused
with the way to produce FOCUS from that provider (see :mod:`native`).
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import duckdb

from lepton_cli.billing import native
from lepton_cli.billing.schema import sql_string
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


GLOB_CHARACTERS = frozenset("*?[]{}")
"""Characters DuckDB's file readers treat as a pattern."""


@dataclass(frozen=True)
class FocusFile:
    """One readable export file and the columns it holds (header names, original case)."""

    path: Path
    format: FileFormat
    columns: tuple[str, ...]
    types: tuple[str, ...]  # DuckDB types: all VARCHAR for CSV, native for Parquet
    read_path: Path | None = None  # a plain-named link DuckDB reads instead, if ``path`` needs one

    @property
    def source(self) -> Path:
        """The path handed to DuckDB."""
        return self.read_path or self.path


@dataclass
class Discovery:
    """What the sources hold: readable files, empty ones skipped, and duplicates read once."""

    files: list[FocusFile]
    skipped: list[Path]
    duplicates: list[Path]


def csv_options() -> str:
    """read_csv options: every column as text (we cast ourselves), header names, FOCUS nulls."""
    return (
        "all_varchar=true, header=true, delim=',', quote='\"', escape='\"', "
        "nullstr=['NULL', 'null', ''], union_by_name=true"
    )


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
    con: duckdb.DuckDBPyConnection, sources: Sequence[Path], links: Path | None = None
) -> Discovery:
    """The readable files under ``sources``, the empty ones skipped inside folders, and the
    files met twice (read once). Names with glob characters get a plain link in ``links``.

    Raises InputError for a missing source, a folder with nothing readable, an explicitly named
    file that is empty or unreadable, a native (non-FOCUS) export, or a file missing a required
    column.
    """
    found = Discovery([], [], [])
    seen: set[Path] = set()
    for source in sources:
        before = len(found.files)
        for path, strict in _expand(source):
            real = path.resolve()
            if real in seen:
                found.duplicates.append(path)
                continue
            seen.add(real)
            info = _inspect(con, path, strict=strict, links=links, index=len(seen))
            if info.columns:
                found.files.append(info)
            else:
                found.skipped.append(info.path)
        if source.is_dir() and len(found.files) == before and not found.duplicates:
            raise InputError(
                f"{source}: no readable FOCUS file in this folder (only empty ones)",
                hint=f"put .csv, .csv.gz or .parquet files with charges in it; {FOCUS_HINT}",
            )
    return found


def _expand(source: Path) -> list[tuple[Path, bool]]:
    """(file, given by name) for a source: the file itself, or a folder's readable files."""
    if not source.exists():
        raise InputError(f"{source}: no such file or folder", hint="check the --source path")
    if source.is_file():
        return [(source, True)]
    paths = list(_candidates(source))
    if not paths:
        raise InputError(
            f"{source}: no readable FOCUS file in this folder",
            hint=f"put .csv, .csv.gz or .parquet files in it; {FOCUS_HINT}",
        )
    return [(p, False) for p in paths]


def _candidates(folder: Path) -> Iterable[Path]:
    """Files under ``folder`` with a FOCUS suffix, sorted so that reads are deterministic."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".") and file_format(p) is not None
    )


def _inspect(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    strict: bool,
    links: Path | None = None,
    index: int = 0,
) -> FocusFile:
    """Header and emptiness check of one file; an empty file has no columns when not strict."""
    fmt = file_format(path)
    if fmt is None:
        raise InputError(
            f"{path}: not a FOCUS export (expected .csv, .csv.gz or .parquet)", hint=FOCUS_HINT
        )
    read_path = _plain_link(path, links, index)
    columns, types = _probe(con, path, read_path or path, fmt)
    if not columns:
        if strict:
            raise InputError(
                f"{path}: the FOCUS file is empty (no cost rows)",
                hint="export a billing period that has charges, or remove the file",
            )
        return FocusFile(path, fmt, (), ())
    check_columns(path, columns)
    return FocusFile(path, fmt, columns, types, read_path)


def _plain_link(path: Path, links: Path | None, index: int) -> Path | None:
    """A link without glob characters to ``path`` when its name has some, else None."""
    if not GLOB_CHARACTERS.intersection(str(path.absolute())):
        return None
    if links is None:
        raise InputError(
            f"{path}: the path has glob characters and no private folder to link it from",
            hint="rename the file without * ? [ ] { }",
        )
    suffix = ".csv.gz" if path.name.lower().endswith(".csv.gz") else path.suffix.lower()
    link = links / f"file-{index:06d}{suffix}"
    link.symlink_to(path.absolute())
    return link


def relation_sql(fmt: FileFormat, paths: Sequence[Path], with_file: bool = False) -> str:
    """The table function reading ``paths`` (one format), columns aligned by name; with
    ``with_file`` each row carries the path it came from in ``filename``."""
    files = "[" + ", ".join(sql_string(str(p)) for p in paths) + "]"
    extra = ", filename=true" if with_file else ""
    if fmt is FileFormat.CSV:
        return f"read_csv({files}, {csv_options()}{extra})"
    return f"read_parquet({files}, union_by_name=true{extra})"


def _probe(
    con: duckdb.DuckDBPyConnection, path: Path, read_path: Path, fmt: FileFormat
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Column names and types of a file with at least one row; ((), ()) for an empty file.

    One query per file (the first row and the result's description), so that a folder of
    many daily exports is checked quickly.
    """
    if path.stat().st_size == 0:
        return (), ()
    if fmt is FileFormat.CSV:
        return _csv_header(path)
    try:
        result = con.execute(f"SELECT * FROM {relation_sql(fmt, [read_path])} LIMIT 1")
        if result.fetchone() is None:
            return (), ()
    except duckdb.Error as e:
        raise InputError(
            f"{path}: cannot be read as a FOCUS export: {first_line(e)}", hint=FOCUS_HINT
        ) from e
    description = result.description or []
    return tuple(str(d[0]) for d in description), tuple(str(d[1]) for d in description)


def _csv_header(path: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A CSV's header names (all read as text), or ((), ()) when no data row follows it.

    Read in Python: two lines, where asking DuckDB would sniff thousands of rows per file."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with (
            opener(path, "rb") as raw,
            io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as text,
        ):
            reader = csv.reader(text)
            header = next(reader, [])
            data = next((row for row in reader if any(cell.strip() for cell in row)), None)
    except (OSError, EOFError, csv.Error) as e:
        raise InputError(f"{path}: cannot be read as a FOCUS export: {e}", hint=FOCUS_HINT) from e
    if not header or data is None:
        return (), ()
    return tuple(header), ("VARCHAR",) * len(header)


def check_columns(path: Path, columns: Sequence[str]) -> None:
    """Raise InputError naming the first required column ``columns`` lacks."""
    present = set(columns)
    if "BilledCost" not in present:
        _refuse_native(path, columns)
    if not present.intersection(PROVIDER_COLUMNS):
        _missing(path, "ProviderName (or ServiceProviderName in FOCUS 1.3)")
    for name in REQUIRED:
        if name not in present:
            _missing(path, name)


def _refuse_native(path: Path, columns: Sequence[str]) -> None:
    export = native.recognise(columns)
    if export is not None:
        raise InputError(
            f"{path}: this is {export.name}, not a FOCUS export; lepton reads FOCUS",
            hint=f"export FOCUS instead: {export.how}",
        )


def _missing(path: Path, column: str) -> None:
    raise InputError(
        f"{path}: missing mandatory FOCUS column {column}",
        hint=f"columns are matched by header name (case-sensitive); {FOCUS_HINT}",
    )


def first_line(error: BaseException) -> str:
    """The first line of a DuckDB error (the rest repeats the SQL)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
