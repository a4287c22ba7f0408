"""History: runs recorded in DuckDB under data_dir, read back oldest first, charted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from lepton_cli.config import Settings
from lepton_cli.errors import InputError
from lepton_cli.history import entries, history_path, record, sparkline


def _at(day: int) -> dt.datetime:
    return dt.datetime(2026, 10, day, 12, tzinfo=dt.UTC)


def test_record_and_read_back(tmp_path):
    s = Settings(data_dir=tmp_path / "data")
    record(
        "scan",
        {
            "monthly_cost": Decimal("1200.5"),
            "monthly_waste": 300,
            "currency": "USD",
            "resources": 12,
        },
        s,
        at=_at(1),
    )
    record("optimize", {"current_monthly_cost": "1100", "monthly_savings": "250.25"}, s, at=_at(2))
    record("scan", {"monthly_cost": 900}, s, at=_at(3))
    got = entries(s)
    assert [(e.kind, e.cost, e.waste, e.savings) for e in got] == [
        ("scan", Decimal("1200.50"), Decimal("300.00"), None),
        ("optimize", Decimal("1100.00"), None, Decimal("250.25")),
        ("scan", Decimal("900.00"), None, None),
    ]
    assert got[0].summary["resources"] == 12 and got[0].recorded_at == _at(1)
    assert [e.cost for e in entries(s, kind="scan", last=1)] == [Decimal("900.00")]
    with duckdb.connect(str(history_path(s))) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (3,)


def test_no_file_no_entries(tmp_path):
    assert entries(Settings(data_dir=tmp_path / "none")) == []


def test_unwritable_data_dir_is_an_input_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match="cannot open the history file") as e:
        record("scan", {}, Settings(data_dir=blocker / "sub"))
    assert "--no-history" in (e.value.hint or "")


def test_sparkline():
    assert sparkline([Decimal(1), Decimal(5), None, Decimal(9)]) == "▁▄ █"
    assert sparkline([]) == ""
