"""GCP regional commitments read with google-cloud-compute (REST) from a local server that
answers the OAuth token exchange and ``aggregated/commitments`` like Compute Engine does."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lepton_cli.commitments.model import Product
from lepton_cli.providers.gcp.commitments import read
from lepton_cli.providers.gcp.config import GcpConfig, GcpEndpoints


def cud(
    name: str, region: str, vcpus: int, memory_mb: int, status: str = "ACTIVE"
) -> dict[str, Any]:
    return {
        "kind": "compute#commitment",
        "id": str(abs(hash(name)) % 10**12),
        "name": name,
        "region": f"https://www.googleapis.com/compute/v1/projects/shop-prod/regions/{region}",
        "status": status,
        "plan": "THIRTY_SIX_MONTH",
        "type": "GENERAL_PURPOSE_N2",
        "category": "MACHINE",
        "startTimestamp": "2025-03-01T00:00:00.000-08:00",
        "endTimestamp": "2028-03-01T00:00:00.000-08:00",
        "resources": [
            {"type": "VCPU", "amount": str(vcpus)},
            {"type": "MEMORY", "amount": str(memory_mb)},
        ],
    }


PAGES = [
    {
        "kind": "compute#commitmentAggregatedList",
        "id": "projects/shop-prod/aggregated/commitments",
        "items": {
            "regions/us-central1": {"commitments": [cud("cud-a", "us-central1", 16, 65536)]},
            "regions/asia-east1": {"warning": {"code": "NO_RESULTS_ON_PAGE", "message": "none"}},
        },
        "nextPageToken": "p2",
    },
    {
        "kind": "compute#commitmentAggregatedList",
        "items": {
            "regions/europe-west1": {
                "commitments": [
                    cud("cud-b", "europe-west1", 8, 32768),
                    cud("cud-old", "europe-west1", 4, 16384, "EXPIRED"),
                ]
            }
        },
    },
]


class Google(BaseHTTPRequestHandler):
    calls: ClassVar[list[tuple[str, dict[str, list[str]], str | None]]] = []

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        type(self).calls.append((url.path, query, self.headers.get("Authorization")))
        # a service-account key signs its own JWT for Google APIs, or trades it at /token
        if len((self.headers.get("Authorization") or "").removeprefix("Bearer ")) < 8:
            return self._json(
                401, {"error": {"code": 401, "message": "no token", "status": "UNAUTHENTICATED"}}
            )
        if url.path == "/compute/v1/projects/shop-prod/aggregated/commitments":
            return self._json(200, PAGES[1] if query.get("pageToken") == ["p2"] else PAGES[0])
        if url.path.startswith("/compute/v1/projects/"):
            return self._json(
                403,
                {
                    "error": {
                        "code": 403,
                        "message": "Required 'compute.commitments.list' permission",
                        "status": "PERMISSION_DENIED",
                    }
                },
            )
        return self._json(404, {"error": {"code": 404, "message": url.path, "status": "NOT_FOUND"}})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/token":
            return self._json(
                200, {"access_token": "ya29.local", "expires_in": 3600, "token_type": "Bearer"}
            )
        return self._json(404, {})

    def _json(self, code: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def google(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    Google.calls = []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Google)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_port}"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    key_file = tmp_path / "sa.json"
    key_file.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "shop-prod",
                "private_key_id": "k1",
                "private_key": pem,
                "client_email": "reader@shop-prod.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": f"{url}/token",
            }
        )
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    yield url
    srv.shutdown()
    srv.server_close()


def test_aggregated_commitments_across_pages_and_regions(google: str) -> None:
    config = GcpConfig(projects=["shop-prod"], endpoints=GcpEndpoints(compute=google))
    got = read(config)
    assert got.failures == []
    by_id = {c.id: c for c in got.commitments}
    assert sorted(by_id) == ["cud-a", "cud-b"]  # the expired one is not owned capacity
    a = by_id["cud-a"]
    assert (a.product, a.count, a.unit, a.term_months) == (
        Product.GCP_RESOURCE_CUD,
        Decimal(16),
        "vCPU",
        36,
    )
    assert (a.scope.region, a.scope.family, a.scope.account) == ("us-central1", "n2", "shop-prod")
    assert a.end is not None and a.end.year == 2028
    assert a.name == "general_purpose_n2 16 vCPU, 64 GiB"
    paths = [p for p, _, _ in Google.calls]
    assert paths.count("/compute/v1/projects/shop-prod/aggregated/commitments") == 2


def test_a_denied_project_is_a_failed_scope(google: str) -> None:
    config = GcpConfig(projects=["shop-prod", "other-proj"], endpoints=GcpEndpoints(compute=google))
    got = read(config)
    assert len(got.commitments) == 2
    [failure] = got.failures
    assert failure.scope == "project other-proj (commitments)" and "403" in failure.message


def test_status_through_the_gcp_provider(google: str, tmp_path: Path) -> None:
    import datetime as dt

    from lepton_cli.commitments.sources import from_provider
    from lepton_cli.commitments.status import status
    from lepton_cli.providers.base import ProviderContext
    from lepton_cli.providers.gcp import GcpProvider

    config = GcpConfig(projects=["shop-prod"], endpoints=GcpEndpoints(compute=google))
    owned = from_provider(
        GcpProvider(config, ProviderContext(cache_dir=tmp_path)), 30, dt.date(2028, 1, 15)
    )
    rows = status(owned.commitments, owned.usage, dt.datetime(2028, 1, 15, tzinfo=dt.UTC))
    # both end 2028-03-01 (08:00 UTC): 46 days on, flagged at 60; no usage from this API
    assert [(s.commitment.id, s.expiry, s.utilization) for s in rows] == [
        ("cud-a", 60, None),
        ("cud-b", 60, None),
    ]
