"""Fixtures: the HTTPS Azure stub, a trusted throwaway certificate and a managed identity."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from azure_stub import IDENTITY_HEADER, StubState, self_signed, serve

from lepton_cli.providers.azure import AzureConfig, AzureProvider
from lepton_cli.providers.base import ProviderContext

CREDENTIAL_VARS = (
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_TENANT_ID",
    "AZURE_USERNAME",
    "AZURE_PASSWORD",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "MSI_ENDPOINT",
    "MSI_SECRET",
    "IMDS_ENDPOINT",
    "AZURE_TOKEN_CREDENTIALS",
    "AZURE_AUTHORITY_HOST",
)


@pytest.fixture
def stub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StubState]:
    """The stub, trusted through REQUESTS_CA_BUNDLE, reached with an App Service managed identity
    (DefaultAzureCredential's real ManagedIdentityCredential asks the stub's token endpoint)."""
    for name in CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    for name in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    crt, pem = self_signed(tmp_path)
    state = StubState()
    server = serve(state, crt, pem)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(crt))
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"{state.base}/msi/token")
    monkeypatch.setenv("IDENTITY_HEADER", IDENTITY_HEADER)
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def config(stub: StubState) -> AzureConfig:
    return AzureConfig(
        base_url=stub.base,
        retail_prices_url=f"{stub.base}/api/retail/prices",
        cost_query_interval=0,
        max_retries=2,
    )


@pytest.fixture
def context(tmp_path: Path) -> ProviderContext:
    return ProviderContext(cache_dir=tmp_path / "cache", use_cache=True, cache_ttl_seconds=3600)


@pytest.fixture
def provider(config: AzureConfig, context: ProviderContext) -> AzureProvider:
    return AzureProvider(config, context)
