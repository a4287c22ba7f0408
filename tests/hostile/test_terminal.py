"""What only a real process shows: Ctrl-C, a closed pipe, a broken solver install, the
terminal width, and where DuckDB spills."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from lepton_cli.billing.engine import EngineOptions
from lepton_cli.cli.app import app

LEPTON = Path(sys.executable).with_name("lepton")
ACME = Path(__file__).parents[2] / "examples" / "acme" / "inventory.yaml"


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a test runner may have ignored it


@pytest.mark.parametrize("delay", [0.4, 0.9, 1.5, 2.2, 3.0])
def test_ctrl_c_is_130_and_leaves_nothing_half_written(tmp_path: Path, delay: float) -> None:
    proc = subprocess.Popen(
        [LEPTON, "optimize", "-s", ACME, "-o", "plan.yaml"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 130), err
    assert "Traceback" not in err and "internal error" not in err, err
    assert not list(tmp_path.glob(".*.tmp")), "a temp file was left behind"
    if proc.returncode == 130:  # silent only when it came while the arguments were parsed
        assert err.strip() == "" or err.strip().endswith("interrupted"), err
    plan = tmp_path / "plan.yaml"
    if proc.returncode == 0 or plan.exists():  # written whole, or not at all
        assert yaml.safe_load(plan.read_text())["kind"] == "Plan"


def test_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    read, write = os.pipe()
    os.close(read)  # like `lepton providers -f json | head -n 0`
    proc = subprocess.run(
        [LEPTON, "providers", "-f", "json"], stdout=write, stderr=subprocess.PIPE, text=True
    )
    os.close(write)
    assert proc.returncode == 141 and proc.stderr == ""


def test_broken_solver_install_is_an_install_error(tmp_path: Path) -> None:
    fake = tmp_path / "site"
    fake.mkdir()
    (fake / "highspy.py").write_text("raise ImportError('libhighs.so: cannot open shared file')\n")
    env = {**os.environ, "PYTHONPATH": str(fake)}
    proc = subprocess.run(
        [LEPTON, "optimize", "-s", ACME], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert proc.returncode == 2, proc.stderr
    assert "the highs solver is not usable: libhighs.so" in proc.stderr
    assert "pip install --force-reinstall highspy" in proc.stderr and "--solver" in proc.stderr


def test_plan_show_fits_80_columns_without_cutting_ids_or_money(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    runner = CliRunner()
    assert runner.invoke(app, ["optimize", "-s", str(ACME), "-o", "plan.yaml"]).exit_code == 0
    shown = runner.invoke(app, ["plan", "show", "plan.yaml"]).stdout
    assert max(len(line) for line in shown.splitlines()) <= 80
    plan = yaml.safe_load((tmp_path / "plan.yaml").read_text())
    for action in plan["actions"]:
        saving = f"{Decimal(str(action['monthly_saving'])).quantize(Decimal('0.01')):,}"
        assert action["id"] in shown and saving in shown
        if action.get("to", {}).get("type"):
            assert action["to"]["type"] in shown
    first = plan["actions"][0]
    detail = runner.invoke(app, ["plan", "show", "plan.yaml", "--action", first["id"]]).stdout
    assert first["reason"].split()[0] in detail and first["kind"] in detail


def test_piped_output_honours_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for width in ("60", "120"):
        monkeypatch.setenv("COLUMNS", width)
        out = CliRunner().invoke(app, ["catalog", "list", "--provider", "aws"]).stdout
        assert max(len(line) for line in out.splitlines()) <= int(width)


def test_duckdb_spills_into_a_private_folder() -> None:
    spill = EngineOptions().temp_directory
    assert not str(spill).startswith("/tmp/lepton")
    assert stat.S_IMODE(spill.parent.stat().st_mode) == 0o700
    assert spill.parent.stat().st_uid == os.getuid()
