"""Golden output of each renderer on the Acme example: review changes as diffs.

Rewrite with `pytest tests/cli/test_golden.py --update-golden` after an intended change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import run

ACME = Path(__file__).resolve().parents[2] / "examples" / "acme"


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793491200")  # 2026-11-01T00:00:00Z
    monkeypatch.setenv("COLUMNS", "160")


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("scan.txt", ["scan", "-s", ACME / "inventory.yaml", "--no-history"]),
        ("scan.csv", ["scan", "-s", ACME / "inventory.yaml", "-f", "csv", "--no-history"]),
        (
            "report-focus.md",
            [
                "report",
                "-s",
                ACME / "focus-2026-10.csv",
                "--by",
                "provider,service",
                "-f",
                "markdown",
            ],
        ),
        (
            "report-inventory.json",
            ["report", "-s", ACME / "inventory.yaml", "--by", "tag:team", "-f", "json"],
        ),
        (
            "plan.md",
            [
                "optimize",
                "-s",
                ACME / "inventory.yaml",
                "--budget",
                "8000",
                "-f",
                "markdown",
                "--no-history",
            ],
        ),
        ("plan.yaml", ["optimize", "-s", ACME / "inventory.yaml", "-f", "yaml", "--no-history"]),
    ],
)
def test_renderer_output_matches_golden(cli, golden, name, args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    golden(name, result.stdout)
