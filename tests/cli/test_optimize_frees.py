"""`lepton optimize` leaves nothing of its fleet alive once it returns: on 100,000 workloads
a plan kept alive until exit is seconds of freeing (and the garbage collector's scans) at the
end of every run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).parents[2] / "examples" / "acme" / "inventory.yaml"

# A fresh interpreter: PuLP must be imported for the first time inside the command, as in the
# console script (what PuLP keeps from its import held the command's frame, and so its locals).
PROBE = """
import gc, sys
from lepton_cli.cli.app import app
try:
    app(["-q", "optimize", "-s", sys.argv[1], "-o", sys.argv[2]], prog_name="lepton")
except SystemExit as e:
    assert e.code in (0, None), e.code
alive = sorted({type(o).__name__ for o in gc.get_objects()} & {"Plan", "Solution", "Inventory",
               "WorkloadSolution", "WorkloadProblem", "Action"})
print(",".join(alive) or "none")
"""


def test_an_optimize_run_frees_its_fleet_and_plan(tmp_path: Path) -> None:
    out = tmp_path / "plan.yaml"
    run = subprocess.run(
        [sys.executable, "-c", PROBE, str(EXAMPLE), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert out.exists()  # the command ran and wrote its plan
    assert run.stdout.strip().splitlines()[-1] == "none"
