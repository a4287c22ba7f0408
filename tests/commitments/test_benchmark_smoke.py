"""benchmarks/commitments.py still runs (tiny sizes, nothing timed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "commitments.py"


def test_commitments_benchmark_prints_its_tables(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--scale-cases", "4x48:1e-4", "--groups", "3"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "| groups | hours |" in out.stdout and "optimum (exact LP/MILP)" in out.stdout
