"""--engine / LEPTON_ENGINE / lepton.yaml engine: choose where billing queries run."""

from __future__ import annotations

from focus_data import rows, write_csv

from helpers import run


def test_unknown_engine_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_csv(tmp_path / "f.csv", rows(n=20))
    result = run("--engine", "oracle-db", "report", "--source", path)
    assert result.exit_code == 2
    assert "unknown engine 'oracle-db'" in result.output
    assert "duckdb, spark, bigquery" in result.output


def test_engine_from_env_and_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_csv(tmp_path / "f.csv", rows(n=20))
    (tmp_path / "lepton.yaml").write_text("engine: trino\n")
    result = run("report", "--source", path)
    assert result.exit_code == 2 and "not --source files" in result.output  # trino reads a table
    monkeypatch.setenv("LEPTON_ENGINE", "duckdb")  # env beats the file
    result = run("report", "--source", path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"billed_cost"' in result.output
