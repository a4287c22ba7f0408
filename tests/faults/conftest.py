"""Fault tests drive `lepton scan` through the fault proxy in front of each cloud's fake.

The fakes live with their provider tests; their folders are put on the path here so their
fixtures (moto, the Azure stub, the Google fake) are shared rather than copied.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
for cloud in ("aws", "azure", "gcp"):
    folder = str(HERE.parent / "providers" / cloud)
    if folder not in sys.path:
        sys.path.append(folder)

import pytest  # noqa: E402
from aws_fake import aws, moto_server  # noqa: E402, F401 - fixtures
from azure_stub import IDENTITY_HEADER, StubState, self_signed, serve  # noqa: E402
from fault_proxy import FaultProxy, fault_proxy  # noqa: E402

AZURE_CREDENTIAL_VARS = (
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_TENANT_ID",
    "AZURE_USERNAME",
    "AZURE_PASSWORD",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "MSI_ENDPOINT",
    "MSI_SECRET",
    "IMDS_ENDPOINT",
    "AZURE_TOKEN_CREDENTIALS",
    "AZURE_AUTHORITY_HOST",
)


@pytest.fixture
def azure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The HTTPS Azure stub behind the fault proxy (TLS on both legs, one throwaway CA).

    The managed-identity token endpoint is reached through the proxy too, so a test can fail
    the credential itself."""
    for name in AZURE_CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    crt, pem = self_signed(tmp_path)
    state = StubState(forbidden=set())
    server = serve(state, crt, pem)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(crt))
    with fault_proxy(state.base, tls=(crt, pem), trust=crt) as proxy:
        monkeypatch.setenv("IDENTITY_ENDPOINT", f"{proxy.url}/msi/token")
        monkeypatch.setenv("IDENTITY_HEADER", IDENTITY_HEADER)
        yield state, proxy
    server.shutdown()
    server.server_close()


__all__ = ["FaultProxy"]

from gcp_fake import google, private_key_pem  # noqa: E402, F401 - fixtures


@pytest.fixture(scope="session", autouse=True)
def _sdks_imported() -> None:
    """Import the cloud SDKs once, up front: a cold import takes seconds on a busy machine,
    and it would otherwise be billed to whichever fault case runs first."""
    from lepton_cli.providers.boundary import preload

    preload(
        "boto3",
        "azure.identity",
        "azure.mgmt.compute",
        "azure.mgmt.network",
        "azure.mgmt.monitor",
        "azure.mgmt.costmanagement",
        "azure.mgmt.resource",
        "google.cloud.compute_v1",
        "google.cloud.billing_v1",
        "google.cloud.monitoring_v3",
        "google.cloud.bigquery",
    )
