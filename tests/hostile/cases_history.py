"""The history file: damaged, foreign or unwritable, it never fails a command."""

from __future__ import annotations

from hostile_case import Case, inv_files

ENV = {"LEPTON_DATA_DIR": "{tmp}/data"}

CASES: list[Case] = [
    Case(
        "history-garbage-file",
        ("history",),
        0,
        ("moved it",),
        {"data/history.duckdb": b"this is not a database"},
        env=ENV,
    ),
    Case(
        "history-garbage-file-scan",
        ("scan", "-s", "inv.yaml"),
        0,
        ("moved it",),
        inv_files() | {"data/history.duckdb": b"\x00" * 4096},
        env=ENV,
    ),
    Case("history-empty-file", ("history",), 0, (), {"data/history.duckdb": b""}, env=ENV),
    Case(
        "history-dir-in-place",
        ("scan", "-s", "inv.yaml"),
        0,
        ("history not recorded",),
        inv_files(),
        env=ENV,
        setup=lambda t: (t / "data" / "history.duckdb").mkdir(parents=True),
    ),
    Case("history-none-yet", ("history", "-f", "json"), 0, ('"runs": []',), env=ENV),
    Case("history-bad-kind", ("history", "--kind", "[/]"), 0, (), env=ENV),
]
