"""`lepton report --engine trino` through the real Trino client over HTTP(S) against a local
coordinator (trino_stub): the SQL sent is the golden Trino SQL, as the configured user, with
the run-time bound as a session property; rows arrive over several pages as exact decimals; a
failed query is exit 4 with Trino's reason (a row check, exit 3); a password goes only over
https and never into a message."""

from __future__ import annotations

import base64
import socket
import ssl
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("trino")
from seeded import SEEDED, assert_reports_seeded
from test_sql_golden import stable
from trino_stub import Coordinator, Failure, Result, serve

from helpers import run

sys.path.append(str(Path(__file__).parent.parent / "providers" / "azure"))
from azure_stub import self_signed

GOLDEN = Path(__file__).parent.parent / "golden" / "sql" / "trino"
TABLE = "my-project.billing.focus"
PASSWORD = "lepton-trino-secret-5c1e"
MONEY = "decimal(38,24)"
AGGREGATE = [
    ("k0", "varchar"),
    ("k1", "varchar"),
    ("currency", "varchar"),
    ("billed", MONEY),
    ("effective", MONEY),
    ("list", MONEY),
    ("corrections", MONEY),
]
PRICING = [("k0", "varchar"), ("k1", "varchar"), ("pricing_currency", "varchar"), ("amount", MONEY)]


@pytest.fixture(autouse=True)
def _no_credentials(monkeypatch):
    monkeypatch.delenv("TRINO_PASSWORD", raising=False)
    monkeypatch.delenv("TRINO_JWT", raising=False)


@pytest.fixture
def coordinator() -> Iterator[Coordinator]:
    state = Coordinator(page_size=2)
    server = serve(state)
    yield state
    server.shutdown()


def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, base: str, **trino: Any) -> None:
    scheme, _, address = base.partition("://")
    host, port = address.split(":")
    section = {"table": TABLE, "host": host, "port": int(port), "http_scheme": scheme}
    section |= {"user": "finops", **trino}
    (tmp_path / "lepton.yaml").write_text(yaml.safe_dump({"engine": "trino", "trino": section}))
    monkeypatch.chdir(tmp_path)


def golden(name: str) -> str:
    return (GOLDEN / f"{name}.sql").read_text(encoding="utf-8")


def test_report_runs_the_golden_sql_as_the_user(coordinator, tmp_path, monkeypatch):
    config(tmp_path, monkeypatch, coordinator.base, timeout_seconds=120)
    coordinator.queue(Result(AGGREGATE, SEEDED), Result(PRICING, []))

    got = run("report", "--by", "service,region", "--format", "json")

    assert got.exit_code == 0, got.output
    sent = coordinator.statements
    assert [stable(s["sql"]).rstrip() + "\n" for s in sent] == [
        golden("report_service_region"),
        golden("report_pricing_service_region"),
    ]
    for statement in sent:
        assert statement["headers"]["X-Trino-User"] == "finops"
        assert statement["headers"]["X-Trino-Source"] == "lepton"
        assert statement["headers"]["X-Trino-Session"] == "query_max_run_time=120s"
        assert "Authorization" not in statement["headers"]
    assert_reports_seeded(got.stdout)

    coordinator.queue(Result(AGGREGATE, SEEDED), Result(PRICING, []))
    table = run("report", "--by", "service,region")
    assert table.exit_code == 0, table.output
    assert "billed total: 1,234.57 USD; 99.99 EUR" in table.stdout


def test_every_page_of_a_long_result_is_read_exactly(coordinator, tmp_path, monkeypatch):
    from lepton_cli.billing import engines
    from lepton_cli.billing.query import aggregate

    config(tmp_path, monkeypatch, coordinator.base)
    services = [
        [f"svc-{i:02d}", "USD", f"{i}.000000000000000000000001", "1", "1", "0"] for i in range(9)
    ]
    coordinator.queue(Result(AGGREGATE[:1] + AGGREGATE[2:], services))
    section = yaml.safe_load((tmp_path / "lepton.yaml").read_text())["trino"]

    found = aggregate(
        [], ["service"], engine=engines.Engine(engines.EngineName.TRINO, trino=section)
    )

    assert sorted((r.keys["service"], r.billed_cost) for r in found) == [
        (f"svc-{i:02d}", Decimal(f"{i}.000000000000000000000001")) for i in range(9)
    ]


def test_failed_query_is_exit_4_with_trinos_reason(coordinator, tmp_path, monkeypatch):
    config(tmp_path, monkeypatch, coordinator.base)
    coordinator.queue(
        Failure("line 1:212: Table 'my-project.billing.focus' does not exist", "TABLE_NOT_FOUND")
    )
    got = run("report", "--by", "service")
    assert got.exit_code == 4, got.output
    assert "TABLE_NOT_FOUND" in got.output and "does not exist" in got.output
    assert TABLE in got.output and "Traceback" not in got.output


def test_a_failed_row_check_is_exit_3(coordinator, tmp_path, monkeypatch):
    config(tmp_path, monkeypatch, coordinator.base)
    coordinator.queue(Failure("lepton: ChargePeriodStart is empty"))
    got = run("report", "--by", "service")
    assert got.exit_code == 3, got.output
    assert f"{TABLE}: lepton: ChargePeriodStart is empty" in got.output


@pytest.fixture
def tls_coordinator(tmp_path: Path) -> Iterator[tuple[Coordinator, Path]]:
    crt, key = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(crt, key)
    state = Coordinator(password=PASSWORD)
    server = serve(state, tls=context)
    yield state, crt
    server.shutdown()


def test_a_password_goes_over_https_as_basic_auth(tls_coordinator, tmp_path, monkeypatch):
    state, crt = tls_coordinator
    config(tmp_path, monkeypatch, state.base, verify=str(crt))
    monkeypatch.setenv("TRINO_PASSWORD", PASSWORD)
    state.queue(Result(AGGREGATE, SEEDED[:1]), Result(PRICING, []))

    got = run("report", "--by", "service,region", "--format", "json")

    assert got.exit_code == 0, got.output
    expected = "Basic " + base64.b64encode(f"finops:{PASSWORD}".encode()).decode()
    assert [s["headers"]["Authorization"] for s in state.statements] == [expected] * 2


def test_a_wrong_password_is_exit_4_without_the_password(tls_coordinator, tmp_path, monkeypatch):
    state, crt = tls_coordinator
    config(tmp_path, monkeypatch, state.base, verify=str(crt))
    monkeypatch.setenv("TRINO_PASSWORD", "not-" + PASSWORD)
    got = run("--debug", "report", "--by", "service")
    assert got.exit_code == 4, got.output
    assert "401" in got.output or "nauthori" in got.output
    assert PASSWORD not in got.output
    assert state.statements == []


def test_an_unknown_certificate_is_exit_4(tls_coordinator, tmp_path, monkeypatch):
    state, _ = tls_coordinator
    config(tmp_path, monkeypatch, state.base)  # the system's CAs do not know the stub
    got = run("report", "--by", "service")
    assert got.exit_code == 4, got.output
    assert state.base in got.output and "Traceback" not in got.output


def test_a_password_is_never_sent_in_clear(coordinator, tmp_path, monkeypatch):
    config(tmp_path, monkeypatch, coordinator.base)
    monkeypatch.setenv("TRINO_PASSWORD", PASSWORD)
    got = run("report", "--by", "service")
    assert got.exit_code == 2, got.output
    assert "TRINO_PASSWORD" in got.output and "https" in got.output
    assert PASSWORD not in got.output
    assert coordinator.statements == []


def test_unreachable_coordinator_is_exit_4(tmp_path, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed when the block ends: nothing listens there
    config(tmp_path, monkeypatch, f"http://127.0.0.1:{port}")
    got = run("report", "--by", "service")
    assert got.exit_code == 4, got.output
    assert f"http://127.0.0.1:{port}" in got.output and "Traceback" not in got.output


@pytest.mark.parametrize(
    ("section", "says"),
    [
        ({"host": "trino.internal"}, "table"),
        ({"table": "billing.focus", "host": "trino.internal"}, "table"),
        ({"table": TABLE}, "host"),
        ({"table": TABLE, "host": "h", "http_scheme": "ftp"}, "http_scheme"),
        ({"table": TABLE, "host": "h", "verify": "/no/such/ca.pem"}, "verify"),
        ({"table": TABLE, "host": "h", "timeout_seconds": 0}, "timeout_seconds"),
    ],
)
def test_a_bad_trino_section_is_exit_3(tmp_path, monkeypatch, section, says):
    (tmp_path / "lepton.yaml").write_text(yaml.safe_dump({"engine": "trino", "trino": section}))
    monkeypatch.chdir(tmp_path)
    got = run("report", "--by", "service")
    assert got.exit_code == 3, got.output
    assert "trino:" in got.output and says in got.output


def test_a_token_goes_over_https_as_a_bearer(tmp_path, monkeypatch):
    crt, key = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(crt, key)
    state = Coordinator()
    server = serve(state, tls=context)
    try:
        config(tmp_path, monkeypatch, state.base, verify=str(crt))
        monkeypatch.setenv("TRINO_JWT", "eyJ.lepton-test.token")
        state.queue(Result(AGGREGATE, SEEDED[:1]), Result(PRICING, []))
        got = run("report", "--by", "service,region")
    finally:
        server.shutdown()
    assert got.exit_code == 0, got.output
    auth = [s["headers"]["Authorization"] for s in state.statements]
    assert auth == ["Bearer eyJ.lepton-test.token"] * 2


def test_source_files_with_a_table_engine_are_refused(coordinator, tmp_path, monkeypatch):
    config(tmp_path, monkeypatch, coordinator.base)
    export = tmp_path / "focus.csv"
    export.write_text("BilledCost\n1\n")
    got = run("report", "--by", "service", "--source", str(export))
    assert got.exit_code == 2, got.output
    assert "not --source files" in got.output and str(export) in got.output
    assert coordinator.statements == []  # the table's totals are never shown as the file's
