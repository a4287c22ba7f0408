"""Every hostile case: the expected exit code and words, never a traceback, never exit 1."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from lepton_cli.cli.app import app

HERE = Path(__file__).parent


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"hostile_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cases() -> list[object]:
    cases = []
    for path in sorted(HERE.glob("cases_*.py")):
        cases += _load(path).CASES
    ids = [c.id for c in cases]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, f"case ids used twice: {sorted(duplicates)}"
    return cases


CASES = _cases()


def _fill(text: str, tmp: Path) -> str:
    return text.replace("{tmp}", str(tmp))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile(case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name, content in case.files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(_fill(content, tmp_path), encoding="utf-8")
    if case.setup:
        case.setup(tmp_path)
    env = {k: _fill(v, tmp_path) for k, v in case.env.items()}
    env.setdefault("COLUMNS", "100")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(app, [_fill(a, tmp_path) for a in case.args])
    out = result.output
    assert result.exit_code != 1, f"exit 1 (internal error):\n{out}\n{result.exception!r}"
    assert "internal error" not in out, out
    if "--debug" not in case.args:  # --debug shows the traceback on purpose
        assert "Traceback" not in out, out
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == case.exit, f"exit {result.exit_code}, wanted {case.exit}:\n{out}"
    for word in case.words:
        assert word in out, f"{word!r} missing from:\n{out}"
    for word in case.absent:
        assert word not in out, f"{word!r} must not be shown:\n{out}"
    if case.after:
        case.after(tmp_path)
    if os.environ.get("HOSTILE_SHOW"):
        print(out)
