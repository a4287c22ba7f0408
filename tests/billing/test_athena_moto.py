"""`lepton report --engine athena` through the real boto3 client against moto's Athena on
127.0.0.1: the SQL submitted is the golden Athena SQL, in the configured workgroup and output
location; the rows moto was seeded with become the report's totals exactly; a failed query is
exit 4 with Athena's reason (a row check, exit 3) and no credential in the message.

Moto runs no SQL: it answers each query with the next result queued through its own API
(``/moto-api/static/athena/query-results``), and its queries always succeed, so failures go
through a front server that forwards to moto and answers GetQueryExecution as Athena does for
a failed query."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

boto3 = pytest.importorskip("boto3")
requests = pytest.importorskip("requests")
from moto.server import ThreadedMotoServer  # noqa: E402
from seeded import SEEDED, assert_reports_seeded  # noqa: E402
from test_sql_golden import stable  # noqa: E402

from helpers import run  # noqa: E402

GOLDEN = Path(__file__).parent.parent / "golden" / "sql" / "athena"
SECRET = "lepton-test-secret-9f2c41"
TOKEN = "lepton-test-session-token-77aa"
REGION = "us-east-1"


@pytest.fixture(autouse=True)
def _fake_aws(monkeypatch):
    """The AWS chain sees only these (never a developer's profile or SSO cache)."""
    for k, v in {
        "AWS_ACCESS_KEY_ID": "AKIDLEPTONTEST",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_SESSION_TOKEN": TOKEN,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_MAX_ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def athena(moto_url: str) -> Any:
    """A fresh moto: the `finops` workgroup and the results bucket exist."""
    requests.post(f"{moto_url}/moto-api/reset", timeout=10)
    client = boto3.client("athena", endpoint_url=moto_url, region_name=REGION)
    client.create_work_group(Name="finops", Configuration={}, Description="FinOps queries")
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name=REGION)
    s3.create_bucket(Bucket="lepton-results")
    return client


def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **athena: Any) -> None:
    section = {
        "table": "my-project.billing.focus",
        "workgroup": "finops",
        "output_location": "s3://lepton-results/reports/",
        "region": REGION,
        **athena,
    }
    (tmp_path / "lepton.yaml").write_text(yaml.safe_dump({"athena": section}))
    monkeypatch.chdir(tmp_path)


AGGREGATE = (
    ("k0", "varchar"),
    ("k1", "varchar"),
    ("currency", "varchar"),
    ("billed", "decimal"),
    ("effective", "decimal"),
    ("list", "decimal"),
    ("corrections", "decimal"),
)
PRICING = (
    ("k0", "varchar"),
    ("k1", "varchar"),
    ("pricing_currency", "varchar"),
    ("amount", "decimal"),
)


def result(columns: tuple[tuple[str, str], ...], rows: list[list[str | None]]) -> dict[str, Any]:
    """A GetQueryResults answer as Athena gives it: the labels first, NULL without a value."""
    info = [
        {"Name": n, "Label": n, "Type": t, "Precision": 38, "Scale": 24 * (t == "decimal")}
        for n, t in columns
    ]
    header = {"Data": [{"VarCharValue": n} for n, _ in columns]}
    data = [{"Data": [{} if v is None else {"VarCharValue": v} for v in r]} for r in rows]
    return {"rows": [header, *data], "column_info": info}


def seed(moto_url: str, *answers: dict[str, Any]) -> None:
    r = requests.post(
        f"{moto_url}/moto-api/static/athena/query-results",
        json={"region": REGION, "results": list(answers)},
        timeout=10,
    )
    assert r.status_code == 201


def submitted(client: Any) -> list[dict[str, Any]]:
    ids = client.list_query_executions(WorkGroup="finops")["QueryExecutionIds"]
    return [client.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]


def golden(name: str) -> str:
    return (GOLDEN / f"{name}.sql").read_text(encoding="utf-8")


def test_report_runs_the_golden_sql_in_the_workgroup(athena, moto_url, tmp_path, monkeypatch):
    config(tmp_path, monkeypatch)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)  # the AWS chain's endpoint: moto
    seed(moto_url, result(AGGREGATE, SEEDED), result(PRICING, []))

    got = run("--engine", "athena", "report", "--by", "service,region", "--format", "json")

    assert got.exit_code == 0, got.output
    queries = submitted(athena)
    assert [stable(q["Query"]).rstrip() + "\n" for q in queries] == [
        golden("report_service_region"),
        golden("report_pricing_service_region"),
    ]
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name=REGION)
    for q in queries:
        assert q["WorkGroup"] == "finops"
        location = q["ResultConfiguration"]["OutputLocation"]
        assert location == f"s3://lepton-results/reports/{q['QueryExecutionId']}.csv"
        s3.head_object(Bucket="lepton-results", Key=location.removeprefix("s3://lepton-results/"))

    document = assert_reports_seeded(got.stdout)
    totals: dict[str, Decimal] = {}
    for r in document["rows"]:
        totals[r["currency"]] = totals.get(r["currency"], Decimal(0)) + Decimal(
            str(r["billed_cost"])
        )
    assert totals == {"USD": Decimal("1234.567890123456789012345679"), "EUR": Decimal("99.99")}

    seed(moto_url, result(AGGREGATE, SEEDED), result(PRICING, []))
    table = run("--engine", "athena", "report", "--by", "service,region")
    assert table.exit_code == 0, table.output
    assert "billed total: 1,234.57 USD; 99.99 EUR" in table.stdout


def test_sum_beyond_float_precision_is_kept(athena, moto_url, tmp_path, monkeypatch):
    """The cost rows come back as Decimal to the 24th digit, as DuckDB gives them."""
    from lepton_cli.billing import engines
    from lepton_cli.billing.query import aggregate

    config(tmp_path, monkeypatch, endpoint=moto_url)
    seed(moto_url, result(AGGREGATE[:1] + AGGREGATE[2:], [[r[0], *r[2:]] for r in SEEDED[:2]]))
    section = yaml.safe_load((tmp_path / "lepton.yaml").read_text())["athena"]
    found = aggregate(
        [], ["service"], engine=engines.Engine(engines.EngineName.ATHENA, athena=section)
    )
    assert [(r.keys["service"], r.billed_cost, r.list_cost) for r in found] == [
        ("AmazonEC2", Decimal("1234.567890123456789012345678"), Decimal(1500)),
        ("AmazonS3", Decimal("1E-24"), None),
    ]


class FailingFront(BaseHTTPRequestHandler):
    """Forwards to moto; answers GetQueryExecution with FAILED and ``reason`` as Athena does."""

    moto: ClassVar[str] = ""
    reason: ClassVar[str] = ""
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        target = self.headers.get("X-Amz-Target", "")
        type(self).seen.append(target)
        host, port = self.moto.removeprefix("http://").split(":")
        upstream = http.client.HTTPConnection(host, int(port), timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        upstream.request("POST", self.path, body, headers)
        answer = upstream.getresponse()
        data = answer.read()
        if target.endswith(".GetQueryExecution") and answer.status == 200:
            found = json.loads(data)
            found["QueryExecution"]["Status"] = {
                "State": "FAILED",
                "StateChangeReason": self.reason,
                "AthenaError": {
                    "ErrorCategory": 2,
                    "ErrorType": 1301,
                    "Retryable": False,
                    "ErrorMessage": self.reason,
                },
            }
            data = json.dumps(found).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.getheader("Content-Type") or "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a: Any) -> None:
        pass


@pytest.fixture
def failing(moto_url: str) -> Iterator[str]:
    FailingFront.moto = moto_url
    FailingFront.seen.clear()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), FailingFront)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


def test_failed_query_is_exit_4_with_athenas_reason(athena, failing, tmp_path, monkeypatch):
    FailingFront.reason = (
        "TABLE_NOT_FOUND: line 213:12: Table 'awsdatacatalog.billing.focus' does not exist"
    )
    config(tmp_path, monkeypatch, endpoint=failing)
    got = run("--engine", "athena", "report", "--by", "service,region")
    assert got.exit_code == 4, got.output
    assert "TABLE_NOT_FOUND" in got.output and "does not exist" in got.output
    assert "my-project.billing.focus" in got.output
    assert "Traceback" not in got.output
    assert SECRET not in got.output and TOKEN not in got.output
    assert FailingFront.seen[:2] == [
        "AmazonAthena.StartQueryExecution",
        "AmazonAthena.GetQueryExecution",
    ]
    assert "AmazonAthena.GetQueryResults" not in FailingFront.seen  # no rows read after FAILED


def test_a_failed_row_check_is_exit_3(athena, failing, tmp_path, monkeypatch):
    FailingFront.reason = "GENERIC_USER_ERROR: lepton: ChargePeriodStart is empty"
    config(tmp_path, monkeypatch, endpoint=failing)
    got = run("--engine", "athena", "report", "--by", "service")
    assert got.exit_code == 3, got.output
    assert "my-project.billing.focus: lepton: ChargePeriodStart is empty" in got.output


def test_unreachable_endpoint_is_exit_4(tmp_path, monkeypatch):
    config(tmp_path, monkeypatch, endpoint="http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    got = run("--engine", "athena", "report", "--by", "service")
    assert got.exit_code == 4, got.output
    assert "Athena failed on my-project.billing.focus" in got.output
    assert SECRET not in got.output


def test_athena_needs_a_table(tmp_path, monkeypatch):
    (tmp_path / "lepton.yaml").write_text("athena: {workgroup: finops}\n")
    monkeypatch.chdir(tmp_path)
    got = run("--engine", "athena", "report", "--by", "service")
    assert got.exit_code == 3 and "athena:" in got.output and "table" in got.output
    (tmp_path / "lepton.yaml").write_text("athena: {table: b.focus, output_location: bucket}\n")
    got = run("--engine", "athena", "report", "--by", "service")
    assert got.exit_code == 3 and "output_location" in got.output


@pytest.fixture
def slow_queries(moto_url: str) -> Iterator[None]:
    """Moto's queries stay QUEUED for many polls (its state manager, manual progression)."""
    transition = {"progression": "manual", "times": 10_000}
    body = {"model_name": "athena::execution", "transition": transition}
    requests.post(f"{moto_url}/moto-api/state-manager/set-transition", json=body, timeout=10)
    yield
    requests.post(
        f"{moto_url}/moto-api/state-manager/unset-transition",
        json={"model_name": "athena::execution"},
        timeout=10,
    )


def test_a_query_over_its_time_is_stopped(athena, moto_url, slow_queries, tmp_path, monkeypatch):
    config(tmp_path, monkeypatch, endpoint=moto_url, timeout_seconds=0.3)
    got = run("--engine", "athena", "report", "--by", "service")
    assert got.exit_code == 4, got.output
    assert "ran over 0.3 s and was stopped" in got.output
    (query,) = submitted(athena)
    assert query["Status"]["State"] == "CANCELLED"  # StopQueryExecution reached Athena
