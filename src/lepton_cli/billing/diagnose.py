"""After a failed query: find the file, row and column that hold the bad value.

A failing DuckDB query says what was wrong but not where. This module re-reads the files, row
by row (only ever after a failure), applies the same rules as :mod:`schema` in Python and names
the first row that breaks one: ``export.csv: row 17 (line 18), column ChargePeriodStart: '5/1/25'
is not an RFC 3339 date-time``.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb

from lepton_cli.billing import schema
from lepton_cli.billing.files import FileFormat, FocusFile, relation_sql
from lepton_cli.billing.tags import TagError, parse_tags
from lepton_cli.errors import InputError

_ISO = re.compile(schema.ISO_DATETIME)
_CURRENCY = re.compile(r"[A-Z]{3}")
_NULLS = frozenset({"", "NULL", "null"})
_MONEY_LIMIT = Decimal(10) ** 14

Row = Mapping[str, str | None]
Check = Callable[[Row], tuple[str, str] | None]  # (column, what is wrong) or None


def _first(row: Row, column: schema.Column) -> tuple[str, str | None]:
    """(source column, value) of the first present source of ``column``."""
    for source in column.sources:
        if source in row and row[source] is not None:
            return source, row[source]
    return (column.sources[0], None)


def bad_money(text: str) -> str | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return f"{text!r} is not a decimal number"
    if not value.is_finite():
        return f"{text!r} is not a finite decimal number"
    if abs(value) >= _MONEY_LIMIT:
        return f"{text!r} is too large for money (at most 14 integer digits)"
    return None


def parse_time(text: str) -> dt.datetime | None:
    """A UTC datetime from an RFC 3339 / ISO 8601 text, or None when it is not one."""
    if not _ISO.fullmatch(text):
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _check_row(row: Row, tags_text: bool) -> tuple[str, str] | None:
    for column in schema.COLUMNS:
        source, value = _first(row, column)
        if value is None:
            continue
        if column.kind is schema.Kind.MONEY and (why := bad_money(value)):
            return source, why
        if column.kind is schema.Kind.TIME and parse_time(value) is None:
            return source, f"{value!r} is not an RFC 3339 date-time like 2024-09-01T00:00:00Z"
        if column.kind is schema.Kind.TAGS and tags_text:
            try:
                parse_tags(value)
            except TagError as e:
                return source, str(e)
    return _check_required(row)


def _check_required(row: Row) -> tuple[str, str] | None:
    for name in ("charge_period_start", "billing_period_start"):
        source, value = _first(row, schema.BY_NAME[name])
        if value is None:
            return source, "is empty (every FOCUS charge has one)"
    start = parse_time(_first(row, schema.BY_NAME["charge_period_start"])[1] or "")
    source, end_text = _first(row, schema.BY_NAME["charge_period_end"])
    end = parse_time(end_text) if end_text else None
    if start and end and end < start:
        return source, f"{end_text!r} is before ChargePeriodStart"
    source, currency = _first(row, schema.BY_NAME["billing_currency"])
    if currency is None:
        return source, "is empty (every charge needs its ISO 4217 currency)"
    if not _CURRENCY.fullmatch(currency):
        return source, f"{currency!r} is not an ISO 4217 currency code like USD"
    return None


def find_bad_row(con: duckdb.DuckDBPyConnection, file: FocusFile) -> str | None:
    """``row N (line L), column C: why`` for the first bad row of ``file``, or None."""
    tags_text = "Tags" not in file.columns or _type(file, "Tags") in ("VARCHAR", "JSON")
    for number, line, row in _rows(con, file):
        problem = _check_row(row, tags_text)
        if problem:
            column, why = problem
            where = f"row {number}" + (f" (line {line})" if line else "")
            return f"{where}, column {column}: {why}"
    return None


def _type(file: FocusFile, column: str) -> str:
    return dict(zip(file.columns, file.types, strict=True)).get(column, "VARCHAR")


def _rows(con: duckdb.DuckDBPyConnection, file: FocusFile) -> Iterator[tuple[int, int | None, Row]]:
    if file.format is FileFormat.CSV:
        yield from _csv_rows(file.path)
    else:
        yield from _parquet_rows(con, file)


def _csv_rows(path: Path) -> Iterator[tuple[int, int | None, Row]]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with (
        opener(path, "rb") as raw,
        io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as text,
    ):
        reader = csv.reader(text)
        header = next(reader, [])
        number = 0
        for values in reader:
            if not values or values == [""]:
                continue  # a blank line (the spec's examples hold lone \r lines)
            number += 1
            cells = {h: (None if v in _NULLS else v) for h, v in zip(header, values, strict=False)}
            yield number, reader.line_num, cells


def _parquet_rows(
    con: duckdb.DuckDBPyConnection, file: FocusFile
) -> Iterator[tuple[int, int | None, Row]]:
    wanted = [c for c in file.columns if any(c in col.sources for col in schema.COLUMNS)]
    select = ", ".join(f"CAST({schema.quote(c)} AS VARCHAR)" for c in wanted)
    result = con.execute(f"SELECT {select} FROM {relation_sql(file.format, [file.source])}")
    number = 0
    while batch := result.fetchmany(10_000):
        for values in batch:
            number += 1
            yield (
                number,
                None,
                {c: (None if v in _NULLS else v) for c, v in zip(wanted, values, strict=True)},
            )


def diagnose(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[FocusFile],
    error: BaseException,
    hint: str,
) -> InputError:
    """An InputError naming the file, row, column and value that made a query fail."""
    for file in files:
        try:
            found = find_bad_row(con, file)
        except (OSError, duckdb.Error, csv.Error):
            continue  # the file itself is unreadable: the generic message says so
        if found:
            return InputError(f"{file.path}: {found}", hint=f"fix or remove that row; {hint}")
    names = ", ".join(str(f.path) for f in files[:3]) + (" ..." if len(files) > 3 else "")
    return InputError(f"cannot read FOCUS data from {names}: {_first_line(error)}", hint=hint)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
