"""Inventory loading benchmark: wall time and peak memory of reading large inventories.

Generates lepton/v1 inventories of about 50, 100 and 200 MB (YAML and JSON, resources drawn
with a seed) into a scratch folder outside the repository, then reads each in a fresh child
process two ways, side by side: the streaming read (`load_inventory_file`: resources and
workloads validated item by item) and the whole-tree read it replaced (the whole document
parsed, then validated), and runs `lepton scan --source FILE` on it. Each child reports its
own peak RSS; "models MiB" is the streaming peak less the interpreter's start-up peak, which
grows with the models only, while the whole-tree peak also holds the raw tree.

    python benchmarks/inventory.py                        # 50, 100, 200 MB
    python benchmarks/inventory.py --sizes 5,10           # smaller files (MB)
    python benchmarks/inventory.py --sizes 200 --no-old   # skip the whole-tree read
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import resource, sys, time
from pathlib import Path
path, how = Path(sys.argv[1]), sys.argv[2]
import lepton_cli.providers.file as f
from lepton_cli.fileio import validate
from lepton_cli.models import Inventory
start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
began = time.perf_counter()
if how == "stream":
    inv = f.load_inventory_file(path)
elif how == "tree":
    inv = validate(Inventory, f.read_inventory_data(path), str(path))
else:
    inv = None
seconds = time.perf_counter() - began
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
n = len(inv.resources) if inv else 0
print(seconds, start / 1024, peak / 1024, n)
"""


def resource_doc(rng: random.Random, i: int) -> dict[str, object]:
    return {
        "id": f"i-{i:08x}",
        "provider": "aws",
        "account": str(100000000000 + rng.randrange(50)),
        "region": rng.choice(["us-east-1", "us-west-2", "eu-west-1"]),
        "zone": "us-east-1a",
        "kind": "compute",
        "type": rng.choice(["m5.large", "m5.xlarge", "c6i.2xlarge", "r6g.large"]),
        "pricing": rng.choice(["on-demand", "spot", "reserved"]),
        "hourly_cost": round(rng.uniform(0.01, 2.0), 4),
        "vcpus": rng.choice([2, 4, 8]),
        "memory_gib": rng.choice([4, 8, 16, 32]),
        "utilization": {
            "cpu_avg": round(rng.random() / 2, 3),
            "cpu_p95": round(rng.random(), 3),
            "memory_p95": round(rng.random(), 3),
            "days": 14,
        },
        "state": "running",
        "tags": {"team": rng.choice(["pay", "web", "ml", "data"]), "workload": f"w{i % 997}"},
    }


def _yaml_item(r: dict[str, object]) -> str:
    """One resource as block YAML (written by hand: PyYAML would take longer than the read)."""
    u, t = r["utilization"], r["tags"]
    assert isinstance(u, dict) and isinstance(t, dict)
    lines = [f"- id: {r['id']}"]
    lines += [f"  {k}: {v!r}" if isinstance(v, str) and k == "account" else f"  {k}: {v}"
              for k, v in r.items() if k not in ("id", "utilization", "tags")]  # fmt: skip
    lines.append("  utilization: {" + ", ".join(f"{k}: {v}" for k, v in u.items()) + "}")
    lines.append("  tags: {" + ", ".join(f"{k}: {v}" for k, v in t.items()) + "}")
    return "\n".join(lines) + "\n"


def generate(path: Path, megabytes: float, seed: int) -> int:
    """Write an inventory of about ``megabytes`` MB; returns its resource count."""
    rng = random.Random(seed)
    target, i = megabytes * 1e6, 0
    with path.open("w", encoding="utf-8") as fh:
        if path.suffix == ".json":
            fh.write('{"apiVersion": "lepton/v1", "kind": "Inventory", "currency": "USD",\n')
            fh.write(' "resources": [\n')
            while fh.tell() < target:
                fh.write(("" if i == 0 else ",\n") + json.dumps(resource_doc(rng, i)))
                i += 1
            fh.write("\n]}\n")
        else:
            fh.write("apiVersion: lepton/v1\nkind: Inventory\ncurrency: USD\nresources:\n")
            while fh.tell() < target:
                fh.write(_yaml_item(resource_doc(rng, i)))
                i += 1
    return i


def child(path: Path, how: str) -> tuple[float, float, float]:
    """(seconds, start-up MiB, peak MiB) of reading ``path`` in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), how],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"{how} read of {path} failed:\n{out.stderr[-2000:]}")
    seconds, start, peak, _ = out.stdout.split()
    return float(seconds), float(start), float(peak)


def scan(path: Path) -> tuple[float, float]:
    """(seconds, peak MiB) of `lepton scan --source FILE` (its table to /dev/null)."""
    lepton = Path(sys.executable).with_name("lepton")
    began = time.perf_counter()
    with subprocess.Popen(
        [str(lepton), "-q", "scan", "--source", str(path)], stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    ) as proc:  # fmt: skip
        _, rusage = os.wait4(proc.pid, 0)[1:]
    return time.perf_counter() - began, rusage.ru_maxrss / 1024


HEAD = ["file", "MB", "resources", "stream s", "stream MiB", "models MiB", "tree s",
        "tree MiB", "tree/stream", "scan s", "scan MiB"]  # fmt: skip


def row(path: Path, n: int, old: bool, with_scan: bool) -> list[str]:
    s_sec, base, s_peak = child(path, "stream")
    t_sec, t_peak = child(path, "tree")[::2] if old else (float("nan"), float("nan"))
    c_sec, c_peak = scan(path) if with_scan else (float("nan"), float("nan"))
    mb = path.stat().st_size / 1e6
    return [path.suffix[1:], f"{mb:.0f}", f"{n:,}", f"{s_sec:.1f}", f"{s_peak:,.0f}",
            f"{s_peak - base:,.0f}", f"{t_sec:.1f}", f"{t_peak:,.0f}",
            f"{t_peak / s_peak:.2f}" if old else "-", f"{c_sec:.1f}", f"{c_peak:,.0f}"]  # fmt: skip


def table(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [HEAD, *rows]) for i in range(len(HEAD))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(HEAD, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="50,100,200", help="file sizes in MB, comma-separated")
    parser.add_argument("--formats", default="yaml,json")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-old", action="store_true", help="skip the whole-tree read")
    parser.add_argument("--no-scan", action="store_true", help="skip `lepton scan`")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="lepton-inventory-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[list[str]] = []
    try:
        for size in (float(s) for s in args.sizes.split(",")):
            for fmt in args.formats.split(","):
                path = folder / f"inventory-{size:g}mb.{fmt}"
                n = generate(path, size, args.seed)
                rows.append(row(path, n, not args.no_old, not args.no_scan))
                table(rows) if len(rows) == 1 else print("| " + " | ".join(rows[-1]) + " |")
                path.unlink()
    finally:
        if not args.keep and args.data_dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\n{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
