"""Where billing queries run: the engine, chosen by ``--engine`` / ``LEPTON_ENGINE`` /
lepton.yaml ``engine:``.

- ``duckdb`` (default): in-process; the FOCUS provider finds, checks and normalises the files
  (each delivery counted once, every bad cell named by file, row and column).
- ``spark``: PySpark in local mode (``spark: {master: "local[2]"}``) or a cluster through Spark
  Connect (``spark: {remote: "sc://host:15002"}``), over CSV / Parquet paths (local or any URI
  Spark reads, such as ``s3a://``) or a table (``spark: {table: billing.focus}``).
- ``bigquery`` / ``athena`` / ``trino``: the same expressions compiled to their SQL
  (:mod:`lepton_cli.billing.compiled`); BigQuery runs after a dry run
  (:mod:`lepton_cli.billing.bigquery`), Athena in its workgroup through boto3
  (:mod:`lepton_cli.billing.athena`), Trino on its coordinator through the Trino client
  (:mod:`lepton_cli.billing.trino`).

Credentials come from each engine's own chain (Spark's Hadoop/S3 settings, Google ADC, the AWS
chain, ``TRINO_PASSWORD`` / ``TRINO_JWT``); lepton stores none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from lepton_cli.errors import InputError, UsageError

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from lepton_cli.billing.compiled import Compiled, Query
    from lepton_cli.billing.engine import Charges, EngineOptions, Notes, Progress


class EngineName(StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"
    BIGQUERY = "bigquery"
    ATHENA = "athena"
    TRINO = "trino"


DIALECTS: dict[EngineName, str] = {
    EngineName.DUCKDB: "duckdb",
    EngineName.SPARK: "pyspark",
    EngineName.BIGQUERY: "bigquery",
    EngineName.ATHENA: "athena",
    EngineName.TRINO: "trino",
}
"""The Ibis dialect each engine's SQL is compiled to."""

TABLE_ENGINES = frozenset({EngineName.BIGQUERY, EngineName.ATHENA, EngineName.TRINO})
"""The engines that query a table in a service (their section of lepton.yaml, named after
them, says which) and read no ``--source`` files."""


class SparkConfig(BaseModel):
    """``spark:`` in lepton.yaml. ``remote`` (Spark Connect) wins over ``master``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    master: str = "local[2]"
    remote: str | None = None  # sc://host:15002
    table: str | None = None  # read this table instead of --source paths
    conf: dict[str, str] = Field(default_factory=dict)  # extra Spark settings


@dataclass(frozen=True)
class Engine:
    name: EngineName = EngineName.DUCKDB
    spark: SparkConfig = field(default_factory=SparkConfig)
    bigquery: dict[str, Any] = field(default_factory=dict)  # see billing.bigquery
    athena: dict[str, Any] = field(default_factory=dict)  # see billing.athena
    trino: dict[str, Any] = field(default_factory=dict)  # see billing.trino
    sql_cache: Path | None = None  # compiled DuckDB SQL is kept here (billing.compiled)

    @property
    def reads_tables_only(self) -> bool:
        """Whether the engine reads a table in a service and never ``--source`` files."""
        return self.name in TABLE_ENGINES

    @property
    def section(self) -> dict[str, Any]:
        """The lepton.yaml section of an engine that reads only tables (else empty)."""
        section: dict[str, Any] = getattr(self, self.name.value) if self.reads_tables_only else {}
        return section

    @property
    def table(self) -> str | None:
        """The table this engine reads instead of ``--source`` files, when it reads one."""
        if self.name is EngineName.SPARK:
            return self.spark.table
        found = self.section.get("table")
        return str(found) if found else None


_selected: ContextVar[Callable[[], Engine] | None] = ContextVar("lepton_engine", default=None)


def select(engine: Engine) -> None:
    """Make ``engine`` the one billing queries use when none is passed."""
    _selected.set(lambda: engine)


def select_lazily(resolve: Callable[[], Engine]) -> None:
    """Like :func:`select`, resolved when a billing query first needs it (the cli's settings)."""
    cache: list[Engine] = []

    def once() -> Engine:
        if not cache:
            cache.append(resolve())
        return cache[0]

    _selected.set(once)


def selected() -> Engine:
    resolve = _selected.get()
    return resolve() if resolve else Engine()


def engine_from(
    name: str | None,
    spark: dict[str, Any] | None = None,
    bigquery: dict[str, Any] | None = None,
    athena: dict[str, Any] | None = None,
    cache_dir: Path | None = None,
    trino: dict[str, Any] | None = None,
) -> Engine:
    """An Engine from settings; UsageError naming the engines for an unknown one."""
    try:
        engine = EngineName((name or "duckdb").strip().lower())
    except ValueError:
        known = ", ".join(e.value for e in EngineName)
        raise UsageError(f"unknown engine {name!r}", hint=f"use one of: {known}") from None
    try:
        cfg = SparkConfig.model_validate(spark or {})
    except ValueError as e:
        raise InputError(f"spark: {e}", hint="see docs/engines.md") from e
    sql_cache = cache_dir / "sql" if cache_dir is not None else None
    return Engine(
        engine, cfg, dict(bigquery or {}), dict(athena or {}), dict(trino or {}), sql_cache
    )


class Source(Protocol):
    """The normalised ``charges`` table of some billing data, on one engine."""

    @property
    def notes(self) -> Notes: ...
    def compile(self, query: Query) -> Compiled: ...
    def rows(self, sql: str) -> list[tuple[Any, ...]]: ...
    def batches(self, sql: str, size: int = 10_000) -> Iterator[list[tuple[Any, ...]]]: ...
    def bad_row(self, problem: str) -> InputError: ...
    def file_columns(self) -> list[tuple[str, set[str]]]: ...


class DuckDBSource:
    """The FOCUS provider's checked, normalised ``charges`` on DuckDB.

    Queries are compiled with ``ibis.to_sql`` over a table declared from the view's own column
    types: they need no Ibis connection (which would import Ibis's DuckDB backend and pyarrow
    and query the schema again), only DuckDB SQL to run. With a ``cache`` folder the SQL is
    kept there (:class:`~lepton_cli.billing.compiled.SqlCache`) and a repeated query does not
    import Ibis at all."""

    VIEW = "lepton_charges"

    def __init__(self, charges: Charges, cache: Path | None = None) -> None:
        from lepton_cli.billing.compiled import SqlCache

        self.charges = charges
        charges.create_view(self.VIEW)
        described = charges.run(f"DESCRIBE {self.VIEW}").fetchall()
        self.columns = [(str(row[0]), str(row[1])) for row in described]
        self.cache = SqlCache(cache) if cache is not None else None

    @cached_property
    def table(self) -> ir.Table:
        import ibis
        from ibis.backends.sql.datatypes import DuckDBType

        types = {name: DuckDBType.from_string(kind) for name, kind in self.columns}
        return ibis.table(ibis.schema(types), name=self.VIEW)

    @property
    def notes(self) -> Notes:
        return self.charges.notes

    def compile(self, query: Query) -> Compiled:
        from lepton_cli.billing.compiled import compile_query

        if self.cache is None:
            return compile_query(query, self.table, "duckdb")
        return self.cache.compile(query, self.columns, "duckdb", lambda: self.table)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [row for batch in self.batches(sql) for row in batch]

    def batches(self, sql: str, size: int = 10_000) -> Iterator[list[tuple[Any, ...]]]:
        import duckdb

        result = self.charges.run(sql)
        while True:
            try:
                batch = result.fetchmany(size)
            except duckdb.Error as e:
                raise self.charges.failure(e) from e
            if not batch:
                return
            yield batch

    def bad_row(self, problem: str) -> InputError:
        return self.charges.bad_row(problem)

    def file_columns(self) -> list[tuple[str, set[str]]]:
        return [(str(f.path), set(f.columns)) for f in self.charges.files]


@contextmanager
def open_source(
    paths: Sequence[Path],
    progress: Progress | None = None,
    options: EngineOptions | None = None,
    notes: Notes | None = None,
    engine: Engine | None = None,
) -> Iterator[Source]:
    """The ``charges`` of the billing data at ``paths`` (or the engine's table) on ``engine``
    (default: the selected one)."""
    engine = engine or selected()
    if engine.name is EngineName.DUCKDB:
        from lepton_cli.billing.engine import open_charges

        with open_charges(paths, progress, options, notes) as charges:
            yield DuckDBSource(charges, engine.sql_cache)
        return
    if engine.name is EngineName.SPARK:
        from lepton_cli.billing.spark import open_spark

        with open_spark(engine.spark, paths, progress, notes) as source:
            yield source
        return
    if paths:  # its totals would be read as the files' own
        name = engine.name.value
        raise UsageError(
            f"--engine {name} reads the table of `{name}: {{table: ...}}`, not --source files "
            f"({paths[0]}{' and more' if len(paths) > 1 else ''})",
            hint="drop --source to report on the table, or use --engine duckdb for the files",
        )
    yield _table_source(engine, notes)


def _table_source(engine: Engine, notes: Notes | None) -> Source:
    """The source of an engine that queries a table in a service, from its lepton.yaml
    section (InputError naming the section when it is not valid)."""
    from lepton_cli.billing.engine import Notes

    config: type[BaseModel]
    source: Callable[[Any, Notes], Source]
    if engine.name is EngineName.BIGQUERY:
        from lepton_cli.billing.bigquery import BigQueryConfig as config
        from lepton_cli.billing.bigquery import BigQuerySource as source

        hint = "set `bigquery: {table: project.dataset.table}`"
    elif engine.name is EngineName.ATHENA:
        from lepton_cli.billing.athena import AthenaConfig as config
        from lepton_cli.billing.athena import AthenaSource as source

        hint = "set `athena: {table: database.table, workgroup: NAME}`"
    else:
        from lepton_cli.billing.trino import TrinoConfig as config
        from lepton_cli.billing.trino import TrinoSource as source

        hint = "set `trino: {table: catalog.schema.table, host: NAME}`"
    try:
        cfg = config.model_validate(engine.section)
    except ValueError as e:
        raise InputError(f"{engine.name.value}: {e}", hint=hint) from e
    return source(cfg, notes if notes is not None else Notes())
