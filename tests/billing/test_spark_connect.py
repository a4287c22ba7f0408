"""The conformance query set through Spark Connect (`spark: {remote: sc://…}`): a Spark Connect
server started from the pip distribution of PySpark (its `spark-connect` jar, `spark-submit`)
on 127.0.0.1, and the results identical to DuckDB's to the last digit."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from focus_data import rows, write_csv, write_parquet
from test_conformance import DUCKDB, query_set

pytestmark = pytest.mark.spark

SERVER = "org.apache.spark.sql.connect.service.SparkConnectServer"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def connect_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if shutil.which("java") is None:
        pytest.skip("Spark Connect needs Java (apt-get install default-jre-headless)")
    pyspark = pytest.importorskip("pyspark", reason="Spark Connect needs pyspark")
    home = Path(pyspark.__file__).parent
    if not list((home / "jars").glob("spark-connect_*.jar")):
        pytest.skip(f"no spark-connect jar in {home / 'jars'}")
    port = _free_port()
    conf = {
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.connect.grpc.binding.port": str(port),
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.driver.memory": "1g",
    }
    command = [str(home / "bin" / "spark-submit"), "--class", SERVER, "--master", "local[2]"]
    for key, value in conf.items():
        command += ["--conf", f"{key}={value}"]
    log = tmp_path_factory.mktemp("spark-connect") / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*command, "spark-internal"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "SPARK_HOME": str(home)},
            start_new_session=True,  # its JVM is a child of spark-submit: stop the whole group
        )
    try:
        deadline = time.monotonic() + 240
        while not _listening(port):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Spark Connect server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield f"sc://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    folder = tmp_path_factory.mktemp("connect")
    data = rows()
    return {
        "csv": [write_csv(folder / "focus.csv", data)],
        "parquet": [write_parquet(folder / "focus.parquet", data)],
    }


CLIENT = """
import json, sys
from pathlib import Path
from test_conformance import query_set
from lepton_cli.billing import engines
from lepton_cli.billing.spark import session

remote = engines.Engine(engines.EngineName.SPARK, engines.SparkConfig(remote=sys.argv[1]))
kind = type(session(remote.spark)).__module__
found = query_set([Path(p) for p in sys.argv[2:]], remote)
print(json.dumps({"session": kind, "results": {k: repr(v) for k, v in found.items()}}))
"""


def through_connect(url: str, paths: list[Path]) -> dict[str, object]:
    """The query set in a process of its own, as a lepton command runs: PySpark allows no
    Spark Connect session in a process that already holds a local one (the other tests')."""
    here = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here), str(here.parent)])}
    out = subprocess.run(
        [sys.executable, "-c", CLIENT, url, *map(str, paths)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_query_set_through_spark_connect_is_identical(connect_url, files):
    for kind in ("csv", "parquet"):
        duck = query_set(files[kind], DUCKDB)
        remote = through_connect(connect_url, files[kind])
        assert str(remote["session"]).startswith("pyspark.sql.connect")
        assert remote["results"] == {k: repr(v) for k, v in duck.items()}
    totals = duck["aggregate ['service', 'region'] billing"]
    assert any(len(str(r.billed_cost).partition(".")[2]) > 18 for r in totals)
