"""50 concurrent optimisations of the bundled example through `lepton serve` (loopback only).

Run: python benchmarks/serve.py [--requests 50] [--workers 2] [--timeout 600]

Starts a real `lepton serve` on 127.0.0.1, sends every POST /v1/optimize at once from a thread
each, polls until all are done (bounded by --timeout), and prints latency (POST to done) p50 and
p95, throughput, and the same optimisation run once with the CLI for comparison.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "server"))

from serve_fixture import ACME, LEPTON, env, server  # noqa: E402


def one(base: str, deadline: float) -> tuple[float, str]:
    started = time.monotonic()
    with httpx.Client(base_url=base, timeout=60) as client:
        answer = client.post("/v1/optimize", json={"source": "acme", "options": {"budget": 8000}})
        if answer.status_code != 202:
            return time.monotonic() - started, f"http {answer.status_code}"
        location = answer.headers["location"]
        while time.monotonic() < deadline:
            status = client.get(location).json()["status"]
            if status in ("done", "failed", "cancelled"):
                return time.monotonic() - started, status
            time.sleep(0.1)
    return time.monotonic() - started, "timeout"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    inventory = str(ACME / "inventory.yaml")
    t = time.monotonic()
    subprocess.run([LEPTON, "optimize", "--source", inventory, "--budget", "8000", "-f", "json",
                    "--no-history"], env=env(), capture_output=True, check=True)  # fmt: skip
    cli_seconds = time.monotonic() - t
    queue = str(args.requests)
    with server(
        "--workers", str(args.workers), "--max-queue", queue, "--source", f"acme={inventory}"
    ) as c:
        base, deadline = str(c.base_url), time.monotonic() + args.timeout
        t = time.monotonic()
        with ThreadPoolExecutor(args.requests) as pool:
            results = list(pool.map(lambda _: one(base, deadline), range(args.requests)))
        wall = time.monotonic() - t
    latencies = sorted(r[0] for r in results)
    done = sum(r[1] == "done" for r in results)
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    print("| requests | workers | done | wall s | p50 s | p95 s | plans/s | one CLI run s |")
    print("|---|---|---|---|---|---|---|---|")
    p50, rate = statistics.median(latencies), done / wall
    row = (args.requests, args.workers, done, f"{wall:.2f}", f"{p50:.2f}", f"{p95:.2f}",
           f"{rate:.2f}", f"{cli_seconds:.2f}")  # fmt: skip
    print("| " + " | ".join(str(v) for v in row) + " |")


if __name__ == "__main__":
    main()
