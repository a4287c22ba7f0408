"""--format html: one self-contained, deterministic page; text from inputs stays text."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from html_pages import INVENTORY, lepton, make_pages

from helpers import vm, write_inventory
from lepton_cli.plan.io import load_plan
from lepton_cli.report.charts import lever_savings


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_pages(tmp_path_factory.mktemp("pages"))


def test_pages_load_nothing_from_a_network(pages: dict[str, Path]) -> None:
    for name, page in pages.items():
        text = page.read_text()
        assert text.startswith("<!DOCTYPE html>"), name
        assert text.count("<script") == 3, name  # plotly.js once, the data, the start-up
        markup = re.sub(r"<script.*?</script>", "", text, flags=re.S)
        assert not re.search(r"<(link|img|iframe|object)|src=|url\(", markup), name


def test_pages_are_byte_identical_for_the_same_inputs(pages: dict[str, Path]) -> None:
    again = lepton(
        "optimize", "--source", INVENTORY, "--budget", "8000", "--no-history", "-f", "html"
    )
    assert again.stdout == pages["optimize"].read_text()


def test_tables_are_there_without_javascript(pages: dict[str, Path]) -> None:
    without_scripts = re.sub(r"<script.*?</script>", "", pages["report"].read_text(), flags=re.S)
    assert "<table>" in without_scripts and "<noscript>" in without_scripts
    assert without_scripts.count("<tr>") >= 3


def test_the_waterfall_levers_sum_to_the_saving(pages: dict[str, Path]) -> None:
    plan = load_plan(pages["plan-show"].parent / "plan.yaml")
    levers = lever_savings(plan)
    assert sum(levers.values(), Decimal(0)) == plan.summary.monthly_savings
    assert plan.summary.monthly_savings > 0 and levers


def test_names_from_inputs_are_escaped(tmp_path: Path) -> None:
    idle = {"cpu_avg": 0.01, "cpu_p95": 0.01, "days": 14}
    hostile = vm("i-<script>alert(1)</script>", utilization=idle)
    inv = write_inventory(tmp_path / "inv.yaml", [hostile])
    page = lepton("scan", "--source", inv, "--no-history", "-f", "html")
    assert "idle-compute" in page.stdout
    assert page.returncode == 0, page.stderr
    assert "i-&lt;script&gt;alert(1)&lt;/script&gt;" in page.stdout
    assert "<script>alert(1)" not in page.stdout


@pytest.mark.parametrize(
    "command",
    [
        ("report", "--source", INVENTORY),
        ("scan", "--source", INVENTORY, "--no-history"),
        ("optimize", "--source", INVENTORY, "--budget", "8000", "--no-history"),
    ],
    ids=lambda c: c[0],
)
def test_html_writes_to_a_file_and_not_to_the_terminal(
    tmp_path: Path, command: tuple[str | Path, ...]
) -> None:
    target = tmp_path / "page.html"
    done = lepton(*command, "-f", "html", "-o", target)
    assert done.returncode == 0, done.stderr
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert done.stdout == ""  # a 5 MB page on a terminal helps nobody
