"""A local Google Cloud: one HTTP server on 127.0.0.1 answering the REST APIs lepton calls.

The real Google clients talk to it over HTTP (``api_endpoint`` keeps its ``http://`` scheme)
with real Application Default Credentials: a service-account key file whose ``token_uri``
points at this server, which answers the OAuth token exchange.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import gcp_fixtures as fx
import grpc
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    auth: str | None


@dataclass
class FakeGoogle:
    """What the server answers: edit the fields in a test before calling lepton."""

    url: str = ""
    monitoring_url: str = ""  # Cloud Monitoring speaks gRPC in this SDK: a second server
    sku_pages: list[list[dict[str, Any]]] = field(default_factory=lambda: fx.sku_pages())
    instances: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # project -> pages
    disks: dict[str, dict[str, Any]] = field(default_factory=dict)  # project -> items
    addresses: dict[str, dict[str, Any]] = field(default_factory=dict)
    machine_types: dict[str, Any] = field(default_factory=lambda: fx.machine_type_items())
    time_series: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    billing: dict[str, str] = field(default_factory=dict)  # project -> billing account
    bq_pages: list[list[list[Any]]] = field(default_factory=list)
    failing: dict[str, tuple[int, str]] = field(default_factory=dict)  # path regex -> error
    calls: list[Call] = field(default_factory=list)
    tokens: int = 0

    def calls_to(self, pattern: str) -> list[Call]:
        return [c for c in self.calls if re.search(pattern, c.path)]


def _handler(google: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._serve(None)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                body: Any = json.loads(raw or b"{}")
            except ValueError:
                body = parse_qs(raw.decode())
            self._serve(body)

        def _serve(self, body: Any) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            call = Call(self.command, url.path, query, body, self.headers.get("Authorization"))
            google.calls.append(call)
            for pattern, (code, message) in google.failing.items():
                if re.search(pattern, url.path):
                    return self._json(code, fx.error(code, message))
            code, answer = route(google, call)
            return self._json(code, answer)

        def _json(self, code: int, answer: Any) -> None:
            data = json.dumps(answer).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def _page(pages: list[Any], call: Call) -> tuple[Any, str]:
    """The page a pageToken asks for (tokens are "page-N") and the next token."""
    index = int(call.query.get("pageToken", ["page-0"])[0].split("-")[1])
    following = f"page-{index + 1}" if index + 1 < len(pages) else ""
    return pages[index] if pages else [], following


def route(google: FakeGoogle, call: Call) -> tuple[int, Any]:
    path = call.path
    if path == "/token":
        google.tokens += 1
        return 200, {"access_token": "ya29.local", "expires_in": 3600, "token_type": "Bearer"}
    if path == "/v1/services/6F81-5844-456A/skus":
        skus, token = _page(google.sku_pages, call)
        return 200, {"skus": skus, "nextPageToken": token}
    if m := re.fullmatch(r"/v1/projects/([^/]+)/billingInfo", path):
        return 200, fx.billing_info(m[1], google.billing.get(m[1], ""))
    if m := re.fullmatch(r"/v1/billingAccounts/([^/]+)/projects", path):
        return 200, fx.billing_projects(m[1], google.billing)
    if m := re.fullmatch(r"/compute/v1/projects/([^/]+)/aggregated/(\w+)", path):
        return compute(google, m[1], m[2], call)
    if m := re.fullmatch(r"/v3/projects/([^/]+)/timeSeries", path):
        return 200, {"timeSeries": google.time_series.get(m[1], []), "nextPageToken": ""}
    if m := re.fullmatch(r"/bigquery/v2/projects/([^/]+)/jobs/([^/]+)", path):
        return 200, fx.bigquery_job(m[1], m[2])
    if re.fullmatch(r"/bigquery/v2/projects/[^/]+/queries(/[^/]+)?", path):
        return 200, fx.bigquery_page(google.bq_pages, call.query.get("pageToken", [""])[0])
    return 404, fx.error(404, f"no route for {path}")


def compute(google: FakeGoogle, project: str, kind: str, call: Call) -> tuple[int, Any]:
    if kind == "instances":
        pages = google.instances.get(project, [])
        items, token = _page(pages, call)
        return 200, {"items": fx.zonal("instances", items), "nextPageToken": token}
    if kind == "disks":
        return 200, {"items": google.disks.get(project, {})}
    if kind == "addresses":
        return 200, {"items": google.addresses.get(project, {})}
    if kind == "machineTypes":
        return 200, {"items": fx.filter_machine_types(google.machine_types, call.query)}
    return 404, fx.error(404, kind)


def _monitoring_server(google: FakeGoogle) -> tuple[grpc.Server, int]:
    """google.monitoring.v3.MetricService/ListTimeSeries over real gRPC on loopback."""
    from concurrent.futures import ThreadPoolExecutor

    from google.cloud import monitoring_v3

    def list_time_series(request: Any, context: grpc.ServicerContext) -> Any:
        path = f"/v3/{request.name}/timeSeries"
        auth = dict(context.invocation_metadata()).get("authorization")
        google.calls.append(Call("RPC", path, {}, request, auth))
        for pattern, (_code, message) in google.failing.items():
            if re.search(pattern, path):
                context.abort(grpc.StatusCode.PERMISSION_DENIED, message)
        series = google.time_series.get(request.name.split("/")[1], [])
        return monitoring_v3.ListTimeSeriesResponse.from_json(json.dumps({"timeSeries": series}))

    handler = grpc.method_handlers_generic_handler(
        "google.monitoring.v3.MetricService",
        {
            "ListTimeSeries": grpc.unary_unary_rpc_method_handler(
                list_time_series,
                request_deserializer=monitoring_v3.ListTimeSeriesRequest.deserialize,
                response_serializer=monitoring_v3.ListTimeSeriesResponse.serialize,
            )
        },
    )
    server = grpc.server(ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((handler,))
    port = server.add_secure_port(
        "127.0.0.1:0", grpc.local_server_credentials(grpc.LocalConnectionType.LOCAL_TCP)
    )
    server.start()
    return server, port


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    fake = FakeGoogle()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    fake.url = f"http://127.0.0.1:{server.server_port}"
    rpc, port = _monitoring_server(fake)
    fake.monitoring_url = f"http://127.0.0.1:{port}"
    yield fake
    rpc.stop(grace=None)
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def adc(
    google: FakeGoogle, private_key_pem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Real Application Default Credentials: a service-account key file that trades its
    signed assertion for a token at the local server."""
    key_file = tmp_path / "service-account.json"
    key_file.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "adc-project",
                "private_key_id": "local-key",
                "private_key": private_key_pem,
                "client_email": "lepton-reader@adc-project.iam.gserviceaccount.com",
                "client_id": "1234567890",
                "token_uri": f"{google.url}/token",
            }
        )
    )
    no_credentials(tmp_path, monkeypatch)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    return key_file


def no_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ADC anywhere: no key file, an empty gcloud config, no metadata server."""
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")


@pytest.fixture
def no_adc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    no_credentials(tmp_path, monkeypatch)
