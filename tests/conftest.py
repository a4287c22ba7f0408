"""Shared fixtures: every test runs with its own config, cache and data folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's lepton.yaml, cache or history, or a stray LEPTON_* var,
    or sees the billing engine an earlier in-process command selected."""
    from lepton_cli.billing import engines

    engines.select(engines.Engine())
    home = tmp_path_factory.mktemp("home")
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    for var in list(os.environ):
        if var.startswith("LEPTON_") and var != "LEPTON_CORPUS":
            monkeypatch.delenv(var)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("COLUMNS", raising=False)  # piped output honours it: keep tests stable


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    """A runner in a fresh working directory (so no ./lepton.yaml is picked up by accident)."""
    monkeypatch.chdir(tmp_path)
    yield CliRunner()


@pytest.fixture
def corpus() -> Path:
    root = os.environ.get("LEPTON_CORPUS")
    if not root:
        pytest.skip("LEPTON_CORPUS is not set")
    return Path(root)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/* from the current output (review the diff before committing)",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> object:
    """``golden(name, text)``: compare with tests/golden/<name>, or rewrite it on request."""
    update = request.config.getoption("--update-golden")
    folder = Path(__file__).parent / "golden"

    def check(name: str, text: str) -> None:
        path = folder / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"no golden file {path}: run pytest --update-golden"
        assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"

    return check
