"""Ingest benchmark: `lepton report --by service,region` on generated FOCUS exports.

Generates FOCUS 1.2 CSVs of 1M and 10M rows (20 columns, realistic values, written by DuckDB
itself) into a scratch folder outside the repository, then runs the `lepton` console script of
this interpreter's environment on each and prints wall time and peak memory (RSS of the child).

    python benchmarks/ingest.py                     # 1M and 10M rows
    python benchmarks/ingest.py --rows 1000000      # one size
    python benchmarks/ingest.py --data-dir /scratch --keep --scan --repeat 3

Targets (a 2-core machine): 1M rows <= 2 s and <= 1 GiB; 10M rows <= 15 s, memory flat, with
every row checked (strict dates, charge spans, currencies), months on the billing basis and
money summed as DECIMAL(38, 24). ``--snapshots`` also times a folder holding the same export as
two month-to-date deliveries (the second supersedes the first: counted once).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

TARGETS = {1_000_000: (2.0, 1024.0), 10_000_000: (15.0, 1024.0)}  # seconds, MiB

# One row per charge: hourly usage of ~20k resources over October 2026, in the shape of a
# real FOCUS export (quoted strings, 10-decimal costs, JSON tags, RFC 3339 timestamps).
GENERATOR = """
COPY (
  WITH base AS (
    SELECT i, i % 20000 AS r, i % 744 AS h, CAST(hash(i) % 1000000007 AS BIGINT) AS x
    FROM range({rows}) t(i)
  )
  SELECT
    printf('%.10f', (x % 100000) / 100000.0 * 0.9 * (CASE WHEN x % 50 = 0 THEN -1 ELSE 1 END))
      AS BilledCost,
    printf('%.10f', (x % 100000) / 100000.0 * 0.8) AS EffectiveCost,
    printf('%.10f', (x % 100000) / 100000.0) AS ListCost,
    'USD' AS BillingCurrency,
    ['111122223333', '222233334444', '333344445555'][r % 3 + 1] AS BillingAccountId,
    printf('%012d', 100000000000 + r % 40) AS SubAccountId,
    '2026-10-01T00:00:00Z' AS BillingPeriodStart,
    '2026-11-01T00:00:00Z' AS BillingPeriodEnd,
    strftime(TIMESTAMP '2026-10-01' + INTERVAL (h) HOUR, '%Y-%m-%dT%H:%M:%SZ') AS ChargePeriodStart,
    strftime(TIMESTAMP '2026-10-01' + INTERVAL (h + 1) HOUR, '%Y-%m-%dT%H:%M:%SZ')
      AS ChargePeriodEnd,
    CASE WHEN x % 50 = 0 THEN 'Credit' ELSE 'Usage' END AS ChargeCategory,
    ['Standard', 'Standard', 'Committed', 'Dynamic'][x % 4 + 1] AS PricingCategory,
    ['AWS', 'Microsoft', 'Google Cloud'][r % 3 + 1] AS ProviderName,
    ['us-east-1', 'eu-west-1', 'westeurope', 'eastus', 'us-central1', 'europe-west4']
      [r % 6 + 1] AS RegionId,
    printf('res-%06d', r) AS ResourceId,
    ['Virtual Machine', 'Disk', 'Bucket', 'Load Balancer'][r % 4 + 1] AS ResourceType,
    ['Compute', 'Storage', 'Storage', 'Networking'][r % 4 + 1] AS ServiceCategory,
    ['Amazon EC2', 'Amazon EBS', 'Amazon S3', 'Elastic Load Balancing', 'Virtual Machines',
     'Storage', 'Compute Engine', 'Cloud Storage', 'Cloud SQL', 'Azure SQL Database']
      [r % 10 + 1] AS ServiceName,
    printf('SKU-%04d', r % 500) AS SkuId,
    printf('{{"team": "%s", "env": "%s"}}', ['payments', 'search', 'data', 'web'][r % 4 + 1],
           ['prod', 'dev'][r % 2 + 1]) AS Tags
  FROM base
) TO '{path}' (FORMAT csv, HEADER, FORCE_QUOTE *)
"""


COMMANDS = {
    "report": ["report", "--by", "service,region", "--format", "json"],
    "report --period": ["report", "--by", "service", "--period", "2026-10", "--format", "json"],
    "scan": ["scan", "--format", "json"],  # per-resource inventory + findings (no target)
}


@dataclass(frozen=True)
class Result:
    command: str
    rows: int
    size_mib: float
    seconds: float
    peak_mib: float
    cpu_seconds: float = 0.0  # user + system of the child: what contention does not inflate


def generate(path: Path, rows: int) -> None:
    """Write a FOCUS CSV of ``rows`` rows at ``path`` (skipped when it already exists)."""
    if path.exists():
        return
    tmp = path.with_suffix(".tmp")
    con = duckdb.connect()
    con.execute(GENERATOR.format(rows=rows, path=str(tmp).replace("'", "''")))
    con.close()
    tmp.rename(path)


def lepton() -> Path:
    """The console script installed next to this interpreter."""
    return Path(sys.executable).parent / "lepton"


def snapshots(path: Path, rows: int) -> Path:
    """A folder with the export twice: a mid-month delivery (first half of the rows, older)
    and the whole month (newer), as month-to-date exports accumulate."""
    folder = path.parent / f"snapshots-{rows}"
    if folder.exists():
        return folder
    folder.mkdir()
    early = folder / "focus-2026-10-15.csv"
    with path.open("rb") as src, early.open("wb") as dst:
        for i, line in enumerate(src):
            if i > rows // 2:
                break
            dst.write(line)
    os.utime(early, (1_000_000, 1_000_000))
    os.link(path, folder / "focus-2026-10-31.csv")
    return folder


def run(command: str, path: Path, rows: int) -> Result:
    """Time one `lepton <command>` run; peak RSS is the child's own (os.wait4 rusage)."""
    cmd = [str(lepton()), *COMMANDS[command], "--source", str(path)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.read().decode()}")
        out.seek(0)
        json.loads(out.read())  # the run must have produced a whole JSON document
    # ru_maxrss is in KiB on Linux.
    size = sum(p.stat().st_size for p in ([path] if path.is_file() else path.iterdir()))
    cpu = usage.ru_utime + usage.ru_stime
    return Result(command, rows, size / 2**20, seconds, usage.ru_maxrss / 1024, cpu)


def table(results: list[Result]) -> str:
    lines = [
        "| command | rows | CSV MiB | wall s | CPU s | peak RSS MiB | target | ok |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        limits = TARGETS.get(r.rows) if r.command.startswith("report") else None
        ok = "-" if limits is None else _ok(r.seconds <= limits[0] and r.peak_mib <= limits[1])
        target = "-" if limits is None else f"<= {limits[0]:g} s, <= {limits[1]:g} MiB"
        lines.append(
            f"| {r.command} | {r.rows:,} | {r.size_mib:,.0f} | {r.seconds:.2f} | "
            f"{r.cpu_seconds:.2f} | {r.peak_mib:,.0f} | {target} | {ok} |"
        )
    return "\n".join(lines)


def _ok(passed: bool) -> str:
    return "yes" if passed else "NO"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "lepton-bench"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated CSVs")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (best is shown)")
    parser.add_argument("--scan", action="store_true", help="also time `lepton scan`")
    parser.add_argument(
        "--snapshots", action="store_true", help="also time a folder of two deliveries"
    )
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for rows in sorted(args.rows):
            path = args.data_dir / f"focus-{rows}.csv"
            started = time.perf_counter()
            generate(path, rows)
            print(f"{rows:,} rows ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            commands = ["report", "report --period", *(["scan"] if args.scan else [])]
            for command in commands:
                runs = [run(command, path, rows) for _ in range(args.repeat)]
                results.append(min(runs, key=lambda r: r.seconds))
            if args.snapshots:
                folder = snapshots(path, rows)
                runs = [run("report", folder, rows) for _ in range(args.repeat)]
                best = min(runs, key=lambda r: r.seconds)
                results.append(Result("report (2 deliveries)", *dataclasses.astuple(best)[1:]))
    finally:
        if not args.keep:
            shutil.rmtree(args.data_dir, ignore_errors=True)
    print(f"cpus: {os.cpu_count()}, python {sys.version.split()[0]}, duckdb {duckdb.__version__}")
    print(table(results))


if __name__ == "__main__":
    main()
