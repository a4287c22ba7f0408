"""The BigQuery engine against a local stub of the BigQuery REST API, driven by the real
google-cloud-bigquery client: a dry run first (jobs.insert, dryRun), a refusal above
max_bytes_billed, and the capped query (jobs.query with maximumBytesBilled)."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

pytest.importorskip("google.cloud.bigquery")

from lepton_cli.billing import engines
from lepton_cli.billing.query import aggregate
from lepton_cli.errors import UsageError


class BigQueryStub(BaseHTTPRequestHandler):
    """As strict as BigQuery where it matters: a dry run only estimates; a query whose estimate
    exceeds its maximumBytesBilled fails with bytesBilledLimitExceeded."""

    estimate: ClassVar[int] = 0
    calls: ClassVar[list[tuple[str, dict[str, Any]]]] = []
    rows: ClassVar[list[list[str | None]]] = []

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/token"):  # google-auth's OAuth token exchange (a form)
            assert b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer" in raw
            return self.send_json(200, {"access_token": "t", "expires_in": 3600})
        body = json.loads(raw or b"{}")
        type(self).calls.append((self.path.split("?")[0], body))
        if self.headers.get("Authorization") != "Bearer t":
            return self.send_json(401, {"error": {"code": 401, "message": "no credentials"}})
        if self.path.startswith("/bigquery/v2/projects/p/jobs"):  # jobs.insert
            if not body["configuration"].get("dryRun"):
                return self.send_json(400, {"error": {"code": 400, "message": "unexpected job"}})
            stats = {"totalBytesProcessed": str(self.estimate)}
            return self.send_json(
                200,
                {
                    "kind": "bigquery#job",
                    "jobReference": {"projectId": "p", "jobId": "dry", "location": "US"},
                    "configuration": body["configuration"],
                    "status": {"state": "DONE"},
                    "statistics": {**stats, "query": stats},
                },
            )
        if self.path.startswith("/bigquery/v2/projects/p/queries"):  # jobs.query
            limit = int(body.get("maximumBytesBilled", 0))
            if not limit or self.estimate > limit:
                return self.send_json(
                    400,
                    {
                        "error": {
                            "code": 400,
                            "message": "bytesBilledLimitExceeded",
                            "errors": [{"reason": "bytesBilledLimitExceeded"}],
                        }
                    },
                )
            return self.send_json(200, self.answer())
        return self.send_json(404, {"error": {"code": 404, "message": self.path}})

    def answer(self) -> dict[str, Any]:
        names = ("k0", "k1", "currency", "billed", "effective", "list", "corrections")
        types = (
            "STRING",
            "STRING",
            "STRING",
            "BIGNUMERIC",
            "BIGNUMERIC",
            "BIGNUMERIC",
            "BIGNUMERIC",
        )
        return {
            "kind": "bigquery#queryResponse",
            "jobComplete": True,
            "totalRows": str(len(self.rows)),
            "schema": {
                "fields": [{"name": n, "type": t} for n, t in zip(names, types, strict=True)]
            },
            "rows": [{"f": [{"v": v} for v in row]} for row in self.rows],
            "jobReference": {"projectId": "p", "jobId": "q1", "location": "US"},
        }

    def send_json(self, code: int, obj: Any) -> None:
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a: Any) -> None:
        pass


@pytest.fixture
def endpoint(tmp_path, monkeypatch):
    """The stub, and Application Default Credentials from a service-account file whose token
    endpoint is the stub (the real google-auth chain, nothing patched)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    BigQueryStub.calls.clear()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), BigQueryStub)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_port}"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    account = {
        "type": "service_account",
        "project_id": "p",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "lepton@p.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": f"{url}/token",
    }
    path = tmp_path / "sa.json"
    path.write_text(json.dumps(account))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    yield url
    srv.shutdown()


def bigquery_engine(url: str, limit: int) -> engines.Engine:
    cfg = {"table": "p.billing.focus", "endpoint": url, "max_bytes_billed": limit}
    return engines.Engine(engines.EngineName.BIGQUERY, bigquery=cfg)


def test_dry_run_then_capped_query(endpoint):
    BigQueryStub.estimate = 5_000
    BigQueryStub.rows = [
        ["Compute Engine", "us-central1", "USD", "12.500000000000000000000001", "12.5", None, "0"],
        ["Cloud Storage", None, "USD", "3.25", "3", "4", "-1.25"],
    ]
    rows = aggregate([], ["service", "region"], engine=bigquery_engine(endpoint, 10_000))
    assert [(r.keys, r.billed_cost, r.list_cost, r.corrections) for r in rows] == [
        (
            {"service": "Compute Engine", "region": "us-central1"},
            Decimal("12.500000000000000000000001"),
            None,
            Decimal(0),
        ),
        (
            {"service": "Cloud Storage", "region": None},
            Decimal("3.25"),
            Decimal(4),
            Decimal("-1.25"),
        ),
    ]
    (dry_path, dry), (query_path, query) = BigQueryStub.calls
    assert dry_path == "/bigquery/v2/projects/p/jobs" and dry["configuration"]["dryRun"] is True
    assert query_path == "/bigquery/v2/projects/p/queries"
    assert query["maximumBytesBilled"] == "10000"
    assert dry["configuration"]["query"]["query"] == query["query"]
    assert "`p`.`billing`.`focus`" in query["query"]


def test_refuses_above_max_bytes_billed(endpoint):
    BigQueryStub.estimate = 20 * 1024**3
    with pytest.raises(UsageError, match=r"would scan 20.00 GiB.*above max_bytes_billed") as e:
        aggregate([], ["service"], engine=bigquery_engine(endpoint, 10 * 1024**3))
    assert "max_bytes_billed" in (e.value.hint or "")
    assert [c[0] for c in BigQueryStub.calls] == [
        "/bigquery/v2/projects/p/jobs"
    ]  # only the dry run: nothing was billed
