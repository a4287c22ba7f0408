"""The HTML pages of the example, made with the real CLI (shared by the HTML tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "examples" / "acme"
INVENTORY = ACME / "inventory.yaml"
FOCUS = ACME / "focus-2026-10.csv"
LEPTON = str(Path(sys.executable).parent / "lepton")
EPOCH = "1790000000"


def lepton(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_COLOR": "1"}
    cmd = [LEPTON, "-q", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def make_pages(folder: Path) -> dict[str, Path]:
    """Every page kind for the example, plus the plans they came from (plan.json, cheap.json)."""
    plan, cheap = folder / "plan.yaml", folder / "cheap.yaml"
    for target, budget in ((plan, "8000"), (cheap, "20000")):
        done = lepton("optimize", "--source", INVENTORY, "--budget", budget, "-o", target,
                      "--no-history")  # fmt: skip
        assert done.returncode == 0, done.stderr
    pages = {
        "optimize": ("optimize", "--source", INVENTORY, "--budget", "8000", "--no-history"),
        "plan-show": ("plan", "show", plan),
        "plan-diff": ("plan", "diff", cheap, plan),
        "report": ("report", "--source", FOCUS, "--by", "service,region"),
        "scan": ("scan", "--source", INVENTORY, "--no-history"),
    }
    out = {}
    for name, args in pages.items():
        done = lepton(*args, "-f", "html")
        assert done.returncode == 0, (name, done.stderr)
        out[name] = folder / f"{name}.html"
        out[name].write_text(done.stdout, encoding="utf-8")
    out["budget"] = _budget_page(folder)
    out["sweep"] = folder / "sweep.html"
    done = lepton("optimize", "--source", INVENTORY, "--sweep", SWEEP, "-f", "html")
    assert done.returncode == 0, done.stderr
    out["sweep"].write_text(done.stdout, encoding="utf-8")
    shown = lepton("plan", "show", plan, "-f", "json")
    (folder / "plan.json").write_text(shown.stdout, encoding="utf-8")
    return out


def plan_json(folder: Path) -> dict:
    return dict(json.loads((folder / "plan.json").read_text()))


SWEEP = "5500:5800:50"
BUDGETS = """budgets:
  - {name: acme-total, amount: 9000, scope: total}
  - {name: payments, amount: 2500, scope: tag:team=payments}
"""
CUT = "2026-10-21"  # the export as it stood on the 21st: a forecast with days still to come


def partial_focus(folder: Path) -> Path:
    """The example's FOCUS export cut to the charges before ``CUT``."""
    lines = FOCUS.read_text(encoding="utf-8").splitlines(keepends=True)
    head = lines[0].split(",")
    start = head.index("ChargePeriodStart")
    import csv

    rows = list(csv.reader(lines))
    kept = [lines[0]] + [
        line for line, row in zip(lines[1:], rows[1:], strict=True) if row[start] < CUT
    ]
    out = folder / "focus-partial.csv"
    out.write_text("".join(kept), encoding="utf-8")
    return out


def _budget_page(folder: Path) -> Path:
    (folder / "lepton.yaml").write_text(BUDGETS, encoding="utf-8")
    done = lepton("budget", "status", "--source", partial_focus(folder), "-f", "html", cwd=folder)
    assert done.returncode == 0, done.stderr
    page = folder / "budget.html"
    page.write_text(done.stdout, encoding="utf-8")
    return page
