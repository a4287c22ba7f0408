"""A billing query as data, and its compiled SQL kept on disk.

A :class:`Query` names one builder of :mod:`expr` and its arguments, so it can be identified
without being built. Every engine compiles it the same way (:func:`compile_query`: build the
Ibis expression over the engine's ``charges`` table, compile it to the engine's dialect).

On DuckDB the SQL depends only on the query, the columns and types of the ``charges`` view and
the code that builds and compiles it, so :class:`SqlCache` keeps it under
``<cache_dir>/sql/``, keyed by all of those. A repeated ``lepton report`` then runs its SQL
without importing Ibis and its compilers, which is most of lepton's start-up. A miss, a torn
entry or a cache folder that cannot be written only means compiling again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.util
import math
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lepton_cli
from lepton_cli.diskcache import DiskCache, cache_key
from lepton_cli.models import Period

if TYPE_CHECKING:
    import ibis.expr.types as ir

FORMAT = 1
"""The entry format; raised when what an entry holds changes."""

_PACKAGE = Path(lepton_cli.__file__).parent
_BUILDERS = (
    "billing/expr.py",
    "billing/keys.py",
    "billing/schema.py",
    "models/period.py",
    "billing/engines.py",  # declares the Ibis table over the view's column types
)
"""lepton's code that decides the SQL of a query (hashed into every key)."""
_COMPILERS = ("ibis", "sqlglot")
"""The packages that compile it (their installed ``__init__`` stamped into every key)."""


@dataclass(frozen=True)
class Query:
    """One call of a builder of :mod:`lepton_cli.billing.expr`: ``builder(table, *args,
    **options)``. Arguments are plain values (text, numbers, lists, mappings, dates, periods)."""

    builder: str
    args: tuple[Any, ...] = ()
    options: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, builder: str, *args: Any, **options: Any) -> Query:
        return cls(builder, args, tuple(sorted(options.items())))

    def build(self, table: ir.Table) -> ir.Table:
        from lepton_cli.billing import expr

        built: ir.Table = getattr(expr, self.builder)(table, *self.args, **dict(self.options))
        return built

    def key(self) -> Any:
        """The query as JSON-able data: equal for equal queries, TypeError for an argument
        that is not a plain value (such a query is compiled every time)."""
        return [self.builder, _plain(self.args), _plain(dict(self.options))]


@dataclass(frozen=True)
class Compiled:
    """A query's SQL on one engine and the names of the columns it returns, in order."""

    sql: str
    columns: tuple[str, ...]


def compile_query(query: Query, table: ir.Table, dialect: str) -> Compiled:
    """``query`` built over ``table`` and compiled by Ibis to ``dialect``."""
    import ibis

    built = query.build(table)
    return Compiled(str(ibis.to_sql(built, dialect=dialect)), tuple(built.columns))


def _plain(value: Any) -> Any:
    """``value`` as JSON-able data that tells every kind of argument apart."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Sequence):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("mapping keys must be text")
        return {"map": sorted([k, _plain(v)] for k, v in value.items())}
    if isinstance(value, Period):
        return {"period": [value.start.isoformat(), value.end.isoformat()]}
    if isinstance(value, dt.date):  # a datetime is a date too; isoformat keeps its time
        return {"date": value.isoformat()}
    raise TypeError(f"{type(value).__name__} is not a plain query argument")


@cache
def fingerprint() -> str:
    """What the compiled SQL depends on besides the query and the table: lepton's version and
    query code, and the installed compilers (a reinstall stamps them anew)."""
    parts: list[Any] = [FORMAT, lepton_cli.__version__]
    for name in _BUILDERS:
        parts.append(hashlib.sha256((_PACKAGE / name).read_bytes()).hexdigest())
    for package in _COMPILERS:
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise OSError(f"{package} is not installed")
        stat = Path(spec.origin).stat()
        parts.append([package, spec.origin, stat.st_size, stat.st_mtime_ns])
    return cache_key(*parts)


PRUNE_AFTER_DAYS = 30
"""A version's folder of compiled SQL unchanged for this long is removed by another version."""


class SqlCache:
    """Compiled SQL under ``folder/<code>/``, one JSON file per (query, table, dialect); the
    folder is named by :func:`fingerprint`, so each version of lepton and its compilers has its
    own. The first time a version stores an entry, the folders of versions that stored nothing
    for ``PRUNE_AFTER_DAYS`` are removed: the cache holds what recent versions use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.disk = DiskCache(folder, ttl_seconds=math.inf)

    def compile(
        self,
        query: Query,
        columns: Sequence[tuple[str, str]],
        dialect: str,
        table: Callable[[], ir.Table],
    ) -> Compiled:
        """``query``'s SQL for a table of ``columns`` (name, engine type): from the cache,
        else compiled over ``table()`` and stored."""
        try:
            code = fingerprint()
            key = cache_key(dialect, [list(c) for c in columns], query.key())
        except (OSError, TypeError):
            return compile_query(query, table(), dialect)
        found = self.disk.get(code, key, _is_entry)
        if found is not None:
            return Compiled(found["sql"], tuple(found["columns"]))
        compiled = compile_query(query, table(), dialect)
        if not (self.folder / code).is_dir():
            self._prune(keep=code)
        self.disk.put(code, key, {"sql": compiled.sql, "columns": list(compiled.columns)})
        return compiled

    def _prune(self, keep: str) -> None:
        """Remove the other versions' folders that stored nothing for PRUNE_AFTER_DAYS. Best
        effort: a folder another lepton is using, or one that cannot be removed, stays."""
        cutoff = time.time() - PRUNE_AFTER_DAYS * 86_400
        try:
            found = list(self.folder.iterdir())
        except OSError:
            return
        for path in found:
            with contextlib.suppress(OSError):
                if path.name == keep or path.stat().st_mtime >= cutoff:
                    continue
                if path.is_dir() and len(path.name) == 32:
                    shutil.rmtree(path)


def _is_entry(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("sql"), str)
        and isinstance(value.get("columns"), list)
        and all(isinstance(c, str) for c in value["columns"])
    )
