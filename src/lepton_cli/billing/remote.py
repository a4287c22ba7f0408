"""What the engines that query a FOCUS table in a service share (BigQuery, Athena, Trino):
the normalised ``charges`` declared over the table, queries compiled by Ibis to the engine's
dialect, and how a failure inside the service reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from lepton_cli.errors import InputError, ProviderError

if TYPE_CHECKING:
    from lepton_cli.billing.compiled import Compiled, Query
    from lepton_cli.billing.engines import EngineName

ROW_CHECK = "lepton:"
"""How each row check of normalize starts its message, on every engine."""


class TableSource:
    """A FOCUS table in a query service as the normalised ``charges``; a subclass names its
    engine and reads a query's rows (:meth:`batches`)."""

    engine: ClassVar[EngineName]

    def __init__(self, table: str, notes: Any) -> None:
        from lepton_cli.billing import schema, sql

        self.name = table
        self.notes = notes
        self.table = sql.charges(sql.raw_table(table), self.engine)
        self._columns = {s for c in schema.COLUMNS for s in c.sources}

    def compile(self, query: Query) -> Compiled:
        from lepton_cli.billing.compiled import compile_query
        from lepton_cli.billing.engines import DIALECTS

        return compile_query(query, self.table, DIALECTS[self.engine])

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [row for batch in self.batches(sql) for row in batch]

    def batches(self, sql: str, size: int = 10_000) -> Iterator[list[tuple[Any, ...]]]:
        raise NotImplementedError

    def bad_row(self, problem: str) -> InputError:
        return InputError(f"{self.name}: {problem}", hint="fix the export's rows")

    def file_columns(self) -> list[tuple[str, set[str]]]:
        return [(self.name, self._columns)]


def failure(table: str, text: str, otherwise: ProviderError) -> InputError | ProviderError:
    """A row check that failed inside the service (exit 3, its message), else ``otherwise``."""
    if ROW_CHECK in text:
        return InputError(f"{table}: {text[text.index(ROW_CHECK) :]}", hint="fix the export")
    return otherwise


def first_line(text: str, limit: int = 500) -> str:
    lines = text.strip().splitlines()
    return lines[0][:limit] if lines else ""


def naive_utc(value: Any) -> Any:
    """A timestamp with a zone as naive UTC, as DuckDB and Spark give them; else ``value``."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value
