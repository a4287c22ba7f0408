"""The command line as a whole: help with examples, docs, version, lazy SDK imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer

from helpers import run
from lepton_cli import __version__
from lepton_cli.cli.app import app

ROOT = Path(__file__).resolve().parents[2]


def _commands(group: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    command = typer.main.get_command(group)
    out: list[tuple[str, ...]] = []

    def walk(cmd: object, path: tuple[str, ...]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, (*path, name))
        else:
            out.append(path)

    walk(command, prefix)
    return out


def test_every_command_has_help_with_an_example_and_a_readme_mention():
    readme = (ROOT / "README.md").read_text()
    commands = _commands(app)
    assert ("scan",) in commands and ("report",) in commands
    for path in commands:
        result = run(*path, "--help")
        assert result.exit_code == 0, path
        assert "Example:" in result.stdout, f"lepton {' '.join(path)} --help has no example"
        assert f"lepton {' '.join(path)}" in readme, f"README does not mention {path}"


def test_version():
    assert run("--version").stdout.strip() == f"lepton {__version__}"


def test_help_imports_no_cloud_sdk_solver_or_database():
    code = (
        "import sys\n"
        "from lepton_cli.cli.app import app\n"
        "try:\n    app(['--help'], prog_name='lepton')\nexcept SystemExit:\n    pass\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'azure', "
        "'google', 'googleapiclient', 'pulp', 'highspy', 'duckdb')]\n"
        "print('LOADED', bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "LOADED []" in out.stdout


def test_unexpected_error_is_a_message_not_a_traceback(tmp_path):
    bad = tmp_path / "inv.yaml"
    bad.write_bytes(b"\xff\xfe\x00binary")
    result = run("scan", "-s", bad)
    assert result.exit_code == 3
    assert "not UTF-8" in result.stderr and "Traceback" not in result.output
