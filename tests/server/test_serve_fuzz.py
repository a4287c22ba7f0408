"""The OpenAPI document fuzzed with schemathesis (a bounded run): no answer is a 5xx."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from serve_fixture import ACME, server

from lepton_cli.server.app import ServeOptions, create_app

# The document the server publishes at /openapi.json (test_serve checks it is served).
schema = schemathesis.openapi.from_dict(create_app(ServeOptions()).openapi())


@pytest.fixture(scope="module")
def live() -> Iterator[httpx.Client]:
    source = f"inv={ACME / 'inventory.yaml'}"
    with server("--workers", "1", "--max-queue", "4", "--source", source) as client:
        yield client


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case, live: httpx.Client) -> None:
    response = case.call(base_url=str(live.base_url), timeout=60)
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
    if response.status_code >= 400:
        assert response.headers["content-type"] == ["application/problem+json"]
