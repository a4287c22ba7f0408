"""History under concurrency: every writer keeps its row, and reading works during a write."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb

from lepton_cli.config import Settings
from lepton_cli.history import entries, history_path, record

WRITER = """
import sys
from pathlib import Path
from lepton_cli.config import Settings
from lepton_cli.history import record
settings = Settings(data_dir=Path(sys.argv[1]))
for i in range(int(sys.argv[2])):
    record("scan", {"monthly_cost": i, "writer": sys.argv[3]}, settings)
"""


def test_six_writers_at_once_keep_every_row(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), "5", str(n)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(6)
    ]
    errors = [p.communicate(timeout=180)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, errors
    got = entries(Settings(data_dir=tmp_path))
    assert len(got) == 30
    assert sorted({e.summary["writer"] for e in got}) == [str(n) for n in range(6)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.duckdb", "history.duckdb.lock"]


def test_writers_that_create_the_history_at_once_keep_every_row(tmp_path: Path) -> None:
    # Eight writers race to create the file, each with one row: all eight rows are kept.
    for trial in range(3):
        folder = tmp_path / str(trial)
        procs = [
            subprocess.Popen([sys.executable, "-c", WRITER, str(folder), "1", str(n)])
            for n in range(8)
        ]
        assert [p.wait(timeout=180) for p in procs] == [0] * 8
        got = entries(Settings(data_dir=folder))
        assert sorted(e.summary["writer"] for e in got) == [str(n) for n in range(8)]


HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("BEGIN")
con.execute("INSERT INTO runs (recorded_at, kind, summary) VALUES (now(), 'scan', '{}')")
print("holding", flush=True)
time.sleep(1.5)
con.execute("COMMIT")
con.close()
"""


def test_reading_while_another_process_holds_the_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    record("optimize", {"monthly_savings": 5}, settings)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(history_path(settings))],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    started = time.monotonic()
    got = entries(settings)  # waits for the lock instead of failing
    assert holder.wait(timeout=30) == 0
    assert [e.kind for e in got][:1] == ["optimize"] and time.monotonic() - started < 15


def test_foreign_runs_table_is_moved_aside(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    with duckdb.connect(str(history_path(settings))) as con:
        con.execute("CREATE TABLE runs (a INTEGER)")
    notes: list[str] = []
    record("scan", {"monthly_cost": 7}, settings, notes=notes)
    assert "moved it to" in notes[0]
    assert [e.cost for e in entries(settings)] == [7]
    assert len(list(tmp_path.glob("history.duckdb.*.bak"))) == 1


def test_older_schema_gains_its_missing_columns(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    with duckdb.connect(str(history_path(settings))) as con:
        con.execute("CREATE TABLE runs (recorded_at TIMESTAMP, kind VARCHAR, summary VARCHAR)")
        con.execute("INSERT INTO runs VALUES ('2026-01-01 00:00:00', 'scan', '{\"a\": 1}')")
    notes: list[str] = []
    record("scan", {"monthly_cost": 3}, settings, notes=notes)
    assert "added the columns" in notes[0]
    got = entries(settings)
    assert [(e.summary, e.cost) for e in got] == [({"a": 1}, None), ({"monthly_cost": 3}, 3)]
