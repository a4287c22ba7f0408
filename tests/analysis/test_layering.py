"""analysis/ reads billing data through billing/, never through a provider (issue #14)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import lepton_cli

SRC = Path(lepton_cli.__file__).parent


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_analysis_never_imports_a_provider():
    offenders = {
        f"{path.name}: {module}"
        for path in (SRC / "analysis").glob("*.py")
        for module in imported_modules(path)
        if module.startswith("lepton_cli.providers")
    }
    assert offenders == set()


def test_billing_never_imports_a_provider():
    offenders = {
        f"{path.name}: {module}"
        for path in (SRC / "billing").glob("*.py")
        for module in imported_modules(path)
        if module.startswith("lepton_cli.providers")
    }
    assert offenders == set()


def test_help_does_not_load_duckdb():
    code = "import sys, lepton_cli.cli.app; print('duckdb' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
