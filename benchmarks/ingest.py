"""Ingest benchmark: `lepton report --by service,region` on generated FOCUS exports.

Generates FOCUS 1.2 CSVs of 1M and 10M rows (20 columns, realistic values, written by DuckDB
itself) into a scratch folder outside the repository, then runs the `lepton` console script of
this interpreter's environment on each and prints wall time and peak memory (RSS of the child).

    python benchmarks/ingest.py                     # 1M and 10M rows
    python benchmarks/ingest.py --rows 1000000      # one size
    python benchmarks/ingest.py --data-dir /scratch --keep --scan --repeat 3
    python benchmarks/ingest.py --engines --rows 10000000   # Parquet: duckdb vs spark vs raw
    python benchmarks/ingest.py --engines --engine-names duckdb --rows 100000000 --keep

Targets (a 2-core machine): 1M rows <= 2 s and <= 1 GiB; 10M rows <= 15 s, memory flat, with
every row checked (strict dates, charge spans, currencies), months on the billing basis and
money summed as DECIMAL(38, 24). ``--snapshots`` also times a folder holding the same export as
two month-to-date deliveries (the second supersedes the first: counted once).

``--engines`` writes the export as Parquet and times `lepton report --by service,region` on
each engine beside the raw engine running the query by hand, twice: summing only, and with
the same guarantees lepton gives (every date parsed, empty dates and backwards spans fail the
query, money DECIMAL(38, 24)): the floor lepton's overhead is measured against (target
<= +10%). Targets for DuckDB at 100M rows: <= 60 s and <= 2 GiB.
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

sys.path.insert(0, str(Path(__file__).parent))

from installed import installed_env

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
    _write_in_child(GENERATOR.format(rows=rows, path=str(tmp).replace("'", "''")))
    tmp.rename(path)


def _write_in_child(sql: str) -> None:
    """Run DuckDB's ``sql`` in a child process: a child forked later inherits this process's
    peak RSS as its own starting peak, so generating here would inflate every measured peak."""
    code = (
        "import sys, duckdb; con = duckdb.connect(); "
        "con.execute('SET enable_progress_bar = false'); con.execute(sys.argv[1])"
    )
    subprocess.run([sys.executable, "-c", code, sql], check=True)


def lepton() -> Path:
    """The console script installed next to this interpreter."""
    return Path(sys.executable).parent / "lepton"


CHILD_ENV: dict[str, str] = {}  # installed_env() and a private cache folder, set by main()
CACHE = "LEPTON_CACHE_DIR"


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
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=CHILD_ENV or None)
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


RAW_DUCKDB = """
import sys, duckdb
con = duckdb.connect(config={"threads": 2, "memory_limit": "1GB"})
con.execute("SET TimeZone = 'UTC'")
con.execute(\"\"\"{query}\"\"\", [sys.argv[1]]).fetchall()
"""

DUCKDB_SUMS = """
SELECT ServiceName, RegionId, BillingCurrency, SUM(CAST(BilledCost AS DECIMAL(38, 24))),
  SUM(CAST(EffectiveCost AS DECIMAL(38, 24))), SUM(CAST(ListCost AS DECIMAL(38, 24)))
FROM read_parquet(?) GROUP BY ALL ORDER BY 4 DESC"""


def _time(column: str) -> str:
    """A FOCUS date-time read as lepton reads one, by hand: empty is NULL; without
    ``YYYY-MM-DD`` up front the query fails (DuckDB's cast alone reads ``5/1/25``); an explicit
    offset goes through TIMESTAMPTZ, a ``Z`` (or none) through the plain TIMESTAMP cast."""
    c = column
    return (
        f"CASE WHEN NULLIF({c}, '') IS NULL THEN NULL "
        f"WHEN NOT ({c}[5] = '-' AND {c}[8] = '-') THEN error('bad date') "
        f"WHEN {c}[-1] <> 'Z' AND (strpos({c}, '+') > 0 OR strpos({c}[11:], '-') > 0) "
        f"THEN CAST(CAST({c} AS TIMESTAMPTZ) AS TIMESTAMP) ELSE CAST({c} AS TIMESTAMP) END"
    )


DUCKDB_CHECKED = f"""
SELECT service, region, CASE WHEN cps IS NULL OR bps IS NULL OR cpe < cps
    THEN error('bad row') ELSE currency END AS currency,
  SUM(billed), SUM(effective), SUM(list)
FROM (SELECT NULLIF(ServiceName, '') AS service, NULLIF(RegionId, '') AS region,
    NULLIF(BillingCurrency, '') AS currency,
    {_time("ChargePeriodStart")} AS cps,
    {_time("ChargePeriodEnd")} AS cpe,
    {_time("BillingPeriodStart")} AS bps,
    CAST(NULLIF(BilledCost, '') AS DECIMAL(38, 24)) AS billed,
    CAST(NULLIF(EffectiveCost, '') AS DECIMAL(38, 24)) AS effective,
    CAST(NULLIF(ListCost, '') AS DECIMAL(38, 24)) AS list
  FROM read_parquet(?))
GROUP BY ALL ORDER BY 4 DESC"""
"""The same query with the same guarantees, written by hand: every row's dates checked for an
RFC 3339 shape and parsed (offsets honoured), the charge span and the empty dates checked,
money DECIMAL."""

RAW_SPARK = """
import sys
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
         .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
         .config("spark.ui.showConsoleProgress", "false")
         .config("spark.sql.session.timeZone", "UTC").config("spark.sql.ansi.enabled", "true")
         .getOrCreate())
spark.read.parquet(sys.argv[1]).createOrReplaceTempView("focus")
spark.sql(\"\"\"{query}\"\"\").collect()
spark.stop()
"""

SPARK_SUMS = DUCKDB_SUMS.replace("read_parquet(?)", "focus")


def _spark_time(column: str) -> str:
    """A FOCUS date-time read as lepton's Spark query reads one, by hand: empty is NULL;
    without ``YYYY-MM-DD`` up front the query fails (an ANSI cast alone reads ``2026-10``);
    the ANSI cast rejects the rest."""
    c = column
    return (
        f"CAST(CASE WHEN NULLIF({c}, '') IS NULL THEN NULL "
        f"WHEN substr({c}, 5, 1) = '-' AND substr({c}, 8, 1) = '-' THEN {c} "
        f"ELSE raise_error('bad date') END AS TIMESTAMP)"
    )


SPARK_CHECKED = f"""
SELECT service, region, CASE WHEN cps IS NULL OR bps IS NULL OR cpe < cps
    THEN raise_error('bad row') ELSE currency END AS currency,
  SUM(billed), SUM(effective), SUM(list)
FROM (SELECT NULLIF(ServiceName, '') AS service, NULLIF(RegionId, '') AS region,
    NULLIF(BillingCurrency, '') AS currency,
    {_spark_time("ChargePeriodStart")} AS cps,
    {_spark_time("ChargePeriodEnd")} AS cpe,
    {_spark_time("BillingPeriodStart")} AS bps,
    CAST(NULLIF(BilledCost, '') AS DECIMAL(38, 24)) AS billed,
    CAST(NULLIF(EffectiveCost, '') AS DECIMAL(38, 24)) AS effective,
    CAST(NULLIF(ListCost, '') AS DECIMAL(38, 24)) AS list
  FROM focus)
GROUP BY ALL ORDER BY 4 DESC"""

ENGINE_TARGETS = {100_000_000: (60.0, 2048.0)}  # lepton report (duckdb): seconds, MiB
OVERHEAD_TARGET = 0.10  # lepton over the raw engine with the same checks


def generate_parquet(path: Path, rows: int) -> None:
    """The same seeded export as :func:`generate`, as Parquet (text columns, as exports write)."""
    if path.exists():
        return
    tmp = path.with_suffix(".tmp")
    sql = GENERATOR.format(rows=rows, path=str(tmp).replace("'", "''"))
    sql = sql.replace("(FORMAT csv, HEADER, FORCE_QUOTE *)", "(FORMAT parquet)")
    _write_in_child(sql)
    tmp.rename(path)


def timed(name: str, cmd: list[str], rows: int, size: float, env: dict[str, str]) -> Result:
    """Wall time, peak RSS and CPU of one child process (which must succeed)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=err, env={**(CHILD_ENV or os.environ), **env}
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed:\n{err.read().decode()[-3000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return Result(name, rows, size, seconds, usage.ru_maxrss / 1024, cpu)


COLD = "lepton report (duckdb), SQL not cached"


def engine_commands(
    path: Path, names: list[str], cold_cache: Path
) -> list[tuple[str, list[str], dict[str, str]]]:
    """What runs per engine: the raw floors (sums only; the same checks) and lepton; on DuckDB
    lepton also with its compiled-SQL cache emptied before each run (``cold_cache``)."""
    report = [str(lepton()), "report", "--by", "service,region", "--format", "json"]
    report += ["--source", str(path)]
    raw = {
        "duckdb": (RAW_DUCKDB, DUCKDB_SUMS, DUCKDB_CHECKED),
        "spark": (RAW_SPARK, SPARK_SUMS, SPARK_CHECKED),
    }
    out = []
    for engine in names:
        script, sums, checked = raw[engine]
        for label, query in (("sums only", sums), ("same checks", checked)):
            code = script.replace("{query}", query)
            out.append((f"{engine} raw SQL, {label}", [sys.executable, "-c", code, str(path)], {}))
        out.append((f"lepton report ({engine})", report, {"LEPTON_ENGINE": engine}))
        if engine == "duckdb":
            out.append((COLD, report, {"LEPTON_ENGINE": engine, CACHE: str(cold_cache)}))
    return out


def engines(rows: int, data_dir: Path, names: list[str], repeat: int = 1) -> list[Result]:
    """`lepton report --by service,region` on each engine over one Parquet export, beside the
    raw engine running the same query by hand (the floor), interleaved, best of ``repeat``.
    Peak memory is the Python child's; Spark's JVM is a grandchild and counts in neither."""
    path = data_dir / f"focus-{rows}.parquet"
    started = time.perf_counter()
    generate_parquet(path, rows)
    print(f"{rows:,} rows ready in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    size = path.stat().st_size / 2**20
    cold = data_dir / "lepton-cache-cold"
    commands = engine_commands(path, names, cold)
    warm_up = next((c for c in commands if c[0] == "lepton report (duckdb)"), None)
    if warm_up is not None:  # the first run compiles and stores the SQL; later ones reuse it
        timed(*warm_up[:2], rows, size, warm_up[2])
    best: dict[str, Result] = {}
    for _ in range(repeat):
        for name, cmd, env in commands:
            shutil.rmtree(cold, ignore_errors=True)
            found = timed(name, cmd, rows, size, env)
            print(f"  {name}: {found.seconds:.2f} s", file=sys.stderr)
            if name not in best or found.seconds < best[name].seconds:
                best[name] = found
    return [best[name] for name, _, _ in commands]


def engine_table(results: list[Result]) -> str:
    lines = [
        "| command | rows | Parquet MiB | wall s | CPU s | peak RSS MiB | target | ok |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        limits = ENGINE_TARGETS.get(r.rows) if r.command == "lepton report (duckdb)" else None
        ok = "-" if limits is None else _ok(r.seconds <= limits[0] and r.peak_mib <= limits[1])
        target = "-" if limits is None else f"<= {limits[0]:g} s, <= {limits[1]:g} MiB"
        lines.append(
            f"| {r.command} | {r.rows:,} | {r.size_mib:,.0f} | {r.seconds:.2f} | "
            f"{r.cpu_seconds:.2f} | {r.peak_mib:,.0f} | {target} | {ok} |"
        )
    return "\n".join(lines)


def overheads(results: list[Result], names: list[str]) -> list[str]:
    """lepton against each floor, per engine and size, and Spark against DuckDB."""
    by = {(r.command, r.rows): r.seconds for r in results}
    cpu = {(r.command, r.rows): r.cpu_seconds for r in results}
    lines = []
    for rows in sorted({r.rows for r in results}):
        for engine in names:
            ours = by[(f"lepton report ({engine})", rows)]
            sums = by[(f"{engine} raw SQL, sums only", rows)]
            same = by[(f"{engine} raw SQL, same checks", rows)]
            ok = _ok(ours / same - 1 <= OVERHEAD_TARGET)
            lines.append(
                f"{engine} {rows:,} rows: lepton {ours:.2f} s; raw with the same checks "
                f"{same:.2f} s: overhead {ours / same - 1:+.0%} (target <= "
                f"+{OVERHEAD_TARGET:.0%}: {ok}); raw sums only {sums:.2f} s: {ours / sums - 1:+.0%}"
            )
            if engine == "duckdb":  # in-process: the CPU seconds are the whole run's work
                extra = (
                    cpu[("lepton report (duckdb)", rows)]
                    / cpu[(f"{engine} raw SQL, same checks", rows)]
                )
                lines.append(
                    f"duckdb {rows:,} rows: CPU seconds over the same checks {extra - 1:+.0%}"
                )
                first = by[(COLD, rows)]
                lines.append(
                    f"duckdb {rows:,} rows, SQL not cached (a query's first run): lepton "
                    f"{first:.2f} s: overhead {first / same - 1:+.0%}"
                )
        if len(names) > 1 and "duckdb" in names:
            duck = by[("lepton report (duckdb)", rows)]
            for engine in (n for n in names if n != "duckdb"):
                ratio = by[(f"lepton report ({engine})", rows)] / duck
                lines.append(f"{engine} / duckdb {rows:,} rows (lepton report): {ratio:.2f}x")
    return lines


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
    parser.add_argument(
        "--engines", action="store_true", help="Parquet on DuckDB and PySpark, with raw floors"
    )
    parser.add_argument(
        "--engine-names",
        default="duckdb,spark",
        help="with --engines: which engines (comma-separated: duckdb, spark)",
    )
    args = parser.parse_args()
    names = [n.strip() for n in args.engine_names.split(",") if n.strip()]
    args.data_dir.mkdir(parents=True, exist_ok=True)
    CHILD_ENV.update(installed_env())
    CHILD_ENV[CACHE] = tempfile.mkdtemp(prefix="lepton-cache-")  # not the user's own cache
    results = []
    try:
        for rows in sorted(args.rows) if args.engines else []:
            results.extend(engines(rows, args.data_dir, names, args.repeat))
        for rows in [] if args.engines else sorted(args.rows):
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
        shutil.rmtree(CHILD_ENV[CACHE], ignore_errors=True)
        if not args.keep:
            shutil.rmtree(args.data_dir, ignore_errors=True)
    print(f"cpus: {os.cpu_count()}, python {sys.version.split()[0]}, duckdb {duckdb.__version__}")
    if args.engines:
        print(engine_table(results))
        print("\n".join(overheads(results, names)))
    else:
        print(table(results))


if __name__ == "__main__":
    main()
