"""The command line as a whole: help with examples, docs, version, lazy SDK imports."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import typer

from helpers import run
from lepton_cli import __version__
from lepton_cli.cli.app import COMMANDS, app, module_commands

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


def test_the_command_table_is_what_the_modules_register_in_help_order():
    eager = typer.Typer()
    for module in dict.fromkeys(COMMANDS.values()):
        importlib.import_module(f"lepton_cli.cli.{module}").register(eager)
    assert list(typer.main.get_group(eager).commands) == list(COMMANDS)
    for name, module in COMMANDS.items():
        assert name in module_commands(module), (name, module)


def _loaded_after(*args: str) -> list[str]:
    """The modules a fresh `lepton ARGS` process has imported when it ends."""
    code = (
        "import sys\n"
        "sys.argv = ['lepton', *sys.argv[1:]]\n"
        "from lepton_cli.entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('LOADED ' + ' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return out.stderr.rpartition("LOADED ")[2].split()


def _under(modules: list[str], *packages: str) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in packages)]


OTHER_COMMANDS = ("lepton_cli.cli.optimize", "lepton_cli.cli.scan", "lepton_cli.cli.plan",
                  "lepton_cli.plan", "lepton_cli.pricing", "lepton_cli.optimizer",
                  "lepton_cli.commitments")  # fmt: skip


def test_help_imports_no_cloud_sdk_solver_or_database():
    loaded = _loaded_after("--help")
    assert "lepton_cli.cli.app" in loaded
    sdks = ("boto3", "botocore", "azure", "google", "googleapiclient", "pulp", "highspy", "duckdb")
    assert _under(loaded, *sdks) == []


def test_a_command_loads_only_its_own_module():
    loaded = _loaded_after("report", "--help")
    assert "lepton_cli.cli.report" in loaded
    assert _under(loaded, *OTHER_COMMANDS, "ibis", "duckdb", "pyarrow", "plotly", "jinja2") == []


def test_a_focus_report_loads_no_other_command_no_cloud_provider_and_no_renderer():
    loaded = _loaded_after("report", "-s", "examples/acme/focus-2026-10.csv", "--by", "service")
    assert "lepton_cli.billing.query" in loaded
    unwanted = ("lepton_cli.providers.aws", "lepton_cli.providers.azure",
                "lepton_cli.providers.gcp", "pyarrow", "plotly", "jinja2")  # fmt: skip
    assert _under(loaded, *OTHER_COMMANDS, *unwanted) == []


def test_unexpected_error_is_a_message_not_a_traceback(tmp_path):
    bad = tmp_path / "inv.yaml"
    bad.write_bytes(b"\xff\xfe\x00binary")
    result = run("scan", "-s", bad)
    assert result.exit_code == 3
    assert "not UTF-8" in result.stderr and "Traceback" not in result.output


PLUGIN = """
class Plugin:
    def new_schema_validator(self, *args, **kwargs):
        with open({marker!r}, "a") as f:
            f.write("validator\\n")
        return None, None, None

plugin = Plugin()
"""


def test_pydantic_plugins_installed_beside_lepton_are_not_loaded_unless_asked(tmp_path):
    """A Pydantic plugin (found through every package's entry points) is not loaded into
    lepton's models; PYDANTIC_DISABLE_PLUGINS set by the user, even empty, is obeyed."""
    site = tmp_path / "site"
    (site / "fakeplugin-0.1.dist-info").mkdir(parents=True)
    (site / "fakeplugin-0.1.dist-info" / "METADATA").write_text("Name: fakeplugin\nVersion: 0.1\n")
    (site / "fakeplugin-0.1.dist-info" / "entry_points.txt").write_text(
        "[pydantic]\nfake = fakeplugin:plugin\n"
    )
    marker = tmp_path / "loaded.txt"
    (site / "fakeplugin.py").write_text(PLUGIN.format(marker=str(marker)))
    code = "import sys; sys.argv = ['lepton', 'plan', 'show', '--help']\n"
    code += "from lepton_cli.entry import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
    code += "from lepton_cli.config import load_settings; load_settings()\n"
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    env["PYTHONPATH"] = str(site)
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    assert not marker.exists()
    env["PYDANTIC_DISABLE_PLUGINS"] = ""  # the user's own choice: plugins on
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    assert marker.read_text().count("validator") > 0
