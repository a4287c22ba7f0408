"""Compiled DuckDB SQL kept under <cache_dir>/sql/: a repeated query runs without Ibis, the
cache never changes an answer, and a torn, foreign or unwritable cache is only a miss."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from focus_data import COLUMNS, rows, write_csv

from helpers import run
from lepton_cli.billing.compiled import Query, SqlCache
from lepton_cli.billing.engines import Engine
from lepton_cli.billing.query import Basis, aggregate, resource_costs
from lepton_cli.models import Period

MONTH = Period.month("2026-10")
REPORT = ("report", "--by", "service,region", "--format", "json")


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "sql").glob("*/*.json"))


def _lepton(cache: Path, cwd: Path, *args: str) -> tuple[str, list[str]]:
    """A fresh `lepton ARGS` process: its stdout and the modules it had imported at the end."""
    code = (
        "import sys\n"
        "sys.argv = ['lepton', *sys.argv[1:]]\n"
        "from lepton_cli.entry import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "sys.stderr.write('LOADED ' + ' '.join(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "LEPTON_CACHE_DIR": str(cache)}
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
        env=env,
    )
    return out.stdout, out.stderr.rpartition("LOADED ")[2].split()


def test_a_repeated_report_runs_its_cached_sql_without_ibis(tmp_path):
    path = write_csv(tmp_path / "f.csv", rows(n=200))
    cache = tmp_path / "cache"
    first, loaded_first = _lepton(cache, tmp_path, *REPORT, "--source", str(path))
    assert "ibis" in loaded_first
    stored = _entries(cache)
    assert len(stored) == 2  # the report and its pricing-currency totals
    second, loaded_second = _lepton(cache, tmp_path, *REPORT, "--source", str(path))
    assert second == first
    assert [m for m in loaded_second if m == "ibis" or m.startswith(("ibis.", "sqlglot"))] == []
    assert _entries(cache) == stored
    assert json.loads(second)["rows"], "the report has rows"


def test_cached_and_compiled_answers_are_the_same(tmp_path):
    path = write_csv(tmp_path / "f.csv", rows(n=400))
    cached = Engine(sql_cache=tmp_path / "sql")
    for _ in range(2):  # a miss that stores, then a hit
        for basis in Basis:
            found = aggregate([path], ["service", "month"], basis=basis, engine=cached)
            assert found == aggregate([path], ["service", "month"], basis=basis)
        assert resource_costs([path], MONTH, engine=cached) == resource_costs([path], MONTH)
    assert len(list((tmp_path / "sql").glob("*/*.json"))) == 4


def test_the_key_tells_every_argument_apart():
    keys = [
        Query.of("aggregate", ["service"], with_tags=False).key(),
        Query.of("aggregate", ["region"], with_tags=False).key(),
        Query.of("aggregate", ["service"], with_tags=True).key(),
        Query.of("aggregate", ["service"], with_tags=False, period=MONTH).key(),
        Query.of("aggregate", ["service"], with_tags=False, period=Period.month("2026-11")).key(),
        Query.of("aggregate", ["service"], with_tags=False, filters={"a": "b"}).key(),
        Query.of("aggregate", ["service"], with_tags=False, filters={"a": "c"}).key(),
        Query.of("resources", MONTH).key(),
        Query.of("resources", "2026-10-01").key(),
        Query.of("resources", dt.date(2026, 10, 1)).key(),
        Query.of("records", MONTH).key(),
    ]
    assert len({json.dumps(k, sort_keys=True) for k in keys}) == len(keys)
    same = Query.of("aggregate", ["service"], filters={"b": "1", "a": "2"}, with_tags=False)
    other = Query.of("aggregate", ["service"], with_tags=False, filters={"a": "2", "b": "1"})
    assert same.key() == other.key()
    with pytest.raises(TypeError):
        Query.of("aggregate", [object()]).key()


def test_a_query_that_cannot_be_keyed_is_compiled_and_not_stored(tmp_path):
    cache = SqlCache(tmp_path / "sql")
    query = Query.of("records", MONTH, {"service": object()})
    built: list[str] = []

    def table() -> object:
        built.append("table")
        raise LookupError("compiled, not looked up")

    with pytest.raises(LookupError):
        cache.compile(query, [("billed_cost", "DECIMAL(38,24)")], "duckdb", table)  # type: ignore[arg-type]
    assert built == ["table"]
    assert not (tmp_path / "sql").exists()


def test_files_of_another_shape_get_their_own_answers(tmp_path):
    optional = ("Tags", "SkuPriceDetails", "PricingCurrency", "PricingCurrencyEffectiveCost",
                "ChargeClass", "ListCost")  # fmt: skip
    full = write_csv(tmp_path / "full.csv", rows(n=300))
    narrow = tmp_path / "narrow.csv"
    with narrow.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, [c for c in COLUMNS if c not in optional], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows(seed=3, n=300))
    engine = Engine(sql_cache=tmp_path / "sql")
    for path in (full, narrow, full, narrow):
        for by in (["service"], ["service", "tag:team"]):
            assert aggregate([path], by, engine=engine) == aggregate([path], by)


@pytest.mark.parametrize("content", ["{not json", '{"sql": 5, "columns": []}', "[]", ""])
def test_a_torn_or_foreign_entry_is_a_miss_and_is_rewritten(tmp_path, content):
    path = write_csv(tmp_path / "f.csv", rows(n=100))
    engine = Engine(sql_cache=tmp_path / "sql")
    expected = aggregate([path], ["service"], engine=engine)
    for entry in (tmp_path / "sql").glob("*/*.json"):
        entry.write_text(content, encoding="utf-8")
    assert aggregate([path], ["service"], engine=engine) == expected
    for entry in (tmp_path / "sql").glob("*/*.json"):
        assert "sql" in json.loads(entry.read_text(encoding="utf-8"))


def test_an_unwritable_cache_warns_once_and_the_report_still_runs(tmp_path, monkeypatch, caplog):
    path = write_csv(tmp_path / "f.csv", rows(n=100))
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("LEPTON_CACHE_DIR", str(blocker))
    result = run(*REPORT, "--source", path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"]
    warned = [r.getMessage() for r in caplog.records if "cannot write the cache" in r.message]
    assert len(warned) == 1 and str(blocker) in warned[0]  # two queries stored nothing


def test_each_version_has_its_folder_and_long_unused_ones_are_pruned(tmp_path):
    from lepton_cli.billing.compiled import PRUNE_AFTER_DAYS, fingerprint

    path = write_csv(tmp_path / "f.csv", rows(n=50))
    folder = tmp_path / "sql"
    old, recent = folder / ("a" * 32), folder / ("b" * 32)
    for version in (old, recent):
        version.mkdir(parents=True)
        (version / "entry.json").write_text('{"sql": "SELECT 1", "columns": []}')
    other = folder / "notes.txt"  # not the cache's: left alone whatever its age
    other.write_text("mine")
    long_ago = dt.datetime.now().timestamp() - (PRUNE_AFTER_DAYS + 1) * 86_400
    for stale in (old, other):
        os.utime(stale, (long_ago, long_ago))

    aggregate([path], ["service"], engine=Engine(sql_cache=folder))

    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [fingerprint(), recent.name, other.name]
    )
    assert len(list((folder / fingerprint()).glob("*.json"))) == 1
    os.utime(recent, (long_ago, long_ago))  # a folder already there is not a new version:
    aggregate([path], ["region"], engine=Engine(sql_cache=folder))  # nothing is pruned
    assert recent.is_dir()
