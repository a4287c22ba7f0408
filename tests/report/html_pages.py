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
    shown = lepton("plan", "show", plan, "-f", "json")
    (folder / "plan.json").write_text(shown.stdout, encoding="utf-8")
    return out


def plan_json(folder: Path) -> dict:
    return dict(json.loads((folder / "plan.json").read_text()))
