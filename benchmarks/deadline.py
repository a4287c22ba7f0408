"""Deadline benchmark: does `lepton optimize --time-limit T -o plan.yaml` return in time?

Writes all-distinct fleets (benchmarks/fleets.py `distinct_fleet`, seeded) of 5,000, 20,000
and 100,000 workloads as lepton/v1 JSON inventories into a scratch folder, runs the real
console script on each as a subprocess (lepton's bytecode compiled, as when installed:
benchmarks/installed.py) and prints its wall time (start-up included) against
the promise 1.1 x T + 2 s, its peak RSS, and the written plan's status, bound and gap.

    python benchmarks/deadline.py                          # 5k, 20k, 100k at --time-limit 20
    python benchmarks/deadline.py --sizes 5000 --time-limit 10
    python benchmarks/deadline.py --time-limit 20,60       # every size at each limit
    python benchmarks/deadline.py --scale 0.01             # 1% of every size (a quick look)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))

from fleets import distinct_fleet
from installed import installed_env
from lepton_cli.pricing.catalog import bundled_catalog

HEAD = ["workloads", "T s", "wall s", "1.1T+2 s", "within", "peak MiB", "status", "bound",
        "gap", "proven/cut/fallback"]  # fmt: skip


def write_fleet(path: Path, n: int, seed: int) -> None:
    workloads = distinct_fleet(n, seed, list(bundled_catalog().offerings))
    doc = {
        "apiVersion": "lepton/v1",
        "kind": "Inventory",
        "currency": "USD",
        "resources": [],
        "workloads": [w.model_dump(mode="json", exclude_defaults=True) for w in workloads],
    }
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")


def run(inventory: Path, plan: Path, limit: float, env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, peak MiB, exit code) of the real command, run in ``env``."""
    lepton = Path(sys.executable).with_name("lepton")
    cmd = [str(lepton), "-q", "optimize", "--source", str(inventory), "--time-limit",
           f"{limit:g}", "-o", str(plan)]  # fmt: skip
    began = time.perf_counter()
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env) as proc:
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - began
        err = proc.stderr.read().decode() if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 6, 10):
        raise SystemExit(f"exit {code}:\n{err[-2000:]}")
    return wall, rusage.ru_maxrss / 1024, code


def solver_record(plan: Path) -> dict[str, object]:
    with plan.open(encoding="utf-8") as fh:  # the solver record is near the top
        head = "".join(line for _, line in zip(range(40), fh, strict=False))
    doc = yaml.safe_load(head.split("\nsummary:")[0])
    record: dict[str, object] = doc["solver"]
    return record


def row(n: int, limit: float, folder: Path, seed: int, env: dict[str, str]) -> list[str]:
    inventory, plan = folder / f"fleet-{n}.json", folder / f"plan-{n}.yaml"
    if not inventory.exists():
        write_fleet(inventory, n, seed)
    wall, peak, _ = run(inventory, plan, limit, env)
    s = solver_record(plan)
    promise = 1.1 * limit + 2
    counts = f"{s.get('proven_optimal')}/{s.get('cut_by_limit')}/{s.get('on_fallback')}"
    return [f"{n:,}", f"{limit:g}", f"{wall:.1f}", f"{promise:.1f}",
            "yes" if wall <= promise else "NO", f"{peak:,.0f}", str(s.get("status")),
            str(s.get("bound")), str(s.get("gap")), counts]  # fmt: skip


def table(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [HEAD, *rows]) for i in range(len(HEAD))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(HEAD, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="5000,20000,100000", help="fleet sizes")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of every size")
    parser.add_argument("--time-limit", default="20", help="seconds; a comma list for several")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lepton-deadline-bench-"))
    rows: list[list[str]] = []
    env = installed_env()
    try:
        limits = [float(t) for t in args.time_limit.split(",")]
        for n in (max(1, int(int(s) * args.scale)) for s in args.sizes.split(",")):
            for limit in limits:
                rows.append(row(n, limit, folder, args.seed, env))
                table(rows)
            print(f"(load average {os.getloadavg()[0]:.1f})")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\n{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
