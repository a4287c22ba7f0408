"""The Spark engine: PySpark in local mode or a cluster through Spark Connect.

The session is Spark's own (``getOrCreate``: one per process, reused); lepton sets UTC and ANSI
SQL on it (a bad cast fails the query instead of reading NULL). Files are read by Spark itself
(CSV as text with a header, Parquet as typed), so any URI Spark can read works; a table name
reads that table. The raw FOCUS columns are normalised by :mod:`normalize` and the Ibis
expressions compiled to Spark SQL, run by ``spark.sql``.

Deliveries are not de-duplicated here (that needs each file's modification time, which a table
does not carry): a table or folder read by Spark must hold each export delivery once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.datatypes as dtypes
import ibis.expr.types as ir

from lepton_cli.billing import normalize
from lepton_cli.billing.compiled import Compiled, Query, compile_query
from lepton_cli.billing.engines import SparkConfig
from lepton_cli.billing.files import CSV_SUFFIXES, FOCUS_HINT, PARQUET_SUFFIXES
from lepton_cli.errors import InputError, UsageError

if TYPE_CHECKING:
    from lepton_cli.billing.engine import Notes, Progress

SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
}
"""Set on every session lepton uses (runtime settings)."""

LOCAL_CONF = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.ui.showConsoleProgress": "false",
}
"""Set when lepton starts a local session: it binds to loopback and draws no progress bar."""


def session(cfg: SparkConfig) -> Any:
    """The Spark session for ``cfg`` (created once per process, then reused)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:
        raise UsageError(
            "the spark engine needs PySpark", hint="pip install 'lepton-cli[spark]'"
        ) from e
    builder = SparkSession.builder
    builder = builder.remote(cfg.remote) if cfg.remote else builder.master(cfg.master)
    builder = builder.appName("lepton")
    local = {} if cfg.remote else LOCAL_CONF
    for key, value in {**SESSION_CONF, **local, **cfg.conf}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    for key, value in SESSION_CONF.items():
        spark.conf.set(key, value)
    return spark


def _format(path: str) -> str:
    name = path.lower().rstrip("/")
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    return ""


def _expand(paths: Sequence[Path]) -> dict[str, list[str]]:
    """Paths per format: a local folder's FOCUS files, a URI or file by its suffix."""
    out: dict[str, list[str]] = {"csv": [], "parquet": []}
    for path in paths:
        text = str(path)
        if "://" not in text and Path(text).is_dir():
            for child in sorted(Path(text).rglob("*")):
                if child.is_file() and _format(child.name):
                    out[_format(child.name)].append(str(child))
            continue
        kind = _format(text)
        if not kind:
            raise InputError(
                f"{text}: the spark engine reads .csv, .csv.gz and .parquet paths",
                hint=FOCUS_HINT,
            )
        if "://" not in text and not Path(text).is_file():
            raise InputError(f"{text}: no such file", hint="check the --source path")
        out[kind].append(text)
    return {k: v for k, v in out.items() if v}


@dataclass
class SparkSource:
    """The normalised ``charges`` of some FOCUS data, as an Ibis table on Spark."""

    spark: Any
    table: ir.Table
    notes: Notes
    described: list[tuple[str, set[str]]]
    views: list[str] = field(default_factory=list)

    def compile(self, query: Query) -> Compiled:
        return compile_query(query, self.table, "pyspark")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            return [tuple(r) for r in self.spark.sql(sql).collect()]
        except Exception as e:  # Spark raises Py4J/Spark Connect errors of many classes
            raise self._failure(e) from e

    def batches(self, sql: str, size: int = 10_000) -> Iterator[list[tuple[Any, ...]]]:
        rows = self.rows(sql)
        for i in range(0, len(rows), size):
            yield rows[i : i + size]

    def bad_row(self, problem: str) -> InputError:
        where = ", ".join(name for name, _ in self.described[:3])
        return InputError(f"{where}: {problem}", hint=FOCUS_HINT)

    def file_columns(self) -> list[tuple[str, set[str]]]:
        return self.described

    def _failure(self, e: Exception) -> InputError:
        text = str(e)
        marker = text.find("lepton:")
        first = (text[marker:] if marker >= 0 else text).strip().splitlines()[0]
        where = ", ".join(name for name, _ in self.described[:3])
        return InputError(f"spark could not read {where}: {first[:500]}", hint=FOCUS_HINT)


@ibis.udf.scalar.builtin(name="raise_error")  # type: ignore[untyped-decorator]
def _raise_error(msg: str) -> str:
    raise NotImplementedError  # runs in Spark, never here


@ibis.udf.scalar.builtin(name="to_json")  # type: ignore[untyped-decorator]
def _map_json(m: dtypes.Map(dtypes.string, dtypes.string)) -> str:  # type: ignore[valid-type]
    raise NotImplementedError  # runs in Spark, never here


def _fail(message: str) -> ir.StringValue:
    """Spark's ``raise_error``: evaluated, it fails the query with ``message``."""
    return _raise_error(ibis.literal(message))


def _to_json(value: ir.Value) -> ir.StringValue:
    """Spark's ``to_json`` of a MAP: ``{"key":"value",...}`` in the map's order."""
    return _map_json(value)


@contextmanager
def open_spark(
    cfg: SparkConfig,
    paths: Sequence[Path],
    progress: Progress | None = None,
    notes: Notes | None = None,
) -> Iterator[SparkSource]:
    """The ``charges`` of ``cfg.table`` or of the files at ``paths``, on Spark."""
    from lepton_cli.billing.engine import Notes

    spark = session(cfg)
    backend = ibis.pyspark.connect(spark)
    parts: list[ir.Table] = []
    described: list[tuple[str, set[str]]] = []
    views: list[str] = []
    if cfg.table:
        frames = [(cfg.table, spark.table(cfg.table), False)]
    else:
        found = _expand(paths)
        if not found:
            raise InputError("no FOCUS files to read", hint="pass --source FILE_OR_FOLDER")
        frames = [
            (", ".join(files), _read(spark, kind, files), kind == "csv")
            for kind, files in found.items()
        ]
    if progress:
        progress(f"reading {len(frames)} FOCUS source(s) on spark")
    for name, frame, csv in frames:
        view = f"lepton_raw_{uuid.uuid4().hex[:12]}"
        frame.createOrReplaceTempView(view)
        views.append(view)
        raw = backend.table(view)
        described.append((name, set(raw.columns)))
        parts.append(normalize.charges(raw, csv=csv, fail=_fail, to_json=_to_json))
    table = parts[0] if len(parts) == 1 else ibis.union(*parts)
    try:
        yield SparkSource(spark, table, notes if notes is not None else Notes(), described, views)
    finally:
        for view in views:
            spark.catalog.dropTempView(view)


def _read(spark: Any, kind: str, files: list[str]) -> Any:
    try:
        if kind == "csv":
            return spark.read.options(
                header="true", inferSchema="false", multiLine="true", escape='"'
            ).csv(files)
        return spark.read.parquet(*files)
    except Exception as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise InputError(f"spark could not read {files[0]}: {first[:300]}", hint=FOCUS_HINT) from e
