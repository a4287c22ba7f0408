"""Run history: each scan and optimize run's summary in a local DuckDB file.

The file is ``<data_dir>/history.duckdb`` (``data_dir`` from lepton.yaml, default the user data
directory). A summary is any mapping; these keys are lifted into columns so the trend can be
charted (the first present of each list wins):

- cost:    ``monthly_cost``, ``current_monthly_cost``
- waste:   ``monthly_waste``, ``waste``, ``current_idle_cost``
- savings: ``monthly_savings``, ``savings``
- currency: ``currency``

The whole summary is kept as JSON too.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lepton_cli.config import Settings
from lepton_cli.errors import InputError
from lepton_cli.fileio import dump_json

FILE_NAME = "history.duckdb"
_COLUMNS = {
    "cost": ("monthly_cost", "current_monthly_cost"),
    "waste": ("monthly_waste", "waste", "current_idle_cost"),
    "savings": ("monthly_savings", "savings"),
}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    recorded_at TIMESTAMP NOT NULL,
    kind VARCHAR NOT NULL,
    currency VARCHAR,
    cost DECIMAL(18, 2),
    waste DECIMAL(18, 2),
    savings DECIMAL(18, 2),
    summary VARCHAR NOT NULL
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


def history_path(settings: Settings) -> Path:
    return settings.data_dir / FILE_NAME


def _money(summary: Mapping[str, object], keys: tuple[str, ...]) -> Decimal | None:
    for key in keys:
        value = summary.get(key)
        if value is None:
            continue
        try:
            return Decimal(str(value)).quantize(Decimal("0.01"))
        except InvalidOperation:
            return None
    return None


def _connect(path: Path) -> Any:
    import duckdb  # lazily: `lepton --help` stays fast

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path))
        con.execute(_SCHEMA)
    except (OSError, duckdb.Error) as e:
        raise InputError(
            f"{path}: cannot open the history file ({e})",
            hint="check data_dir in lepton.yaml, or run with --no-history",
        ) from e
    return con


def record(
    kind: str,
    summary: Mapping[str, object],
    settings: Settings,
    at: dt.datetime | None = None,
) -> None:
    """Append one run's summary (``kind`` e.g. "scan" or "optimize") to the history file.

    Raises InputError when the file cannot be opened (e.g. locked by another lepton):
    callers usually turn that into a warning, since history must not fail a scan.
    """
    when = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None)
    values = [_money(summary, keys) for keys in _COLUMNS.values()]
    currency = summary.get("currency")
    con = _connect(history_path(settings))
    try:
        con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                when,
                kind,
                None if currency is None else str(currency),
                *values,
                dump_json(dict(summary)),
            ],
        )
    finally:
        con.close()


def entries(settings: Settings, kind: str | None = None, last: int | None = None) -> list[Entry]:
    """Recorded runs, oldest first (optionally of one kind, and only the ``last`` N)."""
    path = history_path(settings)
    if not path.exists():
        return []
    con = _connect(path)
    try:
        where, params = ("WHERE kind = ?", [kind]) if kind else ("", [])
        rows = con.execute(
            f"SELECT * FROM runs {where} ORDER BY recorded_at DESC LIMIT ?",
            [*params, last if last else 2**62],
        ).fetchall()
    finally:
        con.close()
    return [_entry(row) for row in reversed(rows)]


def _entry(row: tuple[Any, ...]) -> Entry:
    when, kind, currency, cost, waste, savings, summary = row
    return Entry(
        when.replace(tzinfo=dt.UTC), kind, currency, cost, waste, savings, json.loads(summary)
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


def try_record(kind: str, summary: Mapping[str, object], settings: Settings) -> str | None:
    """:func:`record` unless ``settings.history`` is off; a warning to show if it failed.

    History is a convenience: a locked or unwritable file must not fail the scan or the
    optimisation that produced the summary.
    """
    if not settings.history:
        return None
    try:
        record(kind, summary, settings)
    except InputError as e:
        return f"history not recorded: {e.message}"
    return None
