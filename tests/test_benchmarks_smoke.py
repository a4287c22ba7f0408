"""The benchmark scripts still run (tiny sizes, nothing timed): a rename cannot break them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize(
    ("script", "args", "header"),
    [
        ("optimizer.py", ["--scale", "0.002", "--one-by-one", "5"], "greedy/plan"),
        ("ingest.py", ["--rows", "2000"], "| report | 2,000 |"),
        (
            "ingest.py",
            ["--engines", "--engine-names", "duckdb", "--rows", "2000", "--data-dir", "bench"],
            "| lepton report (duckdb) | 2,000 |",
        ),
        ("aws_scan.py", ["--instances", "6", "--regions", "1"], "DescribeInstances"),
        ("inventory.py", ["--sizes", "0.05", "--no-scan"], "| tree/stream |"),
        ("deadline.py", ["--sizes", "20", "--time-limit", "5"], "| 1.1T+2 s |"),
        ("sweep.py", ["--scale", "0.01", "--points", "3"], "max perf diff"),
    ],
)
def test_benchmark_runs_and_prints_its_table(script, args, header, tmp_path):
    out = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert header in out.stdout
